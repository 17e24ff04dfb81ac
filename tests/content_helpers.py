"""Helpers for the content tests: make monuments, pages, figures and news through the services."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from portal.db import write_transaction
from portal.services import content_editing


def make_monument(session: Session, slug: str, province: str = "12", *, texts: dict[str, dict[str, str]] | None
                  = None, **fields: Any) -> int:
    names = texts if texts is not None else {
        "vi": {"name": f"Tượng đài {slug}", "history": "<p>Lịch sử</p>"},
        "km": {"name": f"វិមាន {slug}", "history": "<p>ប្រវត្តិ</p>"},
        "en": {"name": f"Monument {slug}", "history": "<p>History</p>"},
    }
    values: dict[str, Any] = {"latitude": 11.55, "longitude": 104.92, "is_sample": False, **fields}
    with write_transaction(session):
        monument = content_editing.save_monument(session, None, slug=slug, province_code=province,
                                                 texts=names, **values)
        return monument.id


def make_news(session: Session, slug: str, published_on: date, texts: dict[str, dict[str, str]] | None = None,
              **fields: Any) -> int:
    texts = texts if texts is not None else {
        "vi": {"title": f"Tin {slug}", "summary": "Tóm tắt", "body": "<p>Nội dung</p>"},
        "km": {"title": f"ព័ត៌មាន {slug}", "summary": "សេចក្តីសង្ខេប", "body": "<p>អត្ថបទ</p>"},
        "en": {"title": f"News {slug}", "summary": "Summary", "body": "<p>Body</p>"},
    }
    with write_transaction(session):
        item = content_editing.save_news(session, None, slug=slug, published_on=published_on, texts=texts,
                                         **fields)
        return item.id


def make_figure(session: Session, value: int, *, season: str | None = "2024-2025", province: str | None = None,
                unit: str = "sets", label: str = "Sets of remains") -> int:
    with write_transaction(session):
        figure = content_editing.save_figure(
            session, None, season=season, province_code=province, metric="remains_repatriated", unit=unit,
            value=value, source_publisher="Test Publisher", source_title="Test report", source_year=2025,
            texts={"en": {"label": label}, "vi": {"label": f"vi {label}"}, "km": {"label": f"km {label}"}})
        return figure.id


def load_demo(session: Session) -> None:
    """What a fresh install shows: the reviewed monuments (with sources), then the demo content."""
    from portal.demo.content import load_demo_content
    from portal.services.reviewed_monuments import load_reviewed_monuments

    load_reviewed_monuments(session)
    with write_transaction(session):
        load_demo_content(session)
