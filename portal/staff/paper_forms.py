"""Forms of the paper channel: distribution points, batches of forms, and keying a form in."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Self

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField, ValidationError
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from portal.forms import PortalForm
from portal.i18n import LANGUAGE_NAMES_IN_SENTENCES
from portal.models.paper import MAX_BATCH_SIZE, DistributionPoint, PointKind
from portal.models.tip import MAX_SHORT, TipChannel
from portal.services import receipts
from portal.services.paper import SECOND_LANGUAGES, PointInput
from portal.services.tips import TipInput
from portal.staff.review_forms import REQUIRED, StaffTipForm
from portal.tips.forms import PlaceForm

POINT_KIND_LABELS = {
    PointKind.COMMUNE_OFFICE: _l("Commune office"),
    PointKind.PAGODA: _l("Pagoda"),
    PointKind.SCHOOL: _l("School"),
    PointKind.VETERANS: _l("Veterans' association"),
    PointKind.PROVINCIAL_COMMITTEE: _l("Provincial committee"),
    PointKind.OTHER: _l("Other"),
}


# What staff are told about a code typed from a form (portal.services.paper.CodeRefused).
CODE_PROBLEMS = {
    "empty": _l("Type the code printed on the form, or tick the box below if it cannot be read."),
    "length": _l("A receipt code has 16 letters and numbers, in four groups of four. Please check it on the form."),
    "characters": _l("Receipt codes never contain these characters: %(chars)s. Please check the code on the form."),
    "checksum": _l("This code has a typing mistake: one character is wrong, or two are swapped. Please compare "
                   "it with the form, character by character."),
    "unknown": _l("No printed form has this code. Please check it on the form; if it still does not match, "
                  "tick the box below and give the form a new code."),
    "voided": _l("This code belongs to a batch of forms that was voided (lost or stolen), so it cannot be used. "
                 "If the form is genuine, tick the box below to give it a new code."),
    "used": _l("A form with this code was already keyed in, as tip #%(tip)s. A code keys in only once."),
}


class PointForm(PlaceForm):
    """A distribution point: what it is, where, and whom staff call there (staff only)."""

    name = StringField(_l("Name of the place"), validators=[DataRequired(REQUIRED), Length(max=MAX_SHORT)])
    kind = SelectField(_l("What kind of place"), validators=[DataRequired(REQUIRED)],
                       choices=[SelectChoice(kind.value, POINT_KIND_LABELS[kind]) for kind in PointKind])
    contact_name = StringField(_l("Contact person"), validators=[Optional(), Length(max=MAX_SHORT)])
    contact_phone = StringField(_l("Contact person's phone"), validators=[Optional(), Length(max=60)])
    notes = TextAreaField(_l("Notes for staff"), validators=[Optional(), Length(max=2000)])

    @classmethod
    def for_point(cls, locale: str, point: DistributionPoint | None, *, posted: bool) -> Self:
        """The form as sent, or filled from ``point`` (or empty) on a GET; places for ``locale``."""
        if posted:
            form = cls()
        elif point is None:
            form = cls(formdata=None)
        else:
            form = cls(formdata=None, obj=point, province=point.province_code, district=point.district_code,
                       commune=point.commune_code, village=point.village_code)
        form.prepare(locale)
        return form

    def validate_province(self, field: Any) -> None:
        if not field.data:
            raise ValidationError(_l("Please choose the province."))
        super().validate_province(field)

    def to_input(self) -> PointInput:
        return PointInput(
            name=self.name.data or "", kind=PointKind(self.kind.data), province_code=self.province.data or "",
            district_code=self.district.data or None, commune_code=self.commune.data or None,
            village_code=self.village.data or None, contact_name=self.contact_name.data or "",
            contact_phone=self.contact_phone.data or "", notes=self.notes.data or "")


class BatchForm(PortalForm):
    size = IntegerField(_l("How many forms"), default=20,
                        validators=[DataRequired(REQUIRED), NumberRange(min=1, max=MAX_BATCH_SIZE)])
    second_language = SelectField(_l("Printed beside Khmer"), default="vi",
                                  choices=[SelectChoice(code, LANGUAGE_NAMES_IN_SENTENCES[code])
                                           for code in SECOND_LANGUAGES],
                                  validators=[DataRequired(REQUIRED)])


class VoidForm(PortalForm):
    reason = StringField(_l("Why (lost, stolen, …)"), validators=[DataRequired(REQUIRED), Length(max=MAX_SHORT)])


class ReturnedForm(PortalForm):
    returned = IntegerField(_l("Forms that came back"),
                            validators=[InputRequired(REQUIRED), NumberRange(min=0, max=MAX_BATCH_SIZE)])


class PaperTipForm(StaffTipForm):
    """A paper form typed in: the tip form's fields, the distribution point and the printed code."""

    point = SelectField(_l("Distribution point the form came from"), validate_choice=True,
                        validators=[DataRequired(_l("Please choose the distribution point."))])
    printed_code = StringField(_l("Receipt code printed on the form"), validators=[Optional(), Length(max=60)])
    no_code = BooleanField(_l("The form has no readable code: give it a new one"))

    def set_points(self, points: list[DistributionPoint]) -> None:
        self.point.choices = [SelectChoice("", str(_l("Choose a distribution point"))),
                              *(SelectChoice(str(point.id), point.name) for point in points)]

    def validate_printed_code(self, field: Any) -> None:
        """Typing mistakes are found here, from the code alone; whether it exists, by the service."""
        if self.no_code.data:
            return
        try:
            receipts.normalise(field.data or "")
        except receipts.MalformedReceipt as exc:
            raise ValidationError(CODE_PROBLEMS[exc.reason] % {"chars": " ".join(exc.characters)}) from exc

    @property
    def typed_code(self) -> str | None:
        """The code to key the form in with, or None for a form without a readable one."""
        return None if self.no_code.data else (self.printed_code.data or "")

    def to_input(self, *args: Any, **kwargs: Any) -> TipInput:
        return replace(super().to_input(*args, **kwargs), channel=TipChannel.PAPER,
                       distribution_point_id=int(self.point.data))
