"""Forms of the export page and of a tip's field sheet."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from portal.forms import PortalForm
from portal.i18n import LANGUAGE_NAMES, LOCALES
from portal.services.exports import FORMATS, MAX_EXPORT, InvalidIds, parse_ids

INCLUDE_CONTACT_LABEL = _l("Include the tipsters' contact details (recorded in the audit log)")


def format_choices() -> list[SelectChoice]:
    """Every entry of ``portal.services.exports.FORMATS``, read when a form is made."""
    return [SelectChoice(fmt.key, fmt.label) for fmt in FORMATS.values()]


class ExportForm(PortalForm):
    # A key not in FORMATS fails the field's own check ("Not a valid choice."): the page comes back, 400.
    format = RadioField(_l("Format"), default=next(iter(FORMATS)), choices=format_choices,
                        validators=[InputRequired(_l("Please choose a format."))])
    language = SelectField(_l("Language of the file"),
                           choices=[SelectChoice(code, LANGUAGE_NAMES[code]) for code in LOCALES],
                           validators=[InputRequired()])
    ids = StringField(_l("Only these tip numbers (optional)"),
                      validators=[Optional(), Length(max=MAX_EXPORT * 8)])
    include_contact = BooleanField(INCLUDE_CONTACT_LABEL)

    def validate_ids(self, field: StringField) -> None:
        try:
            numbers = parse_ids(field.data)
        except InvalidIds as exc:
            raise ValidationError(_l("Write only tip numbers, separated by commas or spaces, for example "
                                     "12, 15, 40.")) from exc
        if len(numbers) > MAX_EXPORT:
            raise ValidationError(_l("At most %(count)s tips go into one file.", count=MAX_EXPORT))


class FieldSheetForm(PortalForm):
    """The one choice on a field sheet: print it with the contact details (audited) or without."""

    include_contact = BooleanField(INCLUDE_CONTACT_LABEL)
