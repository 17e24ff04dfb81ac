"""What a tipster tells us, declared once: each fact of a tip with its words and where it goes.

The tip input (``portal.services.tips.TipInput``), the stored tip, staff search, redaction, the
audit log's words, the exports (CSV and GeoJSON columns, GPX descriptions), the staff tip page and
the field sheets all read :data:`TIP_FACTS`; none of them lists the facts again. A new fact is one
entry here, its column in ``portal/models/tip.py`` (and a migration), and — the public form being
laid out by hand — its field in ``portal/tips/forms.py`` and its place in
``templates/tips/_tip_fields.html`` (docs/CONTRIBUTING.md, "Add a tip field").

What is not a fact here is worked out rather than told, or told together with something else:
the place's codes and coordinates (``portal.geo``), the "on behalf of someone" pair, the contact
language and the anonymous/consent choices.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from portal.labels import HOW_KNOWN_LABELS

Section = Literal["where", "what", "contact"]
# "text" is one line, "long_text" may hold several (shown with its line breaks); "choice" is one of
# ``labels``' keys and reads as its label; "number" is a whole number.
Kind = Literal["text", "long_text", "choice", "number"]
TEXT_KINDS = ("text", "long_text")


@dataclass(frozen=True)
class TipFact:
    """One thing a tipster tells us.

    ``label`` is how staff name it: on the tip page, the field sheet, the redaction question, the
    audit log and as the export's column header (the public form words its own question). The
    flags say where it goes; a contact detail (``contact``) is shown only on request, exported only
    when asked for, and cleared by retention.
    """

    key: str  # the Tip column and the TipInput keyword
    label: LazyString
    section: Section  # where on the staff tip page (and the field sheet) it is listed
    kind: Kind = "text"
    redactable: bool = False  # a moderator may remove it for good
    searchable: bool = False  # in the folded text staff search (never a contact detail)
    exported: bool = True  # a column of the CSV and GeoJSON exports
    on_field_sheet: bool = True  # on field sheets and in GPX waypoint descriptions
    first_on_sheet: bool = False  # a name the team asks for at the site: listed first there
    contact: bool = False
    labels: Mapping[Any, LazyString] | None = None  # a "choice"'s words

    @property
    def is_text(self) -> bool:
        return self.kind in TEXT_KINDS

    @property
    def empty(self) -> Any:
        """The value when the tipster said nothing: "" for told text, ``None`` for the rest."""
        return "" if self.is_text and not self.contact else None

    def stored(self, value: Any) -> Any:
        """``value`` as the tip stores it: a contact detail left empty is ``None``."""
        return (value or None) if self.contact else value

    def shown(self, value: Any) -> Any:
        """``value`` as staff and exports read it: a choice as its label, empty text as ""."""
        if self.kind == "choice":
            return str(self.labels[value]) if value and self.labels else ""
        if self.is_text:
            return value or ""
        return value


def _told(key: str, label: LazyString, section: Section, kind: Kind = "text", **flags: Any) -> TipFact:
    """Free text the tipster wrote: redactable and searchable unless said otherwise."""
    return TipFact(key, label, section, kind, **{"redactable": True, "searchable": True, **flags})


def _contact(key: str, label: LazyString) -> TipFact:
    return TipFact(key, label, "contact", redactable=True, contact=True, on_field_sheet=False)


# In the order of the export's columns and of the staff tip page's rows.
TIP_FACTS: tuple[TipFact, ...] = (
    _told("place_description", _l("Description of the place"), "where", "long_text"),
    _told("local_name", _l("Old or local name"), "where", first_on_sheet=True),
    _told("what_seen", _l("What they saw or heard"), "what", "long_text"),
    TipFact("how_known", _l("How they know"), "what", "choice", labels=HOW_KNOWN_LABELS),
    _told("period", _l("When"), "what"),
    TipFact("estimated_graves", _l("About how many graves"), "what", "number"),
    _told("fallen_names", _l("Names of the fallen"), "what", "long_text"),
    _told("fallen_unit", _l("Unit"), "what"),
    _told("fallen_hometown", _l("Home town"), "what"),
    _contact("contact_name", _l("Name")),
    _contact("contact_phone", _l("Phone")),
    _contact("contact_email", _l("E-mail")),
    _contact("contact_messaging", _l("Zalo, Telegram or Facebook")),
)
FACTS: dict[str, TipFact] = {fact.key: fact for fact in TIP_FACTS}

# What the tipster told about the place and what they know, as opposed to how to reach them.
TOLD = tuple(fact for fact in TIP_FACTS if not fact.contact)
CONTACT = tuple(fact for fact in TIP_FACTS if fact.contact)
REDACTABLE = tuple(fact for fact in TIP_FACTS if fact.redactable)
SEARCHABLE = tuple(fact for fact in TIP_FACTS if fact.searchable and not fact.contact)
# The staff tip page lists the told facts of each section; contact details have their own box.
STAFF_PAGE: dict[str, tuple[TipFact, ...]] = {
    section: tuple(fact for fact in TOLD if fact.section == section) for section in ("where", "what")}
# Field sheets (and GPX descriptions) list a name the team asks for first, then the declared order.
ON_FIELD_SHEET = tuple(sorted((fact for fact in TOLD if fact.on_field_sheet),
                              key=lambda fact: not fact.first_on_sheet))
FIELD_SHEET: dict[str, tuple[TipFact, ...]] = {
    section: tuple(fact for fact in ON_FIELD_SHEET if fact.section == section) for section in ("where", "what")}
