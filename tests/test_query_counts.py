"""Lean queries: how many SQL statements a page runs does not grow with the rows behind it.

Each page is fetched with 10 monuments, news items, official figures and tips, then again after
the same tables were filled up to 1,000 rows each (bulk inserts). The statements are counted on the
app's engine (``before_cursor_execute``); the page cache is off, so the queries really run. A page
whose count grows has an N+1 query: a visitor on a busy day would wait for it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, func, insert, select
from sqlalchemy.engine import Engine

from bench.dataset import add_monuments, add_tips
from portal.models.content import Figure, FigureText, Monument, MonumentPhoto, NewsItem, NewsText
from portal.models.tip import Tip
from tests.staff_fixtures import login

SMALL, LARGE = 10, 1000
MONUMENT = "bench-monument-005"
# Generous ceilings: a page needing more statements than this has lost a join or an eager load.
MAX_STATEMENTS = 12


def _pages(lang: str = "en") -> dict[str, str]:
    return {
        "home": f"/{lang}/",
        "monument list": f"/{lang}/monuments/",
        "monument page": f"/{lang}/monuments/{MONUMENT}",
        "statistics": f"/{lang}/statistics/",
        "news": f"/{lang}/news/",
        "review queue": f"/{lang}/staff/queue",
    }


@contextmanager
def counting(engine: Engine) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _fill(engine: Engine, rows: int) -> None:
    """Top monuments (each with a photo), news, official figures and tips up to ``rows``."""
    add_monuments(engine, rows)
    now = datetime(2025, 11, 1, tzinfo=UTC)
    with engine.begin() as conn:
        with_photo = set(conn.execute(select(MonumentPhoto.monument_id)).scalars())
        conn.execute(insert(MonumentPhoto), [
            {"monument_id": mid, "data": b"\xff\xd8\xff\xd9", "content_type": "image/jpeg", "width": 4,
             "height": 3, "position": 0, "alt_vi": "Ảnh", "alt_km": "រូបថត", "alt_en": "Photo", "credit": "",
             "is_sample": True, "created_at": now}
            for mid in conn.execute(select(Monument.id)).scalars() if mid not in with_photo] or [{}])
        first = conn.execute(select(func.count()).select_from(NewsItem)).scalar_one()
        if first < rows:
            conn.execute(insert(NewsItem), [
                {"slug": f"query-count-news-{n}", "published_on": date(2025, 1, 1) - timedelta(days=n),
                 "source_publisher": "Test", "source_title": "Test", "source_year": 2025, "is_sample": True,
                 "published": True, "created_at": now, "updated_at": now} for n in range(first, rows)])
            conn.execute(insert(NewsText), [
                {"news_item_id": nid, "lang": lang, "title": f"News {nid} {lang}", "summary": "Summary",
                 "body": "<p>Body</p>"}
                for nid in conn.execute(select(NewsItem.id).order_by(NewsItem.id).offset(first)).scalars()
                for lang in ("vi", "km", "en")])
        first = conn.execute(select(func.count()).select_from(Figure)).scalar_one()
        if first < rows:
            conn.execute(insert(Figure), [
                {"season": f"{2000 + n % 20}-{2001 + n % 20}", "province_code": f"{1 + n % 25:02d}",
                 "metric": "remains_repatriated", "unit": "sets", "value": n + 1, "source_publisher": "Test",
                 "source_title": "Test report", "source_year": 2025, "is_official": True, "created_at": now,
                 "updated_at": now} for n in range(first, rows)])
            conn.execute(insert(FigureText), [
                {"figure_id": fid, "lang": lang, "label": f"Sets of remains {fid}"}
                for fid in conn.execute(select(Figure.id).order_by(Figure.id).offset(first)).scalars()
                for lang in ("vi", "km", "en")])
        tips = conn.execute(select(func.count()).select_from(Tip)).scalar_one()
    if tips < rows:
        add_tips(engine, rows - tips)


def _count(app: Flask, client: FlaskClient) -> dict[str, int]:
    engine: Engine = app.extensions["portal.engine"]
    counts: dict[str, int] = {}
    for name, path in _pages().items():
        with counting(engine) as statements:
            response = client.get(path)
        assert response.status_code == 200, f"{name}: {response.status_code}"
        counts[name] = len(statements)
    return counts


def test_queries_per_page_do_not_grow_with_the_rows_behind_it(app: Flask, client: FlaskClient, moderator: Any) -> None:
    assert app.config["PAGE_CACHE_DISABLED"]
    engine: Engine = app.extensions["portal.engine"]
    login(client, moderator, lang="en")

    _fill(engine, SMALL)
    small = _count(app, client)
    _fill(engine, LARGE)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Tip)).scalar_one() == LARGE
        assert conn.execute(select(func.count()).select_from(NewsItem)).scalar_one() == LARGE
    large = _count(app, client)

    assert large == small, f"statements per page with {SMALL} rows: {small}; with {LARGE} rows: {large}"
    too_many = {name: n for name, n in large.items() if n > MAX_STATEMENTS}
    assert not too_many, f"pages running more than {MAX_STATEMENTS} statements: {too_many}"
