"""Handing tips to the search teams: CSV, GeoJSON, GPX and printable field sheets.

Tips are chosen like the review queue chooses them (``portal.services.queue.QueueFilter``) or by
their numbers, at most :data:`MAX_EXPORT` in one file. Each tip is first flattened into an
:class:`ExportedTip` in the chosen language — contact details only when the moderator asked for
them — and every export is written to the audit log (what, how many, which filters, whether contact
details went with it; never the details themselves). An export with contact details is also written
into each tip's own history, one entry per tip, so that the tip's page and the audit search show it.
"""

from __future__ import annotations

import base64
import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any

import segno
from flask_babel import force_locale, lazy_pgettext
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal import geo, tip_facts
from portal.db import write_transaction
from portal.i18n import LANGUAGE_NAMES
from portal.labels import OUTCOME_LABELS, STATUS_LABELS
from portal.models.staff import StaffUser
from portal.models.tip import Tip, TipStatus
from portal.services import queue
from portal.services.audit import record
from portal.services.moderation import Contact

MAX_EXPORT = 5000
MAX_SHEETS = 100  # field sheets printed in one go
# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
GPX_NAMESPACE = "http://www.topografix.com/GPX/1/1"
_ID_TEXT = re.compile(r"^[\d\s,;#]*$")
_LOAD_CHUNK = 500


# (key, header) of every column; the contact columns come only when asked for. What the tipster
# told comes from its declaration (portal.tip_facts), between the place and what staff found out.
COLUMNS = (
    ("id", _l("Tip number")), ("status", _l("Status")), ("received", _l("Received")),
    ("province", _l("Province")), ("district", _l("District")), ("commune", _l("Commune")),
    ("village", _l("Village")), ("latitude", _l("Latitude")), ("longitude", _l("Longitude")),
    ("uncertainty_m", _l("Within (metres)")),
    *((fact.key, fact.label) for fact in tip_facts.TOLD if fact.exported),
    ("language", _l("Language of the tip")), ("outcome", _l("Field outcome")),
    ("search_team", _l("Search team")), ("searched_on", _l("Date of the search")),
    ("remains_count", _l("Sets of remains recovered")), ("duplicate_of", _l("Duplicate of")),
)
CONTACT_COLUMNS = (
    *((fact.key, fact.label) for fact in tip_facts.CONTACT if fact.exported),
    ("contact_language", _l("Contact language")), ("anonymous", _l("Asked to stay anonymous")),
)
NUMERIC = frozenset({"id", "latitude", "longitude", "uncertainty_m", "remains_count", "duplicate_of",
                     *(fact.key for fact in tip_facts.TIP_FACTS if fact.kind == "number")})


class InvalidIds(ValueError):
    """The list of tip numbers holds something that is not a number."""


class UnknownFormat(ValueError):
    """No entry in :data:`FORMATS` has this key."""


@dataclass(frozen=True)
class PlaceName:
    level: str
    name: str
    name_km: str


@dataclass(frozen=True)
class ExportedTip:
    """One tip, flattened in one language; ``contact`` is None unless contact details were asked for."""

    id: int
    status: str
    status_label: str
    received: date
    places: tuple[PlaceName, ...]
    latitude: float | None
    longitude: float | None
    uncertainty_m: int | None
    # What the tipster told (portal.tip_facts.TOLD) by key, as staff read it: a choice as its label.
    facts: dict[str, Any]
    language: str
    outcome: str
    search_team: str
    searched_on: date | None
    remains_count: int | None
    duplicate_of: int | None
    contact: Contact | None = None

    @property
    def place_name(self) -> str:
        """The place from the most precise level to the province: "village, commune, district, province"."""
        return ", ".join(place.name for place in reversed(self.places))

    @property
    def has_location(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    @property
    def geo_uri(self) -> str:
        return f"geo:{self.latitude:.6f},{self.longitude:.6f}" if self.has_location else ""

    def place_of(self, level: str) -> str:
        return next((place.name for place in self.places if place.level == level), "")

    def value(self, key: str) -> Any:
        if key in {"province", "district", "commune", "village"}:
            return self.place_of(key)
        if key == "status":
            return self.status_label
        if key in self.facts:
            return self.facts[key]
        if key.startswith("contact_") or key == "anonymous":
            if self.contact is None:
                return None
            return getattr(self.contact, "anonymous" if key == "anonymous" else key.removeprefix("contact_"))
        value = getattr(self, key)
        return value.isoformat() if isinstance(value, date) else value


@dataclass(frozen=True)
class Selection:
    tips: list[Tip]
    capped: bool
    missing: list[int] = field(default_factory=list)


# --- Choosing tips ------------------------------------------------------------------------------


def parse_ids(text: str | None, limit: int = MAX_EXPORT) -> list[int]:
    """Tip numbers typed or pasted by a moderator ("12, 15 #40"), in order, each once."""
    if not text or not text.strip():
        return []
    if not _ID_TEXT.match(text):
        raise InvalidIds(text)
    numbers = [int(n) for n in re.findall(r"\d{1,12}", text)]
    return list(dict.fromkeys(n for n in numbers if n > 0))[: limit + 1]


def count_matching(session: Session, filters: queue.QueueFilter, limit: int = MAX_EXPORT) -> tuple[int, bool]:
    """How many tips the filters match, up to ``limit``, and whether there are more."""
    page = queue.queue_page(session, filters, None, limit=limit)
    return len(page.rows), page.next_cursor is not None


def select_tips(session: Session, filters: queue.QueueFilter, ids: Sequence[int] = (),
                limit: int = MAX_EXPORT) -> Selection:
    """The tips to export: the numbers given, else what the queue's filters match (its order, newest
    first by default); at most ``limit``, with ``capped`` telling whether more were left out."""
    if ids:
        wanted = list(dict.fromkeys(ids))
        capped = len(wanted) > limit
        wanted = wanted[:limit]
    else:
        page = queue.queue_page(session, filters, None, limit=limit)
        wanted = [row.id for row in page.rows]
        capped = page.next_cursor is not None
    found: dict[int, Tip] = {}
    for start in range(0, len(wanted), _LOAD_CHUNK):
        chunk = wanted[start:start + _LOAD_CHUNK]
        found.update((tip.id, tip) for tip in session.scalars(select(Tip).where(Tip.id.in_(chunk))))
    return Selection(tips=[found[i] for i in wanted if i in found], capped=capped,
                     missing=[i for i in wanted if i not in found])


def describe_filters(filters: queue.QueueFilter, ids: Sequence[int] = ()) -> dict[str, Any]:
    """The filters as plain data for the audit log."""
    described = {key: value for key, value in asdict(filters).items() if value not in (None, "", (), False)}
    described["statuses"] = [str(s) for s in filters.statuses]
    for key in ("created_from", "created_to"):
        if described.get(key):
            described[key] = described[key].isoformat()
    described["sort"] = str(filters.sort)
    if not described["statuses"]:
        del described["statuses"]
    if ids:
        described["ids"] = list(ids)
    return described


# --- Flattening ---------------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def _places(codes: tuple[str | None, ...], locale: str) -> tuple[PlaceName, ...]:
    places = []
    for code in codes:
        place = geo.place(code) if code else None
        if place is not None:
            places.append(PlaceName(level=place.level, name=place.name(locale), name_km=place.name_kh))
    return tuple(places)


def flatten(tip: Tip, locale: str, include_contact: bool = False) -> ExportedTip:
    """One tip as plain data in ``locale`` (call inside an application context)."""
    with force_locale(locale):
        return _flatten(tip, locale, include_contact)


def flatten_all(tips: Iterable[Tip], locale: str, include_contact: bool = False) -> list[ExportedTip]:
    with force_locale(locale):
        return [_flatten(tip, locale, include_contact) for tip in tips]


def _flatten(tip: Tip, locale: str, include_contact: bool) -> ExportedTip:
    codes = (tip.province_code, tip.district_code, tip.commune_code, tip.village_code)
    return ExportedTip(
        id=tip.id, status=tip.status.value, status_label=str(STATUS_LABELS[tip.status]),
        received=tip.created_at.astimezone(UTC).date(), places=_places(codes, locale),
        latitude=tip.latitude, longitude=tip.longitude, uncertainty_m=tip.uncertainty_m,
        facts={fact.key: fact.shown(getattr(tip, fact.key)) for fact in tip_facts.TOLD},
        language=LANGUAGE_NAMES.get(tip.language, tip.language),
        outcome=str(OUTCOME_LABELS[tip.outcome]) if tip.outcome and tip.status == TipStatus.CLOSED else "",
        search_team=tip.search_team or "",
        searched_on=tip.searched_on,
        remains_count=tip.remains_count, duplicate_of=tip.duplicate_of_id,
        contact=Contact(name=tip.contact_name, phone=tip.contact_phone, email=tip.contact_email,
                        messaging=tip.contact_messaging, language=tip.contact_language,
                        anonymous=tip.anonymous) if include_contact else None,
    )


# --- Formats ------------------------------------------------------------------------------------


def neutralise(text: str) -> str:
    """A cell a spreadsheet would run as a formula (``=HYPERLINK(…)``) is kept as text."""
    return "'" + text if text.startswith(FORMULA_START) else text


def _columns(include_contact: bool) -> tuple[tuple[str, Any], ...]:
    return COLUMNS + CONTACT_COLUMNS if include_contact else COLUMNS


def _cell(key: str, value: Any, locale: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        with force_locale(locale):
            return str(lazy_pgettext("data value", "Yes") if value else lazy_pgettext("data value", "No"))
    if key in {"latitude", "longitude"}:
        return f"{value:.6f}"
    if key in NUMERIC:
        return str(value)
    return neutralise(str(value))


def to_csv(tips: Sequence[ExportedTip], locale: str, include_contact: bool = False) -> bytes:
    """UTF-8 with a byte-order mark (so Excel reads Khmer and Vietnamese), formulas neutralised."""
    columns = _columns(include_contact)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    with force_locale(locale):
        writer.writerow([neutralise(str(header)) for _key, header in columns])
    for tip in tips:
        writer.writerow([_cell(key, tip.value(key), locale) for key, _header in columns])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _properties(tip: ExportedTip, locale: str, include_contact: bool) -> dict[str, Any]:
    """Stable keys, values in ``locale`` (``status`` is the label, ``status_code`` the internal state)."""
    properties: dict[str, Any] = {"name": waypoint_name(tip), "description": description(tip, locale),
                                  "place": tip.place_name, "status_code": tip.status}
    for key, _header in _columns(include_contact):
        if key not in {"latitude", "longitude"}:
            properties[key] = tip.value(key)
    return properties


def to_geojson(tips: Sequence[ExportedTip], locale: str, include_contact: bool = False) -> bytes:
    """A FeatureCollection of Points (longitude, latitude); a tip without coordinates has no geometry."""
    features = []
    for tip in tips:
        geometry = ({"type": "Point", "coordinates": [round(tip.longitude, 6), round(tip.latitude, 6)]}  # type: ignore[arg-type]
                    if tip.has_location else None)
        features.append({"type": "Feature", "id": tip.id, "geometry": geometry,
                         "properties": _properties(tip, locale, include_contact)})
    collection = {"type": "FeatureCollection", "name": "friendship-portal-tips", "lang": locale,
                  "features": features}
    return json.dumps(collection, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def waypoint_name(tip: ExportedTip) -> str:
    """"#ID place name": the most precise place, else the local name."""
    place = tip.places[-1].name if tip.places else tip.facts["local_name"]
    return f"#{tip.id} {place}".strip()


def description(tip: ExportedTip, locale: str) -> str:
    """What a team needs at the site, in ``locale``, one line a fact."""
    with force_locale(locale):
        lines = [f"{_l('Status')}: {tip.status_label}"]
        if tip.place_name:
            lines.append(f"{_l('Place')}: {tip.place_name}")
        if tip.uncertainty_m:
            lines.append(str(_l("Within about %(metres)s m", metres=tip.uncertainty_m)))
        # The field sheet's facts: what was written, then the numbers (how they know is not needed there).
        for fact in (*(f for f in tip_facts.ON_FIELD_SHEET if f.is_text),
                     *(f for f in tip_facts.ON_FIELD_SHEET if f.kind == "number")):
            value = tip.facts[fact.key]
            if value is not None and value != "":
                lines.append(f"{fact.label}: {value}")
        if tip.contact is not None:
            for key, label in (("name", _l("Name")), ("phone", _l("Phone")), ("email", _l("E-mail")),
                               ("messaging", _l("Zalo, Telegram or Facebook"))):
                value = getattr(tip.contact, key)
                if value:
                    lines.append(f"{label}: {value}")
    return "\n".join(lines)


def to_gpx(tips: Sequence[ExportedTip], locale: str, include_contact: bool = False) -> bytes:
    """GPX 1.1: one waypoint per tip with coordinates (tips without them cannot be waypoints)."""
    ET.register_namespace("", GPX_NAMESPACE)

    def tag(name: str) -> str:
        return f"{{{GPX_NAMESPACE}}}{name}"

    root = ET.Element(tag("gpx"), {"version": "1.1", "creator": "Friendship Portal"})
    metadata = ET.SubElement(root, tag("metadata"))
    ET.SubElement(metadata, tag("name")).text = "Friendship Portal"
    ET.SubElement(metadata, tag("time")).text = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    for tip in tips:
        if not tip.has_location:
            continue
        point = ET.SubElement(root, tag("wpt"), {"lat": f"{tip.latitude:.6f}", "lon": f"{tip.longitude:.6f}"})
        ET.SubElement(point, tag("name")).text = _xml_text(waypoint_name(tip))
        ET.SubElement(point, tag("desc")).text = _xml_text(description(tip, locale))
        ET.SubElement(point, tag("type")).text = _xml_text(tip.status_label)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8",
                                                                    xml_declaration=False)


_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_text(text: str) -> str:
    """ElementTree escapes markup but writes control characters XML forbids; drop them."""
    return _XML_INVALID.sub("", text)


def qr_data_uri(text: str) -> str:
    """A QR code of ``text`` (a ``geo:`` URI, a page's address) as a base64 SVG data URI (an <img>:
    the strict CSP allows it)."""
    buffer = io.BytesIO()
    segno.make(text, error="m").save(buffer, kind="svg", scale=4, border=4, xmldecl=False,
                                         dark="#000", light="#fff")
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


# --- The formats: one entry each ----------------------------------------------------------------

Serialiser = Callable[[Sequence[ExportedTip], str, bool], bytes]


@dataclass(frozen=True)
class Format:
    """Everything the portal knows about one export format, in one place.

    The export form offers ``label`` under ``key`` (``key`` is also what the audit log records), the
    download is ``serialise(tips, locale, include_contact)`` sent as ``media_type`` in a file named
    ``….extension``, and ``portal.assets`` compresses ``media_type``. ``serialise`` is None for
    field sheets, which are a page rendered for printing, not a file.
    """

    key: str
    label: LazyString | str
    extension: str
    media_type: str
    serialise: Serialiser | None = None
    max_tips: int | None = None  # a lower cap than MAX_EXPORT on the tips in one export


SHEETS = Format(key="sheets", label=_l("Field sheets to print (at most %(count)s tips)", count=MAX_SHEETS),
                extension="html", media_type="text/html; charset=utf-8", max_tips=MAX_SHEETS)

# In the order the export form offers them; the first is the form's default.
FORMATS: dict[str, Format] = {fmt.key: fmt for fmt in (
    Format(key="csv", label=_l("Spreadsheet (CSV, for Excel or LibreOffice)"), extension="csv",
           media_type="text/csv; charset=utf-8", serialise=to_csv),
    Format(key="geojson", label=_l("Map layer (GeoJSON, for QGIS and web maps)"), extension="geojson",
           media_type="application/geo+json", serialise=to_geojson),
    Format(key="gpx", label=_l("GPS waypoints (GPX, for GPS units and phone map apps)"), extension="gpx",
           media_type="application/gpx+xml", serialise=to_gpx),
    SHEETS,
)}


def export_format(key: str | None) -> Format:
    """The format with this key; an unknown key is an error, never a fallback."""
    try:
        return FORMATS[key or ""]
    except KeyError:
        raise UnknownFormat(key) from None


def filename(fmt: Format, now: datetime | None = None, tip_id: int | None = None) -> str:
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%d-%H%M")
    subject = f"tip-{tip_id}" if tip_id is not None else "tips"
    return f"friendship-portal-{subject}-{stamp}.{fmt.extension}"


# --- The audit log --------------------------------------------------------------------------------


def record_export(session: Session, actor: StaffUser, fmt: Format, tips: Sequence[ExportedTip], *,
                  language: str, include_contact: bool, filters: dict[str, Any] | None = None,
                  capped: bool = False) -> None:
    """One audit entry per export: ``tip.exported`` for one tip's field sheet, else ``tips.exported``
    — and, when contact details went out, a ``tip.exported`` entry for each tip too, naming the export.

    Records the format, the count, the tips' numbers, the filters and whether contact details were
    included — never the contact details. Opens its own write transaction: the audit entries are
    committed before the export is handed out.
    """
    with write_transaction(session):
        detail: dict[str, Any] = {"format": fmt.key, "count": len(tips), "include_contact": include_contact,
                                  "language": language}
        if filters is not None:
            detail["filters"] = filters
        if capped:
            detail["capped"] = True
        if filters is None and len(tips) == 1:
            record(session, "tip.exported", actor_id=actor.id, actor_name=actor.username, tip_id=tips[0].id,
                   subject=f"tip:{tips[0].id}", **detail)
            return
        detail["tip_ids"] = [tip.id for tip in tips]
        summary = record(session, "tips.exported", actor_id=actor.id, actor_name=actor.username,
                         subject=f"export:{fmt.key}", **detail)
        if not include_contact:
            return
        session.flush()  # the summary's id, for each tip's entry to name
        for tip in tips:
            record(session, "tip.exported", actor_id=actor.id, actor_name=actor.username, tip_id=tip.id,
                   subject=f"tip:{tip.id}", created_at=summary.created_at, format=fmt.key, include_contact=True,
                   language=language, export=summary.id)
