"""The base of every form: cleaned text, a honeypot helper and a translated CSRF message."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import Length

from portal.sanitize import clean_text

CSRF_EXPIRED_MESSAGE = _l(
    "This page was open for a long time, so for your safety we need you to send it again. "
    "Everything you typed is still here: please check it and press the button once more."
)


class PortalForm(FlaskForm):
    """Every form of the portal derives from this.

    Every field gets :func:`clean_text` as its first filter, so all submitted text is
    NFC-normalised and free of control characters in one place.
    """

    class Meta:
        def bind_field(self, form: Any, unbound_field: Any, options: dict[str, Any]) -> Any:
            options["filters"] = [clean_text, *options.get("filters", ())]
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


def honeypot_field() -> StringField:
    """A field people never see or fill in (hidden by CSS, skipped by screen readers)."""
    return StringField(_l("Leave this field empty"), validators=[Length(max=0)])


class ButtonForm(PortalForm):
    """An empty form for POST-only buttons (sign out, transitions): just the CSRF token."""
