"""Input rules for the tip form and the follow-up page.

Every field has a length cap; every message is translated. The place is chosen level by level
(province → district → commune → village): each select offers only the children of the level
above, so no page ever lists all 14,576 villages.
"""

from __future__ import annotations

import re
from typing import Any, Self

from flask import request
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    FileField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from portal.forms import PortalForm, honeypot_field
from portal.geo import LATITUDE_RANGE, LONGITUDE_RANGE, PLACE_LEVELS, CoordinatesError, parse_coordinates, place_choices
from portal.i18n import LANGUAGE_NAMES, LOCALES, ascii_digits
from portal.models.tip import (
    MAX_DESCRIPTION,
    MAX_FALLEN_NAMES,
    MAX_MESSAGE,
    MAX_SHORT,
    MAX_WHAT_SEEN,
    HowKnown,
    LocationSource,
    TipChannel,
)
from portal.services.receipts import CODE_LENGTH
from portal.services.tips import TipInput, new_idempotency_key
from portal.tip_facts import CONTACT, TOLD

IDEMPOTENCY_KEY = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
UNCERTAINTY_CHOICES = (
    SelectChoice("", _l("I am not sure")),
    SelectChoice("50", _l("Within about 50 metres")),
    SelectChoice("200", _l("Within about 200 metres")),
    SelectChoice("1000", _l("Within about 1 kilometre")),
    SelectChoice("5000", _l("Within about 5 kilometres")),
)
UNCERTAINTY_VALUES = frozenset(choice.value for choice in UNCERTAINTY_CHOICES)
HOW_KNOWN_CHOICES = (
    SelectChoice("saw", _l("I saw it myself")),
    SelectChoice("told", _l("Someone told me")),
    SelectChoice("documents", _l("From letters, papers or other documents")),
)
HOW_KNOWN_VALUES = frozenset(choice.value for choice in HOW_KNOWN_CHOICES)
NEXT_STEP_LABELS = {
    "province": _l("Next: choose the district"),
    "district": _l("Next: choose the commune"),
    "commune": _l("Next: choose the village"),
}
MAX_GRAVES = 100_000


def max_length(limit: int) -> Length:
    return Length(max=limit, message=_l("Please shorten this to at most %(max)d characters."))


PLACE_PROMPTS = {
    "province": _l("Choose a province"),
    "district": _l("Choose a district (if you know it)"),
    "commune": _l("Choose a commune (if you know it)"),
    "village": _l("Choose a village (if you know it)"),
}


class PlaceForm(PortalForm):
    """A place chosen from the administrative data, level by level, without JavaScript: "Next"
    posts the form back with the next level's select (the tip forms, the distribution points).
    ``prepare(locale)`` must be called before validating or rendering."""

    # Where
    province = SelectField(_l("Province"), choices=[], validate_choice=False, validators=[max_length(2)])
    district = SelectField(_l("District"), choices=[], validate_choice=False, validators=[max_length(4)])
    commune = SelectField(_l("Commune"), choices=[], validate_choice=False, validators=[max_length(6)])
    village = SelectField(_l("Village"), choices=[], validate_choice=False, validators=[max_length(8)])

    # Set by prepare(): which place selects to show, and after which one the "next" button goes.
    shown_levels: tuple[str, ...] = ("province",)

    @property
    def is_place_step(self) -> bool:
        """The visitor pressed "Next" to choose the place's next level: show the form again, store nothing."""
        return request.method == "POST" and request.form.get("action") == "place"

    def prepare(self, locale: str) -> None:
        """Fill the place selects level by level; drop a level that no longer fits the one above."""
        parent: str | None = None
        shown = ["province"]
        for level in PLACE_LEVELS:
            select = getattr(self, level)
            if level != "province" and not parent:
                select.choices = [SelectChoice("", str(PLACE_PROMPTS[level]))]
                select.data = ""
                continue
            if level != "province":
                shown.append(level)
            options = place_choices(level, parent, locale)
            select.choices = [SelectChoice("", str(PLACE_PROMPTS[level])),
                              *(SelectChoice(code, name) for code, name in options)]
            value = select.data or ""
            if value and value not in {code for code, _name in options}:
                if level == "province":
                    break  # not from the list at all: validate_province says so
                # The level above was changed without "Next": this choice no longer fits it.
                select.data = value = ""
            parent = value or None
        self.shown_levels = tuple(level for level in shown if len(getattr(self, level).choices) > 1)

    def page_context(self, *, step: bool = False) -> dict[str, Any]:
        """What the form's template needs besides the form (public and staff pages alike): the
        place levels, the "Next" labels, and after a place step the select to put the visitor on
        (the one that just appeared)."""
        focus = None
        if step:
            focus = next((level for level in reversed(self.shown_levels) if not getattr(self, level).data),
                         self.shown_levels[-1])
        return {"form": self, "focus": focus, "next_labels": NEXT_STEP_LABELS, "levels": PLACE_LEVELS}

    def validate_province(self, field: Any) -> None:
        self._validate_place(field, "province")

    def validate_district(self, field: Any) -> None:
        self._validate_place(field, "district")

    def validate_commune(self, field: Any) -> None:
        self._validate_place(field, "commune")

    def validate_village(self, field: Any) -> None:
        self._validate_place(field, "village")

    def _validate_place(self, field: Any, level: str) -> None:
        if field.data and field.data not in {choice.value for choice in field.choices if choice.value}:
            raise ValidationError(_l("Please choose this again from the list."))



class TipForm(PlaceForm):
    """The tip form. ``prepare(locale)`` must be called before validating or rendering."""

    # Hidden fields are checked by their validate_* methods, which correct rather than complain:
    # an error on a field nobody can see would help no one.
    submission_id = HiddenField()

    # Where (the place selects come from PlaceForm)
    place_description = TextAreaField(_l("Describe the place"), validators=[max_length(MAX_DESCRIPTION)])
    local_name = StringField(_l("Old or local name of the place"), validators=[max_length(MAX_SHORT)])
    coordinates = StringField(_l("Coordinates (if you have them)"), validators=[max_length(100)])
    location_source = HiddenField(default="typed")
    uncertainty = SelectField(_l("How exact is this place?"), choices=UNCERTAINTY_CHOICES, default="",
                              validate_choice=False, validators=[max_length(5)])

    # What
    what_seen = TextAreaField(
        _l("What did you see or hear?"),
        validators=[DataRequired(message=_l("Please tell us what you saw or heard, in your own words.")),
                    max_length(MAX_WHAT_SEEN)])
    how_known = RadioField(_l("How do you know?"), choices=HOW_KNOWN_CHOICES, validate_choice=False,
                           validators=[Optional(), max_length(12)])
    period = StringField(_l("When was it?"), validators=[max_length(MAX_SHORT)])
    estimated_graves = StringField(_l("About how many graves?"), validators=[max_length(40)])
    fallen_names = TextAreaField(_l("Names of the fallen, if known"), validators=[max_length(MAX_FALLEN_NAMES)])
    fallen_unit = StringField(_l("Their unit"), validators=[max_length(300)])
    fallen_hometown = StringField(_l("Their home town or province in Việt Nam"), validators=[max_length(300)])

    # Contact
    anonymous = BooleanField(_l("I want to stay anonymous"))
    contact_name = StringField(_l("Your name"), validators=[max_length(MAX_SHORT)])
    contact_phone = StringField(_l("Phone number"), validators=[max_length(60)])
    contact_email = StringField(_l("E-mail address"), validators=[max_length(254)])
    contact_messaging = StringField(_l("Zalo, Telegram or Facebook name or number"),
                                    validators=[max_length(MAX_SHORT)])
    contact_language = SelectField(_l("Language we should use"), choices=[], validate_choice=False,
                                   validators=[max_length(5)])

    # On behalf of someone
    on_behalf = BooleanField(_l("I am sending this for someone else"))
    on_behalf_relationship = StringField(_l("Who are you to them?"), validators=[max_length(MAX_SHORT)])

    consent = BooleanField(_l("I agree that staff of the search committees may keep and use my contact "
                              "details to ask about this report."))
    website = honeypot_field()

    @classmethod
    def from_request(cls, locale: str) -> Self:
        """The one way in for every tip form (the public one and the staff one): what was sent, or an
        empty form on a GET; places filled for ``locale``; a submission id that makes a resent form
        one tip."""
        form = cls() if request.method == "POST" else cls(formdata=None)
        form.prepare(locale)
        if not form.submission_id.data:
            form.submission_id.data = new_idempotency_key()
        return form

    def prepare(self, locale: str) -> None:
        super().prepare(locale)
        self.contact_language.choices = [
            SelectChoice("", str(_l("The language of this page"))),
            *(SelectChoice(code, LANGUAGE_NAMES[code], render_kw={"lang": code}) for code in LOCALES)]

    # Parsed values, set by validation.
    parsed_coordinates: tuple[float, float] | None = None
    parsed_graves: int | None = None

    def validate_coordinates(self, field: Any) -> None:
        self.parsed_coordinates = None
        if not field.data:
            return
        try:
            self.parsed_coordinates = parse_coordinates(field.data)
        except CoordinatesError as exc:
            if exc.reason == "outside":
                raise ValidationError(_l(
                    "These coordinates are not in or near Cambodia (latitude %(lat)s, longitude %(lon)s). "
                    "Please check them, or leave this empty.",
                    lat="{:g}–{:g}".format(*LATITUDE_RANGE), lon="{:g}–{:g}".format(*LONGITUDE_RANGE))) from exc
            raise ValidationError(_l(
                "We could not read these coordinates. Write them like 11.5564, 104.9282 or "
                "11°33'23\"N 104°55'41\"E — or leave this empty.")) from exc

    def validate_uncertainty(self, field: Any) -> None:
        if field.data not in UNCERTAINTY_VALUES:
            raise ValidationError(_l("Please choose one of the options."))

    def validate_how_known(self, field: Any) -> None:
        if field.data and field.data not in HOW_KNOWN_VALUES:
            raise ValidationError(_l("Please choose one of the options."))

    def validate_estimated_graves(self, field: Any) -> None:
        """One number, Latin or Khmer digits, words around it allowed ("about 10", "ប្រហែល ១០")."""
        self.parsed_graves = None
        numbers = re.findall(r"\d+", ascii_digits(field.data or ""))
        if not field.data:
            return
        # A number longer than MAX_GRAVES is refused before int(), which refuses 4,300+ digits itself.
        if len(numbers) != 1 or len(numbers[0].lstrip("0")) > len(str(MAX_GRAVES)) \
                or not 0 < int(numbers[0]) <= MAX_GRAVES:
            raise ValidationError(_l("Please write one number, your best guess, for example 3 — or leave "
                                     "this empty."))
        self.parsed_graves = int(numbers[0])

    def validate_place_description(self, field: Any) -> None:
        if not (field.data or self.province.data or self.coordinates.data):
            raise ValidationError(_l(
                "Please tell us where: choose a province, describe the place, or give coordinates."))

    def validate_contact_email(self, field: Any) -> None:
        if field.data and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", field.data):
            raise ValidationError(_l("This does not look like an e-mail address. Please check it."))

    def validate_contact_phone(self, field: Any) -> None:
        if not field.data:
            return
        field.data = ascii_digits(field.data)
        digits = re.sub(r"\D", "", field.data)
        if not re.fullmatch(r"[0-9+()\-\s./]+", field.data) or not 6 <= len(digits) <= 20:
            raise ValidationError(_l("Please write the phone number with digits only, for example "
                                     "+855 12 345 678."))

    def validate_contact_language(self, field: Any) -> None:
        if field.data and field.data not in LOCALES:
            raise ValidationError(_l("Please choose one of the options."))

    @property
    def has_contact(self) -> bool:
        return any(self[fact.key].data for fact in CONTACT)

    def validate_anonymous(self, field: Any) -> None:
        if field.data and self.has_contact:
            raise ValidationError(_l(
                "You chose to stay anonymous but also gave contact details. Please remove the "
                "details, or untick “I want to stay anonymous”."))

    def validate_consent(self, field: Any) -> None:
        if self.has_contact and not field.data and not self.anonymous.data:
            raise ValidationError(_l(
                "To keep your contact details we need your agreement: please tick this box, or remove "
                "the details to stay anonymous."))

    def validate_submission_id(self, field: Any) -> None:
        if field.data and not IDEMPOTENCY_KEY.match(field.data):
            field.data = ""

    def validate_location_source(self, field: Any) -> None:
        if field.data not in ("typed", "device"):
            field.data = "typed"

    def to_input(self, locale: str, channel: TipChannel = TipChannel.WEB) -> TipInput:
        """What the validated form says, as the submission service takes it."""
        latitude = longitude = None
        if self.parsed_coordinates:
            latitude, longitude = self.parsed_coordinates
        source = LocationSource.DEVICE if self.location_source.data == "device" else LocationSource.TYPED
        anonymous = bool(self.anonymous.data)
        return TipInput(
            language=locale, channel=channel,
            # Every written fact (portal.tip_facts) has the field of its key; these two are parsed.
            facts={**{fact.key: self[fact.key].data or "" for fact in TOLD if fact.is_text},
                   **{fact.key: None if anonymous else self[fact.key].data or None for fact in CONTACT},
                   "how_known": HowKnown(self.how_known.data) if self.how_known.data else None,
                   "estimated_graves": self.parsed_graves},
            province_code=self.province.data or None, district_code=self.district.data or None,
            commune_code=self.commune.data or None, village_code=self.village.data or None,
            latitude=latitude, longitude=longitude,
            uncertainty_m=int(self.uncertainty.data) if self.uncertainty.data else None,
            location_source=source if latitude is not None else None,
            on_behalf=bool(self.on_behalf.data),
            on_behalf_relationship=self.on_behalf_relationship.data or None,
            contact_language=self.contact_language.data or None,
            anonymous=anonymous, consent=bool(self.consent.data),
            idempotency_key=self.submission_id.data or None,
        )

    def honeypot_hit(self) -> bool:
        return bool(self.website.data)

    def has_content(self, *names: str) -> bool:
        """Whether any of the named fields holds something or has an error (to open its section)."""
        for name in names:
            field = getattr(self, name)
            if field.errors:
                return True
            data = field.data
            if isinstance(data, list):
                data = [item for item in data if getattr(item, "filename", None)]
            if data:
                return True
        return False


class LookupForm(PortalForm):
    """Enter a receipt code to see a report's status."""

    receipt = StringField(_l("Your receipt code"),
                          validators=[DataRequired(message=_l("Please enter your receipt code.")),
                                      max_length(CODE_LENGTH * 3)])
    website = honeypot_field()


class FollowUpForm(PortalForm):
    """A reply or more information on the status page (photos go through :class:`PhotoForm`).

    ``followup`` is a short-lived signed token (never the receipt) that says which report the
    page belongs to; when it has expired, the receipt code is asked for again and nothing typed
    is lost.
    """

    followup = HiddenField()
    receipt = StringField(_l("Your receipt code"), validators=[max_length(CODE_LENGTH * 3)])
    body = TextAreaField(_l("Your message or more information"),
                         validators=[DataRequired(message=_l("Please write your message before sending.")),
                                     max_length(MAX_MESSAGE)])
    website = honeypot_field()


class PhotoForm(PortalForm):
    """One photo for a report that is already stored: from the receipt page or the status page.

    Photos travel one at a time, after the written report, so that a large photo on a slow link
    never costs the report. ``followup`` is the same short-lived signed token as the reply's.
    """

    followup = HiddenField()
    photo = FileField(_l("Photo of the place"))
    use_photo_location = BooleanField(_l("Use the location stored in this photo for my report"))

    def validate_photo(self, field: Any) -> None:
        if not getattr(field.data, "filename", None):
            raise ValidationError(_l("Please choose a photo to send."))
