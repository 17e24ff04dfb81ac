"""Loading the reviewed Friendship Monuments (``portal/data/monuments.py``) into the database.

Run on set-up by ``flask content load-monuments``. Idempotent: a monument whose slug exists is
left as editors made it, unless ``update=True`` (then its facts, sources and place are replaced
by the reviewed data; photos, visiting and ceremony texts are kept). A *sample* monument of an
older demo with the same slug is always replaced. The facts become the
monument's history in each language, each followed by the numbers of its sources, which the
monument page lists under "Sources".
"""

from __future__ import annotations

from dataclasses import dataclass, field

from markupsafe import escape
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from portal.data.monuments import LANGUAGES, MONUMENTS, ReviewedMonument
from portal.db import write_transaction
from portal.i18n import KHMER_DIGITS
from portal.models.content import Monument, MonumentSource
from portal.services.content_editing import ContentError, save_monument

# The word before a source's number in a citation link's title, per language.
SOURCE_WORD = {"vi": "Nguồn", "km": "ប្រភព", "en": "Source"}


@dataclass
class LoadReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)


def check(records: tuple[ReviewedMonument, ...] = MONUMENTS) -> None:
    """Every fact cites a source of its own monument, in every language; slugs are unique."""
    slugs = [r.slug for r in records]
    if len(set(slugs)) != len(slugs):
        raise ContentError("duplicate slug in the reviewed monuments")
    for record in records:
        keys = [s.key for s in record.sources]
        if len(set(keys)) != len(keys) or not keys:
            raise ContentError(f"{record.slug}: sources missing or keys repeated")
        if set(record.names) != set(LANGUAGES) or not record.facts:
            raise ContentError(f"{record.slug}: a name in each language and at least one fact are needed")
        for fact in record.facts:
            if not fact.sources or not set(fact.sources) <= set(keys):
                raise ContentError(f"{record.slug}: a fact cites an unknown source")
            if not all(fact.text(lang).strip() for lang in LANGUAGES):
                raise ContentError(f"{record.slug}: a fact is missing a language")
        if (record.latitude is None) != (record.longitude is None):
            raise ContentError(f"{record.slug}: give both coordinates or neither")


def _citation(number: int, lang: str) -> str:
    label = str(number).translate(KHMER_DIGITS) if lang == "km" else str(number)
    return f'<a href="#source-{number}" title="{SOURCE_WORD[lang]} {label}">[{label}]</a>'


def history_html(record: ReviewedMonument, lang: str) -> str:
    """The facts as a list, each followed by links to its numbered sources."""
    numbers = {source.key: index for index, source in enumerate(record.sources, start=1)}
    items = []
    for fact in record.facts:
        cites = "".join(_citation(numbers[key], lang) for key in fact.sources)
        items.append(f"<li>{escape(fact.text(lang))} {cites}</li>")
    return "<ul>" + "".join(items) + "</ul>"


def _save(session: Session, monument: Monument | None, record: ReviewedMonument) -> Monument:
    texts = {lang: {"name": record.names[lang], "history": history_html(record, lang)} for lang in LANGUAGES}
    if monument is not None and not monument.is_sample:  # keep what editors wrote on visiting, ceremonies
        for row in monument.texts:
            if row.lang in texts:
                texts[row.lang] |= {"visiting": row.visiting, "ceremonies": row.ceremonies}
    saved = save_monument(
        session, monument, slug=record.slug, province_code=record.province_code,
        district_code=record.district_code, address=monument.address if monument else "",
        latitude=record.latitude, longitude=record.longitude,
        built_year=monument.built_year if monument else None,
        restored_year=monument.restored_year if monument else None,
        position_approximate=record.position_approximate, is_sample=False,
        published=monument.published if monument else True, texts=texts)
    saved.sources.clear()
    session.flush()
    saved.sources.extend(
        MonumentSource(position=index, publisher=s.publisher, title=s.title, published=s.published, url=s.url,
                       language=s.language)
        for index, s in enumerate(record.sources, start=1))
    session.flush()
    return saved


def load_reviewed_monuments(session: Session, *, update: bool = False,
                            records: tuple[ReviewedMonument, ...] = MONUMENTS) -> LoadReport:
    """Add the reviewed monuments that are missing (and, with ``update``, refresh the others).

    One write transaction: either every monument is loaded or none is.
    """
    check(records)
    report = LoadReport()
    with write_transaction(session):
        existing = {m.slug: m for m in session.scalars(
            select(Monument).where(Monument.slug.in_([r.slug for r in records]))
            .options(selectinload(Monument.texts), selectinload(Monument.sources)))}
        for record in records:
            monument = existing.get(record.slug)
            if monument is None:
                _save(session, None, record)
                report.added.append(record.slug)
            elif update or monument.is_sample:  # a sample from an older demo gives way to the real one
                _save(session, monument, record)
                report.updated.append(record.slug)
            else:
                report.kept.append(record.slug)
    return report
