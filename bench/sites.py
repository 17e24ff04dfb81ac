"""Growth of the site queue and of a team's packet (issue #18): their cost at 100,000 tips and
20,000 sites against the same at 1,000 tips and 200 sites; the target is at most 1.5×.

Like the tip queue's growth ratio in ``bench/run.py``, it compares CPU per request of the same
work on a small and a big data set, measured in turns (small, big, small, big) so that whatever
else the machine does falls on both alike. It runs in one process, without gunicorn and wrk: it
times the services a page calls (the site queue's query and rows; the packet's query, flattening
and GPX), which is what grows with the data — the page around them does not.

    python -m bench.sites [--rounds 4] [--repeat 100]

Every generated row is marked ``[Bench]``; the data lives in a temporary directory.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import insert, text
from sqlalchemy.engine import Engine

from bench import dataset
from portal import geo
from portal.models.site import SearchTeam, Site, SiteStatus

SMALL, BIG = (1_000, 200), (100_000, 20_000)
TEAMS = 11
PLANNED_PER_TEAM = 15  # a season's plan per team: the same at both sizes (older seasons hold the rest)
SEASON = "2025-2026"
GROWTH_TARGET = 1.5


def add_sites(engine: Engine, sites: int, rng: random.Random) -> None:
    """``sites`` sites of 5 tips each (tips 1–5 tell of site 1, …), ``TEAMS`` bench teams, each with
    ``PLANNED_PER_TEAM`` sites this season; the other sites belong to earlier seasons."""
    provinces = [p.code for p in geo.provinces()]
    statuses = list(SiteStatus)
    now = datetime(2025, 11, 1, tzinfo=UTC)
    with engine.begin() as conn:
        conn.execute(insert(SearchTeam), [{"code": f"BENCH-{n:02d}", "name": f"{dataset.MARK} team {n}",
                                           "season": SEASON, "active": True, "source": dataset.MARK}
                                          for n in range(1, TEAMS + 1)])
        rows = []
        for number in range(1, sites + 1):
            planned = number <= TEAMS * PLANNED_PER_TEAM
            season = SEASON if planned else f"{2024 - number % 20}-{2025 - number % 20}"
            rows.append({
                "name": f"{dataset.MARK} site {number}", "status": rng.choice(statuses).value,
                "created_at": now, "status_changed_at": now, "province_code": rng.choice(provinces),
                "district_code": None, "commune_code": None, "village_code": None,
                "latitude": 11 + rng.random() * 3, "longitude": 103 + rng.random() * 3, "uncertainty_m": 200,
                "corroboration": rng.randint(1, 5), "tip_count": 5, "season": season,
                "team_id": (number - 1) % TEAMS + 1, "planned_month": date(2026, 1 + number % 4, 1),
                "remains_count": 0, "surveyed_on": None, "recovered_on": None, "repatriated_on": None,
            })
        for start in range(0, len(rows), dataset.CHUNK):
            conn.execute(insert(Site), rows[start:start + dataset.CHUNK])
        # The site's tips get positions inside Cambodia, so that a team's GPX has its waypoints to write
        # (the generated tips have none: without this the packet measured an empty file).
        conn.execute(text("UPDATE tips SET site_id = (id - 1) / 5 + 1, latitude = 11.0 + (id % 300) / 100.0, "
                          "longitude = 103.0 + (id % 290) / 100.0, uncertainty_m = 200 WHERE id <= :last"),
                     {"last": sites * 5})
        conn.execute(text("ANALYZE"))


def build(directory: Path, tips: int, sites: int) -> str:
    from portal.db import make_engine

    url = f"sqlite:///{directory / f'sites-{tips}.sqlite3'}"
    engine = make_engine(url)
    dataset.build(engine, tips=tips, monuments=0)
    add_sites(engine, sites, random.Random(dataset.SEED))
    engine.dispose()
    return url


def in_request(url: str, directory: Path, path: str) -> tuple[Any, Any]:
    """The portal on the data set at ``url``, a request context for ``path`` pushed, and a session."""
    from portal import create_app
    from portal.db import new_session

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench-" + "x" * 40, "RECEIPT_KEY": "bench-" + "y" * 40,
                      "TOTP_KEY": "bench-" + "z" * 40, "TESTING": True})
    app.instance_path = str(directory)
    context = app.test_request_context(path)
    context.push()
    return context, new_session()


def workloads(url: str, directory: Path) -> tuple[Any, dict[str, Callable[[], Any]]]:
    from portal.services import exports, site_queue
    from portal.staff.team_views import packet_tips

    context, session = in_request(url, directory, "/vi/staff/sites")

    def queue_by_accounts() -> Any:
        session.rollback()
        return site_queue.site_page(session, site_queue.SiteFilter(sort=site_queue.SiteSort.CORROBORATION))

    def queue_filtered() -> Any:
        session.rollback()
        return site_queue.site_page(session, site_queue.SiteFilter(statuses=(SiteStatus.REPORTED,), min_accounts=3))

    def packet_gpx() -> bytes:
        session.rollback()
        flat = exports.flatten_all(packet_tips(session, 3, SEASON), "vi", False)
        return exports.to_gpx(flat, "vi", False)

    return context, {"site queue page 1 (by accounts)": queue_by_accounts,
                     "site queue page 1 (status + ≥3 accounts)": queue_filtered,
                     "team packet (GPX)": packet_gpx}


def cpu_us(work: Callable[[], Any], repeat: int) -> float:
    work()  # warm
    samples = []
    for _ in range(repeat):
        started = time.process_time()
        work()
        samples.append((time.process_time() - started) * 1e6)
    return statistics.median(samples)


Workloads = tuple[Any, dict[str, Callable[[], Any]]]


def growth(small: Workloads, big: Workloads, size: Callable[[Any], int], title: str, unit: str, rounds: int,
           repeat: int) -> tuple[list[str], bool]:
    """The same work on the small and the big data set, timed in turns; a line per workload, each
    ratio against :data:`GROWTH_TARGET`. A workload whose result is empty (``size`` 0) measures
    nothing: that is a broken benchmark, not a pass."""
    (small_ctx, small_work), (big_ctx, big_work) = small, big
    sizes = {}
    for name in small_work:
        with small_ctx:
            few = size(small_work[name]())
        with big_ctx:
            many = size(big_work[name]())
        sizes[name] = (few, many)
    results: dict[str, tuple[list[float], list[float]]] = {name: ([], []) for name in small_work}
    for _round in range(rounds):
        for name in small_work:
            with small_ctx:
                results[name][0].append(cpu_us(small_work[name], repeat))
            with big_ctx:
                results[name][1].append(cpu_us(big_work[name], repeat))
    ok = True
    lines = [f"{title}; median CPU µs per call, {rounds} rounds × {repeat}"]
    for name, (small_runs, big_runs) in results.items():
        s, b = statistics.median(small_runs), statistics.median(big_runs)
        ratio = b / s if s else float("inf")
        passed = ratio <= GROWTH_TARGET and min(sizes[name]) > 0
        ok &= passed
        lines.append(f"{name:42} {s:8.0f} µs → {b:8.0f} µs = {ratio:.2f}  target ≤ {GROWTH_TARGET}  "
                     f"{'ok' if passed else 'MISSED'}  ({unit}: {sizes[name][0]} / {sizes[name][1]})")
    return lines, ok


def _rows_or_waypoints(result: Any) -> int:
    return len(result.rows) if hasattr(result, "rows") else result.count(b"<wpt")


def measure(rounds: int = 4, repeat: int = 100) -> tuple[list[str], bool]:
    """The growth lines for the report (``bench/run.py`` appends them to its table) and whether each
    ratio met its target."""
    with tempfile.TemporaryDirectory(prefix="bench-sites-") as tmp:
        directory = Path(tmp)
        small_url, big_url = build(directory, *SMALL), build(directory, *BIG)
        small = workloads(small_url, directory)
        small[0].pop()
        big = workloads(big_url, directory)
        big[0].pop()
        return growth(small, big, _rows_or_waypoints,
                      f"sites growth: {BIG[0]:,} tips / {BIG[1]:,} sites ÷ {SMALL[0]:,} tips / {SMALL[1]:,} sites",
                      "rows or waypoints", rounds, repeat)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--repeat", type=int, default=100)
    args = parser.parse_args(argv)
    lines, ok = measure(args.rounds, args.repeat)
    print("\n".join(lines))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
