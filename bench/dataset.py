"""The benchmark's data set: the demo content, 200 monuments and 100,000 (or 1,000) tips.

Rows are written with bulk ``INSERT``s (one ``executemany`` per table and chunk), never through
the ORM one object at a time: 100,000 tips take a few seconds. Every generated row is marked as
generated (``[Bench]`` in its text), and the data is only ever written to a throw-away database.

    python -m bench.dataset sqlite:////tmp/bench.sqlite3 --tips 100000
"""

from __future__ import annotations

import argparse
import hashlib
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.engine import Engine

from portal import geo
from portal.i18n import fold
from portal.models.content import Monument, MonumentText
from portal.models.tip import Tip, TipStatus

MONUMENTS = 200
TIPS = 100_000
CHUNK = 10_000
SEED = 20251125
MARK = "[Bench]"
# Newest tip: fixed, so runs are comparable; tips go back about four years from here.
NEWEST = datetime(2025, 11, 1, tzinfo=UTC)
STATUS_WEIGHTS = ((TipStatus.NEW, 30), (TipStatus.IN_REVIEW, 20), (TipStatus.VERIFIED, 10),
                  (TipStatus.PASSED_TO_TEAM, 10), (TipStatus.CLOSED, 15), (TipStatus.REJECTED, 10),
                  (TipStatus.DUPLICATE, 5))
PLACES = ("Behind the old pagoda, near two tamarind trees", "Edge of a rice field east of the market",
          "Near the railway line, under a large mango tree", "Old rubber plantation road, third bend",
          "Gần trường tiểu học cũ, cạnh cây thốt nốt", "ក្បែរវត្តចាស់ ជិតស្រះទឹក")
SEEN = ("A small mound with a broken wooden marker.", "My father showed me where soldiers were buried.",
        "Người già trong làng kể có mộ bộ đội ở đây.", "អ្នកភូមិនិយាយថាមានផ្នូរនៅទីនោះ។")


def _monument_rows(count: int, start: int, rng: random.Random) -> tuple[list[dict[str, Any]], list[Any]]:
    provinces = geo.provinces()
    rows: list[dict[str, Any]] = []
    texts: list[Any] = []
    now = NEWEST
    for number in range(start, start + count):
        province = provinces[number % len(provinces)]
        districts = geo.districts(province.code)
        district = districts[number % len(districts)] if districts else None
        slug = f"bench-monument-{number:03d}"
        names = {
            "vi": f"Đài hữu nghị Việt Nam–Campuchia số {number} tại {province.name_vi}",
            "km": f"វិមានមិត្តភាពវៀតណាម-កម្ពុជា លេខ {number} ខេត្ត{province.name_kh}",
            "en": f"Việt Nam–Cambodia Friendship Monument no. {number}, {province.name_en}",
        }
        history = {
            "vi": f"<p>{MARK} Nội dung tạo tự động để đo tốc độ.</p>",
            "km": f"<p>{MARK} អត្ថបទសាកល្បងសម្រាប់វាស់ល្បឿន។</p>",
            "en": f"<p>{MARK} Generated text for the benchmark.</p>",
        }
        search = " | ".join(fold(part) for part in (
            slug.replace("-", " "), *names.values(), *history.values(), province.name_en, province.name_kh,
            province.name_vi or ""))
        rows.append({
            "slug": slug, "province_code": province.code, "district_code": district.code if district else None,
            "address": "", "latitude": 11.0 + rng.random() * 3, "longitude": 103.0 + rng.random() * 3,
            "built_year": None, "restored_year": None, "is_sample": True, "published": True,
            "search_text": search, "created_at": now, "updated_at": now - timedelta(minutes=number),
        })
        texts.append((slug, names, history))
    return rows, texts


def add_monuments(engine: Engine, total: int = MONUMENTS, rng: random.Random | None = None) -> int:
    """Top the published monuments up to ``total`` (the demo content has ten)."""
    rng = rng or random.Random(SEED)
    with engine.begin() as conn:
        existing = len(conn.execute(select(Monument.id)).all())
        missing = max(0, total - existing)
        if not missing:
            return 0
        rows, texts = _monument_rows(missing, existing + 1, rng)
        conn.execute(insert(Monument), rows)
        ids = {slug: id_ for slug, id_ in conn.execute(select(Monument.slug, Monument.id))}
        conn.execute(insert(MonumentText), [
            {"monument_id": ids[slug], "lang": lang, "name": names[lang], "history": history[lang],
             "visiting": "", "ceremonies": ""}
            for slug, names, history in texts for lang in ("vi", "km", "en")])
    return missing


def _tip_row(number: int, created: datetime, rng: random.Random, statuses: list[TipStatus],
             weights: list[int], province_codes: list[str]) -> dict[str, Any]:
    province = rng.choice(province_codes)
    place = rng.choice(PLACES)
    seen = rng.choice(SEEN)
    status = rng.choices(statuses, weights)[0]
    anonymous = rng.random() < 0.6
    return {
        "status": status.value, "outcome": None, "created_at": created, "updated_at": created,
        "province_code": province, "district_code": None, "commune_code": None, "village_code": None,
        "place_description": f"{MARK} {place}", "local_name": "", "latitude": None, "longitude": None,
        "uncertainty_m": None, "location_source": None, "what_seen": f"{MARK} {seen}", "how_known": None,
        "period": "", "estimated_graves": None, "fallen_names": "", "fallen_unit": "", "fallen_hometown": "",
        "on_behalf": False, "on_behalf_relationship": None,
        "contact_name": None if anonymous else f"Bench person {number}",
        "contact_phone": None if anonymous else f"+855 12 {number:06d}",
        "contact_email": None, "contact_messaging": None,
        "contact_language": None if anonymous else "km", "anonymous": anonymous, "consent": not anonymous,
        "language": rng.choice(("vi", "km", "en")), "channel": "web",
        # Never a real receipt: the hash of nothing anyone holds.
        "receipt_hash": hashlib.sha256(f"bench-{SEED}-{number}".encode()).hexdigest(),
        "search_text": fold(f"{place}\n{seen}"), "idempotency_key": None,
        "assignee_id": None, "rejection_reason": None, "duplicate_of_id": None, "search_team": None,
        "searched_on": None, "remains_count": None,
    }


def add_tips(engine: Engine, count: int = TIPS, rng: random.Random | None = None) -> int:
    """``count`` more tips, one every ~20 minutes going back from :data:`NEWEST` or from the
    oldest tip already there (bulk inserts)."""
    rng = rng or random.Random(SEED)
    statuses = [s for s, _w in STATUS_WEIGHTS]
    weights = [w for _s, w in STATUS_WEIGHTS]
    province_codes = [p.code for p in geo.provinces()]
    with engine.connect() as conn:
        start = conn.execute(select(func.count()).select_from(Tip)).scalar_one()
        oldest = conn.execute(select(func.min(Tip.created_at))).scalar()
    created = min(NEWEST, oldest - timedelta(minutes=1)) if oldest is not None else NEWEST
    written = 0
    while written < count:
        size = min(CHUNK, count - written)
        rows = []
        for number in range(start + written, start + written + size):
            rows.append(_tip_row(number, created, rng, statuses, weights, province_codes))
            created -= timedelta(seconds=rng.randint(60, 2400))
        with engine.begin() as conn:
            conn.execute(insert(Tip), rows)
        written += size
    return written


def load_demo_content(engine: Engine) -> None:
    """The demo pages, figures, news and ten sample monuments, through the editors' services."""
    from sqlalchemy.orm import Session

    from portal.demo.content import load_demo_content as load

    with Session(engine) as session:
        load(session)
        session.commit()


def build(engine: Engine, *, tips: int = TIPS, monuments: int = MONUMENTS) -> dict[str, float]:
    """Migrate an empty database and fill it; returns how long each part took (seconds)."""
    from portal import migrate

    timings: dict[str, float] = {}
    started = time.perf_counter()
    migrate.upgrade(engine)
    timings["migrate"] = time.perf_counter() - started
    rng = random.Random(SEED)
    started = time.perf_counter()
    load_demo_content(engine)
    add_monuments(engine, monuments, rng)
    timings["content"] = time.perf_counter() - started
    started = time.perf_counter()
    add_tips(engine, tips, rng)
    timings["tips"] = time.perf_counter() - started
    raw = engine.raw_connection()  # outside a transaction: ANALYZE, and SQLite's checkpoint
    try:
        if engine.dialect.name == "postgresql":
            raw.driver_connection.autocommit = True  # type: ignore[union-attr]
        cursor = raw.cursor()
        cursor.execute("ANALYZE")
        if engine.dialect.name == "sqlite":
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        cursor.close()
    finally:
        raw.close()
    return timings


def main(argv: list[str] | None = None) -> int:
    from portal.db import make_engine

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database_url", help="an empty database (it is migrated and filled)")
    parser.add_argument("--tips", type=int, default=TIPS)
    parser.add_argument("--monuments", type=int, default=MONUMENTS)
    args = parser.parse_args(argv)
    engine = make_engine(args.database_url)
    timings = build(engine, tips=args.tips, monuments=args.monuments)
    engine.dispose()
    print(", ".join(f"{name} {seconds:.1f} s" for name, seconds in timings.items()), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
