"""The inquiry form: what a family knows of a relative who fell in Cambodia, and how to reach them.

Today's province and commune are chosen without JavaScript: "Show the communes" posts the form back
with the province's communes, and "Find today's commune" reads the hometown as written on the
death notice (an old, district-era address) into today's province and commune for the family to
check. Every message is translated; every field has a length cap.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any, Self

from flask import request
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, ValidationError

from portal import geo, vn_places
from portal.forms import PortalForm, honeypot_field
from portal.i18n import LANGUAGE_NAMES, LOCALES, ascii_digits
from portal.models.inquiry import MAX_KNOWN, MAX_NAME, MAX_PLACE_TEXT, DnaSample
from portal.services.inquiries import InquiryInput
from portal.services.tips import new_idempotency_key
from portal.tips.forms import IDEMPOTENCY_KEY, TipForm, max_length

DNA_CHOICES = (
    SelectChoice(DnaSample.YES.value, _l("Yes, a relative has given a sample")),
    SelectChoice(DnaSample.NO.value, _l("No, not yet")),
    SelectChoice(DnaSample.UNSURE.value, _l("I do not know")),
)
EARLIEST_YEAR = 1900
# Steps that post the form back without storing anything.
STEPS = ("place", "convert")


class InquiryForm(PortalForm):
    """``from_request(locale)`` builds it, with its selects filled."""

    submission_id = HiddenField()

    fallen_name = StringField(
        _l("Full name of the fallen person"),
        validators=[DataRequired(message=_l("Please write the name of the person you are looking for.")),
                    max_length(MAX_NAME)])
    birth_year = StringField(_l("Year of birth"), validators=[max_length(20)])
    hometown_written = StringField(_l("Hometown, as written on the death notice"),
                                   validators=[max_length(MAX_PLACE_TEXT)])
    hometown_province = SelectField(_l("Province today"), choices=[], validate_choice=False,
                                    validators=[max_length(2)])
    hometown_commune = SelectField(_l("Commune or ward today"), choices=[], validate_choice=False,
                                   validators=[max_length(5)])
    unit = StringField(_l("Unit"), validators=[max_length(MAX_PLACE_TEXT)])
    death_date = StringField(_l("Date of death, as far as you know it"), validators=[max_length(MAX_NAME)])
    death_place = StringField(_l("Place of death, as written on the notice"), validators=[max_length(MAX_PLACE_TEXT)])
    death_province = SelectField(_l("Province in Cambodia, if known"), choices=[], validate_choice=False,
                                 validators=[max_length(2)])
    family_knows = TextAreaField(_l("What else does your family know?"), validators=[max_length(MAX_KNOWN)])
    dna_sample = RadioField(_l("Has a relative of the fallen person given a DNA sample?"), choices=DNA_CHOICES,
                            validate_choice=False, validators=[max_length(10)])

    relationship_to_fallen = StringField(_l("Who are you to the fallen person?"), validators=[max_length(MAX_NAME)])
    contact_name = StringField(_l("Your name"), validators=[max_length(MAX_NAME)])
    contact_phone = StringField(_l("Phone number"), validators=[max_length(60)])
    contact_email = StringField(_l("E-mail address"), validators=[max_length(254)])
    contact_language = SelectField(_l("Language we should use"), choices=[], validate_choice=False,
                                   validators=[max_length(5)])
    consent = BooleanField(_l("I agree that staff of the search committees may keep my contact details and "
                              "use them to write to me about this inquiry."))
    website = honeypot_field()

    # Set by validate_birth_year.
    parsed_birth_year: int | None = None

    @classmethod
    def from_request(cls, locale: str) -> Self:
        form = cls() if request.method == "POST" else cls(formdata=None)
        form.prepare(locale)
        if not form.submission_id.data or not IDEMPOTENCY_KEY.match(form.submission_id.data):
            form.submission_id.data = new_idempotency_key()
        return form

    @property
    def step(self) -> str | None:
        """The button pressed when it only fills the form in ("place", "convert"); None to send."""
        action = request.form.get("action") if request.method == "POST" else None
        return action if action in STEPS else None

    def prepare(self, locale: str) -> None:
        self.hometown_province.choices = [
            SelectChoice("", str(_l("Choose a province"))),
            *(SelectChoice(p.code, p.name, render_kw={"lang": "vi"}) for p in vn_places.provinces())]
        self.fill_communes()
        self.death_province.choices = [
            SelectChoice("", str(_l("I do not know"))),
            *(SelectChoice(p.code, p.name(locale)) for p in geo.provinces())]
        self.contact_language.choices = [
            SelectChoice("", str(_l("The language of this page"))),
            *(SelectChoice(code, LANGUAGE_NAMES[code], render_kw={"lang": code}) for code in LOCALES)]

    def fill_communes(self) -> None:
        province = self.hometown_province.data or ""
        communes = vn_places.communes(province) if vn_places.province(province) else ()
        self.hometown_commune.choices = [
            SelectChoice("", str(_l("Choose a commune (if you know it)"))),
            *(SelectChoice(c.code, c.name, render_kw={"lang": "vi"}) for c in communes)]
        if self.hometown_commune.data and self.hometown_commune.data not in {c.code for c in communes}:
            self.hometown_commune.data = ""  # the province was changed: the old commune no longer fits

    @property
    def communes_shown(self) -> bool:
        return len(self.hometown_commune.choices) > 1

    def convert_hometown(self) -> vn_places.Converted | None:
        """"Find today's commune": the written hometown read into today's province and commune."""
        converted = vn_places.convert_old_address(self.hometown_written.data or "")
        if converted is not None:
            self.hometown_province.data = converted.province_code
            self.hometown_commune.data = converted.commune_code or ""
            self.fill_communes()
        return converted

    def _in_choices(self, field: Any) -> None:
        if field.data and field.data not in {choice.value for choice in field.choices if choice.value}:
            raise ValidationError(_l("Please choose this again from the list."))

    validate_hometown_province = _in_choices
    validate_hometown_commune = _in_choices
    validate_death_province = _in_choices

    def validate_birth_year(self, field: Any) -> None:
        self.parsed_birth_year = None
        if not field.data:
            return
        digits = re.fullmatch(r"\s*(\d{4})\s*", ascii_digits(field.data))
        if digits is None or not EARLIEST_YEAR <= int(digits.group(1)) <= date.today().year:
            raise ValidationError(_l("Please write the year with four digits, for example 1958, or leave this "
                                     "empty."))
        self.parsed_birth_year = int(digits.group(1))

    def validate_dna_sample(self, field: Any) -> None:
        if field.data and field.data not in DnaSample._value2member_map_:
            raise ValidationError(_l("Please choose one of the options."))

    validate_contact_email = TipForm.validate_contact_email
    validate_contact_phone = TipForm.validate_contact_phone
    validate_contact_language = TipForm.validate_contact_language

    @property
    def has_contact(self) -> bool:
        return any(self[name].data for name in ("contact_name", "contact_phone", "contact_email"))

    def validate_consent(self, field: Any) -> None:
        if self.has_contact and not field.data:
            raise ValidationError(_l("To keep your contact details we need your agreement: please tick this box, "
                                     "or remove the details."))

    def to_input(self, locale: str) -> InquiryInput:
        return InquiryInput(
            language=locale, fallen_name=self.fallen_name.data or "", birth_year=self.parsed_birth_year,
            hometown_written=self.hometown_written.data or "",
            hometown_province_code=self.hometown_province.data or None,
            hometown_commune_code=self.hometown_commune.data or None,
            unit=self.unit.data or "", death_date=self.death_date.data or "", death_place=self.death_place.data or "",
            death_province_code=self.death_province.data or None, family_knows=self.family_knows.data or "",
            dna_sample=DnaSample(self.dna_sample.data) if self.dna_sample.data else None,
            relationship_to_fallen=self.relationship_to_fallen.data or None,
            contact_name=self.contact_name.data or None, contact_phone=self.contact_phone.data or None,
            contact_email=self.contact_email.data or None, contact_language=self.contact_language.data or None,
            idempotency_key=self.submission_id.data or None,
        )
