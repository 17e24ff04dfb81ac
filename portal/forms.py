"""The base of every form: cleaned text, a honeypot helper and a translated CSRF message."""

from __future__ import annotations

from typing import Any

from flask_babel import get_translations, ngettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFError
from werkzeug.datastructures import FileStorage
from wtforms import StringField
from wtforms.fields import FileField
from wtforms.validators import Length

from portal.sanitize import clean_text

CSRF_EXPIRED_MESSAGE = _l(
    "This page was open for a long time, so for your safety we need you to send it again. "
    "Everything you typed is still here: please check it and press the button once more."
)


# WTForms' own messages, for the few validators that keep their default. WTForms has no
# Vietnamese or Khmer: these go through the portal's catalogs instead (see _CatalogTranslations),
# listed here so that ``pybabel extract`` finds them.
WTFORMS_MESSAGES = (
    _l("This field is required."), _l("Invalid input."), _l("Not a valid choice."),
    _l("Invalid Choice: could not coerce."), _l("Invalid choice(s): one or more data inputs could not be coerced."),
    _l("'%(value)s' is not a valid choice for this field."), _l("Not a valid date value."),
    _l("Not a valid datetime value."), _l("Not a valid time value."), _l("Not a valid integer value."),
    _l("Not a valid decimal value."), _l("Not a valid float value."), _l("Number must be at least %(min)s."),
    _l("Number must be at most %(max)s."), _l("Number must be between %(min)s and %(max)s."),
    _l("Field must be between %(min)d and %(max)d characters long."), _l("Field must be equal to %(other_name)s."),
    _l("Invalid email address."), _l("Invalid URL."), _l("Invalid value, must be one of: %(values)s."),
)


def _wtforms_plural_messages() -> list[str]:  # pragma: no cover - never called; for pybabel extract
    return [ngettext("Field must be at least %(min)d character long.",
                     "Field must be at least %(min)d characters long.", 1),
            ngettext("Field cannot be longer than %(max)d character.",
                     "Field cannot be longer than %(max)d characters.", 1),
            ngettext("Field must be exactly %(max)d character long.",
                     "Field must be exactly %(max)d characters long.", 1)]


class _CatalogTranslations:
    """WTForms' built-in messages looked up in the portal's catalogs, in the page's language.

    One per form (``Meta.get_translations``): the catalog is looked up once, when the form first
    asks (binding a form of 30 fields asked Flask-Babel 30 times)."""

    def __init__(self) -> None:
        self._catalog: Any = None

    def _translations(self) -> Any:
        if self._catalog is None:
            self._catalog = get_translations()
        return self._catalog

    def gettext(self, string: str) -> str:
        return str(self._translations().ugettext(string))

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return str(self._translations().ungettext(singular, plural, n))


class PortalForm(FlaskForm):
    """Every form of the portal derives from this.

    Every field gets :func:`clean_text` as its first filter, so all submitted text is
    NFC-normalised and free of control characters in one place. A file sent in a field that
    is not a file field (a crafted multipart body) counts as nothing typed.
    """

    class Meta:
        def get_translations(self, form: Any) -> _CatalogTranslations:
            return _CatalogTranslations()

        def bind_field(self, form: Any, unbound_field: Any, options: dict[str, Any]) -> Any:
            filters = [clean_text, *options.get("filters", ())]
            if not issubclass(unbound_field.field_class, FileField):
                filters.insert(0, _no_file)
            options["filters"] = filters
            return unbound_field.bind(form=form, **options)

    @property
    def csrf_failed(self) -> bool:
        return bool(getattr(self, "csrf_token", None) is not None and self.csrf_token.errors)

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators=extra_validators)
        if self.csrf_failed:
            # Flask-WTF's own messages are English and technical; say it plainly instead.
            self.csrf_token.errors = [str(CSRF_EXPIRED_MESSAGE)]
        return valid


def _no_file(value: object) -> object:
    return "" if isinstance(value, FileStorage) else value


def honeypot_field() -> StringField:
    """A field people never see or fill in (hidden by CSS, skipped by screen readers)."""
    return StringField(_l("Leave this field empty"), validators=[Length(max=0)])


class ButtonForm(PortalForm):
    """An empty form for POST-only buttons (sign out, transitions): just the CSRF token."""


def check_button(form: PortalForm | None = None) -> bool:
    """The one CSRF check of a POST-only button, first thing in its view.

    Validates ``form`` (an empty :class:`ButtonForm` unless given): a missing or expired CSRF
    token raises ``CSRFError``, which answers with the usual "form expired" page (400), so
    nothing is done. Returns whether the form's other fields are valid. Views that call it are
    marked ``form_checks_csrf`` (or are already checked by ``protect_posts``), so this follows
    ``WTF_CSRF_ENABLED``.
    """
    form = ButtonForm() if form is None else form
    valid = form.validate_on_submit()
    if form.csrf_failed:
        raise CSRFError("The CSRF token is missing or expired.")
    return valid
