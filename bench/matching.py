"""Growth of inquiry matching (issue #19): proposing tips and sites for a family's inquiry at
100,000 tips against the same at 1,000 tips; the target is at most 1.5×.

Like ``bench/sites.py`` it runs in one process and times the service a staff inquiry page calls
(``portal.services.inquiry_matching.propose``), in turns (small, big, small, big). A third of the
generated tips name someone, and as many give a unit, drawn from the family names, given names and
units of Vietnamese volunteer soldiers in the proportions the names are common; their match keys
are written as the portal writes them. Five inquiries are asked, from a very common name to a rare
one, with and without diacritics and in another order.

    python -m bench.matching [--rounds 4] [--repeat 30]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, text, update
from sqlalchemy.engine import Engine

from bench import dataset
from bench.sites import growth, in_request
from portal.models.inquiry import TipMatchKey
from portal.models.tip import Tip

SMALL, BIG = 1_000, 100_000
FAMILY_NAMES = (("Nguyễn", 38), ("Trần", 11), ("Lê", 9), ("Phạm", 7), ("Hoàng", 5), ("Huỳnh", 4), ("Phan", 4),
                ("Vũ", 4), ("Võ", 3), ("Đặng", 2), ("Bùi", 2), ("Đỗ", 2), ("Hồ", 2), ("Ngô", 2), ("Dương", 1),
                ("Lý", 1))
MIDDLE_NAMES = (("Văn", 60), ("Đình", 8), ("Hữu", 6), ("Minh", 5), ("Quang", 5), ("Đức", 5), ("Công", 4),
                ("Xuân", 4), ("Thanh", 3))
GIVEN_NAMES = ("Hùng", "Dũng", "Nam", "Bình", "Sơn", "Hải", "Thắng", "Lợi", "Tuấn", "Minh", "Long", "Phong",
               "Thành", "Trung", "Quân", "Tâm", "Tám", "Tư", "Ba", "Hòa", "Hiếu", "Nghĩa", "Toàn", "Khánh",
               "Phúc", "Lâm", "Cường", "Chiến", "Đạt", "Vinh", "Hưng", "Kiên", "Tài", "Sang", "Lực", "Thịnh")
HOMETOWNS = ("Nghệ Tĩnh", "Thanh Hóa", "Hà Nam Ninh", "Thái Bình", "Hải Hưng", "Nghĩa Bình", "An Giang",
             "Đồng Tháp", "Tây Ninh", "Long An", "Hậu Giang", "Cửu Long", "Bình Trị Thiên", "Hà Bắc")
INQUIRIES = (
    {"fallen_name": "Nguyễn Văn Hùng", "unit": "Trung đoàn 88", "death_date": "1979", "hometown_written": "Nghệ Tĩnh"},
    {"fallen_name": "hung nguyen van", "unit": "E88", "death_date": "tháng 2 năm 1980"},
    {"fallen_name": "Trần Đình Nam", "unit": "Đại đội 2, Tiểu đoàn 3, Trung đoàn 209", "death_date": "1984"},
    {"fallen_name": "Dương Xuân Kiên", "unit": "F5", "hometown_written": "Tây Ninh"},
    {"fallen_name": "Lê Văn Tám", "unit": "", "death_date": "1978"},
)


def _name(rng: random.Random) -> str:
    family = rng.choices([n for n, _w in FAMILY_NAMES], [w for _n, w in FAMILY_NAMES])[0]
    middle = rng.choices([n for n, _w in MIDDLE_NAMES], [w for _n, w in MIDDLE_NAMES])[0]
    written = f"{family} {middle} {rng.choice(GIVEN_NAMES)}"
    return written if rng.random() < 0.6 else dataset.fold(written)  # many tipsters type without accents


def _unit(rng: random.Random) -> str:
    regiment = rng.randint(1, 320)
    form = rng.random()
    if form < 0.4:
        return f"E{regiment}"
    if form < 0.7:
        return f"Trung đoàn {regiment}"
    return f"c{rng.randint(1, 12)} d{rng.randint(1, 9)} e{regiment}"


def add_named_tips(engine: Engine, rng: random.Random) -> int:
    """A third of the tips name someone (one or two people), as many give a unit; keys written."""
    from portal.services.inquiry_matching import tip_keys

    with engine.begin() as conn:
        ids = list(conn.scalars(select(Tip.id).order_by(Tip.id)))
        key_rows = []
        for tip_id in ids:
            names = ", ".join(_name(rng) for _ in range(rng.choice((1, 1, 1, 2)))) if rng.random() < 0.33 else ""
            unit = _unit(rng) if rng.random() < 0.33 else ""
            if not names and not unit:
                continue
            values = {"fallen_names": names, "fallen_unit": unit,
                      "fallen_hometown": rng.choice(HOMETOWNS) if rng.random() < 0.5 else "",
                      "period": str(rng.randint(1977, 1989)) if rng.random() < 0.5 else ""}
            conn.execute(update(Tip).where(Tip.id == tip_id).values(**values))
            key_rows += [{"tip_id": tip_id, "key": key} for key in tip_keys(names, unit)]
        for start in range(0, len(key_rows), dataset.CHUNK):
            conn.execute(insert(TipMatchKey), key_rows[start:start + dataset.CHUNK])
        conn.execute(text("ANALYZE"))
    return len(key_rows)


def build(directory: Path, tips: int) -> str:
    from portal.db import make_engine

    url = f"sqlite:///{directory / f'matching-{tips}.sqlite3'}"
    engine = make_engine(url)
    dataset.build(engine, tips=tips, monuments=0)
    add_named_tips(engine, random.Random(dataset.SEED))
    engine.dispose()
    return url


def workloads(url: str, directory: Path) -> tuple[Any, dict[str, Callable[[], Any]]]:
    from portal.models.inquiry import Inquiry
    from portal.services import inquiry_matching

    context, session = in_request(url, directory, "/vi/staff/inquiries/1")
    asked = [Inquiry(language="vi", fallen_name=values["fallen_name"], unit=values.get("unit", ""),
                     death_date=values.get("death_date", ""), hometown_written=values.get("hometown_written", ""),
                     death_year=int(values["death_date"][-4:]) if values.get("death_date") else None,
                     death_place="", family_knows="", links=[])
             for values in INQUIRIES]

    def propose_all() -> list[Any]:
        session.rollback()
        return [inquiry_matching.propose(session, inquiry) for inquiry in asked]

    return context, {"propose tips and sites for 5 inquiries": propose_all}


def measure(rounds: int = 4, repeat: int = 30) -> tuple[list[str], bool]:
    with tempfile.TemporaryDirectory(prefix="bench-matching-") as tmp:
        directory = Path(tmp)
        small = workloads(build(directory, SMALL), directory)
        small[0].pop()
        big = workloads(build(directory, BIG), directory)
        big[0].pop()
        return growth(small, big, lambda found: sum(len(proposals) for proposals in found),
                      f"matching growth: {BIG:,} tips ÷ {SMALL:,} tips", "proposals", rounds, repeat)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args(argv)
    lines, ok = measure(args.rounds, args.repeat)
    print("\n".join(lines))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
