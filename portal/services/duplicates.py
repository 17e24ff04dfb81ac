"""Likely duplicates of a tip: the same place told twice, or the same graves told by two people.

Three kinds of evidence, each a reason a moderator can read:

- **place on the map**: the tips' circles of uncertainty overlap, or their points lie within
  ``DUPLICATE_RADIUS_M`` of each other (great-circle distance);
- **administrative place**: the same village, or commune, or (weaker) district;
- **words**: similar text after folding (``portal.i18n.fold``: Latin diacritics removed, Khmer without
  zero-width characters), with names of the fallen and units compared across spellings.

Candidates come from a few cheap indexed queries (same district, a latitude band around the point,
the newest tips of the same province), each capped, so a tip's page stays fast with 100,000 tips.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from difflib import SequenceMatcher
from functools import lru_cache
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from portal.i18n import ZERO_WIDTH
from portal.models.tip import Tip, TipStatus

EARTH_RADIUS_M = 6_371_008.8
# A point given without a radius is taken to be known to within this much.
DEFAULT_UNCERTAINTY_M = 200
# Each candidate query returns at most this many rows (newest first).
CANDIDATES_PER_QUERY = 300
MAX_RESULTS = 10
# Text below this similarity is noise (tips from one area share words like "grave" and "pagoda").
TEXT_THRESHOLD = 0.45
# A candidate must reach this score to be shown.
MIN_SCORE = 0.2

WEIGHT_PLACE = 0.45
WEIGHT_VILLAGE, WEIGHT_COMMUNE, WEIGHT_DISTRICT = 0.35, 0.25, 0.1
WEIGHT_TEXT = 0.45

# Two spellings of one name (or unit) are at least this alike (difflib ratio, folded, spaces gone).
NAME_MATCH = 0.9

_LATIN_MARKS = re.compile(r"(?<=[A-Za-z])[\u0300-\u036f]+")
_NAME_SEPARATORS = re.compile(r"[,;/\n]|\s(?:va|and|និង)\s")
_DIGITS = re.compile(r"\d+")


@dataclass(frozen=True)
class Reason:
    """Why a tip looks like a duplicate. ``code`` is one of: ``overlap`` (circles overlap; value: metres
    apart), ``near`` (value: metres apart), ``village``, ``commune``, ``district``, ``names``, ``unit``,
    ``text`` (value: similarity 0–1)."""

    code: str
    value: float | None = None


@dataclass(frozen=True)
class Candidate:
    tip_id: int
    status: TipStatus
    created_at: datetime
    place_code: str | None
    summary: str
    duplicate_of_id: int | None
    score: float
    reasons: tuple[Reason, ...] = field(default_factory=tuple)
    distance_m: float | None = None
    # The site the candidate tells about: the tip page proposes attaching to it (issue #18).
    site_id: int | None = None


@dataclass(frozen=True)
class _Facts:
    """The parts of a tip that duplicates are judged on (loaded without photos or contact details)."""

    id: int
    status: TipStatus
    created_at: datetime
    province_code: str | None
    district_code: str | None
    commune_code: str | None
    village_code: str | None
    latitude: float | None
    longitude: float | None
    uncertainty_m: int | None
    duplicate_of_id: int | None
    site_id: int | None
    text: str
    names: str
    unit: str
    summary: str
    grams: frozenset[str]


_COLUMNS = (Tip.id, Tip.status, Tip.created_at, Tip.province_code, Tip.district_code, Tip.commune_code,
            Tip.village_code, Tip.latitude, Tip.longitude, Tip.uncertainty_m, Tip.duplicate_of_id, Tip.site_id,
            Tip.place_description, Tip.local_name, Tip.what_seen, Tip.fallen_names, Tip.fallen_unit)


def _facts(row: Row[Any] | Tip) -> _Facts:
    text = fast_fold(" ".join(part for part in (row.local_name, row.place_description, row.what_seen) if part))
    summary = (row.place_description or row.what_seen or "").replace("\n", " ")[:160]
    return _Facts(
        id=row.id, status=row.status, created_at=row.created_at, province_code=row.province_code,
        district_code=row.district_code, commune_code=row.commune_code, village_code=row.village_code,
        latitude=row.latitude, longitude=row.longitude, uncertainty_m=row.uncertainty_m,
        duplicate_of_id=row.duplicate_of_id, site_id=row.site_id, text=text, names=fast_fold(row.fallen_names),
        unit=fast_fold(row.fallen_unit), summary=summary, grams=frozenset(_trigrams(text)),
    )


def fast_fold(text: str | None) -> str:
    """:func:`portal.i18n.fold` in a few C-speed steps (it runs on hundreds of candidates a page):
    zero-width marks gone, ``đ``→``d``, combining marks after Latin letters removed, case folded.
    Khmer signs are not in U+0300–U+036F, so Khmer words stay whole."""
    if not text:
        return ""
    text = text.translate(ZERO_WIDTH).replace("đ", "d").replace("Đ", "D")
    if not text.isascii():
        text = unicodedata.normalize("NFC", _LATIN_MARKS.sub("", unicodedata.normalize("NFD", text)))
    return " ".join(text.casefold().split())


# --- Measures -------------------------------------------------------------------------------------


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


@lru_cache(maxsize=1)
def _separators() -> dict[int, str]:
    """Punctuation, symbols and spaces → a space. (``\\w`` would also split Khmer at its vowel signs.)"""
    return {code: " " for code in range(0x10000)
            if unicodedata.category(chr(code))[0] in "PSZ" or chr(code) in "\t\n\r"}


def _words(folded: str) -> list[str]:
    return folded.translate(_separators()).split()


def _trigrams(folded: str) -> set[str]:
    padded = f" {' '.join(_words(folded))} "
    return {padded[i:i + 3] for i in range(len(padded) - 2)} if len(padded) > 2 else set()


def _dice(grams_a: frozenset[str] | set[str], grams_b: frozenset[str] | set[str]) -> float:
    if not grams_a or not grams_b:
        return 0.0
    return 2 * len(grams_a & grams_b) / (len(grams_a) + len(grams_b))


def text_similarity(a: str, b: str) -> float:
    """Similarity 0–1 of two folded texts: the Dice coefficient of their word trigrams.

    Trigrams forgive spelling variants, word order and Khmer's missing spaces; folding has already
    made "mộ liệt sĩ" and "mo liet si" the same words.
    """
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    return _dice(_trigrams(a), _trigrams(b))


def _squeezed(folded: str) -> str:
    """Spaces and punctuation gone: ``E 5 / F-330`` and ``e5 f330`` become the same key."""
    return "".join(_words(folded))


@lru_cache(maxsize=4096)
def _name_keys(folded: str) -> tuple[str, ...]:
    """Each name of a list ("Nguyễn Văn An, Lê Văn Bình và …") as its words, sorted and joined."""
    names = _NAME_SEPARATORS.split(folded)
    return tuple(key for key in ("".join(sorted(_words(name))) for name in names) if key)


@lru_cache(maxsize=16384)
def _alike(a: str, b: str) -> bool:
    """Two spellings of one name: equal, or at least NAME_MATCH alike (cheap upper bounds first)."""
    if a == b:
        return True
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    return (matcher.real_quick_ratio() >= NAME_MATCH and matcher.quick_ratio() >= NAME_MATCH
            and matcher.ratio() >= NAME_MATCH)


def name_similarity(a: str, b: str) -> float:
    """The share of the shorter list's names that the other list holds too, spelt alike (folded, any
    word order, a letter or so apart). "Nguyễn Văn An" and "Nguyễn Văn Bình" are two people: 0."""
    keys_a, keys_b = _name_keys(a), _name_keys(b)
    if not keys_a or not keys_b:
        return 0.0
    shorter, longer = sorted((keys_a, keys_b), key=len)
    matched = sum(1 for key in shorter if any(_alike(key, other) for other in longer))
    return matched / len(shorter)


def unit_similarity(a: str, b: str) -> float:
    """Units are told apart by their numbers: "Trung đoàn 2" is not "Trung đoàn 3"."""
    key_a, key_b = _squeezed(a), _squeezed(b)
    if not key_a or not key_b:
        return 0.0
    if key_a == key_b:
        return 1.0
    if _DIGITS.findall(key_a) != _DIGITS.findall(key_b):
        return 0.0
    ratio = SequenceMatcher(None, key_a, key_b, autojunk=False).ratio()
    return ratio if ratio >= NAME_MATCH else 0.0


# --- Scoring --------------------------------------------------------------------------------------


def _place_score(tip: _Facts, other: _Facts, radius_m: int) -> tuple[float, Reason | None, float | None]:
    if None in (tip.latitude, tip.longitude, other.latitude, other.longitude):
        return 0.0, None, None
    distance = haversine_m(tip.latitude, tip.longitude, other.latitude, other.longitude)  # type: ignore[arg-type]
    reach_a = tip.uncertainty_m or DEFAULT_UNCERTAINTY_M
    reach_b = other.uncertainty_m or DEFAULT_UNCERTAINTY_M
    reach = max(float(radius_m), float(reach_a + reach_b))
    if distance > reach:
        return 0.0, None, distance
    reason = Reason("overlap" if distance <= reach_a + reach_b else "near", round(distance))
    return WEIGHT_PLACE * (1.0 - 0.5 * distance / reach), reason, distance


def _admin_score(tip: _Facts, other: _Facts) -> tuple[float, Reason | None]:
    if tip.village_code and tip.village_code == other.village_code:
        return WEIGHT_VILLAGE, Reason("village")
    if tip.commune_code and tip.commune_code == other.commune_code:
        return WEIGHT_COMMUNE, Reason("commune")
    if tip.district_code and tip.district_code == other.district_code:
        return WEIGHT_DISTRICT, Reason("district")
    return 0.0, None


def _text_score(tip: _Facts, other: _Facts) -> tuple[float, list[Reason]]:
    reasons: list[Reason] = []
    best = 0.0
    for code, similarity in (("names", name_similarity(tip.names, other.names)),
                             ("unit", unit_similarity(tip.unit, other.unit)),
                             ("text", 1.0 if tip.text and tip.text == other.text else _dice(tip.grams, other.grams))):
        if similarity >= TEXT_THRESHOLD:
            reasons.append(Reason(code, round(similarity, 2)))
            best = max(best, similarity)
    return WEIGHT_TEXT * best, reasons


def score(tip: _Facts, other: _Facts, radius_m: int) -> Candidate:
    place, place_reason, distance = _place_score(tip, other, radius_m)
    admin, admin_reason = _admin_score(tip, other)
    words, word_reasons = _text_score(tip, other)
    reasons = [r for r in (place_reason, admin_reason) if r is not None] + word_reasons
    return Candidate(
        tip_id=other.id, status=other.status, created_at=other.created_at,
        place_code=other.village_code or other.commune_code or other.district_code or other.province_code,
        summary=other.summary, duplicate_of_id=other.duplicate_of_id,
        score=round(place + admin + words, 3), reasons=tuple(reasons), distance_m=distance, site_id=other.site_id,
    )


# --- Candidates -----------------------------------------------------------------------------------


def _candidate_rows(session: Session, tip: _Facts, radius_m: int) -> Iterable[Any]:
    """A few capped queries, each walking an index; together at most 3 × CANDIDATES_PER_QUERY rows."""
    newest = (Tip.created_at.desc(), Tip.id.desc())
    queries = []
    if tip.district_code:
        queries.append(select(*_COLUMNS).where(Tip.district_code == tip.district_code))
    if tip.latitude is not None and tip.longitude is not None:
        reach = max(radius_m, 2 * max(tip.uncertainty_m or DEFAULT_UNCERTAINTY_M, 5000)) + 1000
        dlat = reach / 111_000
        dlon = reach / (111_000 * max(0.2, math.cos(math.radians(tip.latitude))))
        queries.append(select(*_COLUMNS).where(
            Tip.latitude.between(tip.latitude - dlat, tip.latitude + dlat),
            Tip.longitude.between(tip.longitude - dlon, tip.longitude + dlon)))
    if tip.province_code:
        queries.append(select(*_COLUMNS).where(Tip.province_code == tip.province_code))
    if not queries:
        queries.append(select(*_COLUMNS))
    for query in queries:
        yield from session.execute(query.where(Tip.id != tip.id).order_by(*newest).limit(CANDIDATES_PER_QUERY))


def likely_duplicates(session: Session, tip: Tip, radius_m: int, limit: int = MAX_RESULTS) -> list[Candidate]:
    """The tips most like ``tip``, best first, each with its reasons; tips with too little in common
    are left out."""
    facts = _facts(tip)
    seen: set[int] = set()
    found: list[Candidate] = []
    for row in _candidate_rows(session, facts, radius_m):
        if row.id in seen:
            continue
        seen.add(row.id)
        candidate = score(facts, _facts(row), radius_m)
        if candidate.score >= MIN_SCORE and candidate.reasons:
            found.append(candidate)
    found.sort(key=lambda c: (-c.score, c.distance_m if c.distance_m is not None else math.inf, -c.tip_id))
    return found[:limit]
