"""The words of the printed form, in Khmer with Vietnamese or English beside them.

The questions are the online form's own labels (``portal.tips.forms.TipForm``), so the paper form
asks what the website asks, in the same words; what only paper needs (the drawing box, the tear-off
stub, how to follow up) is declared here.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from portal.i18n import localise_digits
from portal.tips.forms import HOW_KNOWN_CHOICES, TipForm

PRINTED_FIRST = "km"  # every form is in Khmer first: it is read in Cambodian villages


def question(field_name: str) -> LazyString:
    """The online form's label of a field, read from its declaration."""
    unbound = getattr(TipForm, field_name)
    label: LazyString = unbound.kwargs.get("label") or unbound.args[0]
    return label


TITLE = _l("Report a burial site")
INTRO = _l("If you know where Vietnamese soldiers or experts who died in Cambodia were buried, please write "
           "what you know. Answer only what you know: every question may be left empty except the one "
           "about what you saw or heard. Then give the form back where you received it.")
CODE_ON_FORM = _l("Receipt code of this form")
FORM_NUMBER = _l("Form %(serial)s of %(size)s · batch %(batch)s")
WHERE = _l("Where is the place?")
WHAT = _l("What do you know?")
ABOUT_YOU = _l("About you (you may leave this empty)")
DRAW = _l("Draw the way to the place: roads, rivers, a pagoda, a school, big trees, and how far they are.")
TICK_ONE = _l("Tick one box.")
WHO_SEES = _l("Only staff of the search committees read your name and phone number. You may leave them out.")
TEAR_HERE = _l("Tear here. The person who fills in the form keeps the part below.")
KEEP_THIS = _l("Keep this part: it is your receipt.")
YOUR_CODE = _l("Your receipt code")
FOLLOW_UP = _l("To follow up your report, scan the square code with a phone, or open %(address)s, and type "
               "your receipt code. You will see what became of your report and messages from the staff.")
ASK_THE_POINT = _l("No phone or internet? Ask %(point)s to look it up for you.")
CALL = _l("Or call %(phone)s and read out your code.")

# The online form's questions, in the order the paper asks them (name, lines to write on).
WHERE_QUESTIONS = (("province", 1), ("district", 1), ("commune", 1), ("village", 1), ("local_name", 1),
                   ("place_description", 2))
WHAT_QUESTIONS = (("what_seen", 3), ("period", 1), ("estimated_graves", 1), ("fallen_names", 1),
                  ("fallen_unit", 1), ("fallen_hometown", 1))
ABOUT_QUESTIONS = (("contact_name", 1), ("contact_phone", 1))


@dataclass(frozen=True)
class Both:
    """One text in Khmer and in the second language."""

    first: str
    second: str


def in_both(text: LazyString | str, second_language: str, **values: object) -> Both:
    def one(locale: str) -> str:
        with force_locale(locale):
            numbers = {key: localise_digits(value, locale) if isinstance(value, int) else value
                       for key, value in values.items()}
            return str(text) % numbers if values else str(text)

    return Both(one(PRINTED_FIRST), one(second_language))


def how_known_choices(second_language: str) -> list[Both]:
    return [in_both(choice.label, second_language) for choice in HOW_KNOWN_CHOICES]
