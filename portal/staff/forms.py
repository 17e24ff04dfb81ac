"""Staff forms: sign-in, set-up, account settings and the admin's account forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length, Regexp

from portal.forms import PortalForm
from portal.i18n import LANGUAGE_NAMES, LOCALES
from portal.models.staff import StaffRole
from portal.services.passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH
from portal.staff.access import ROLE_LABELS

REQUIRED = _l("Please fill in this field.")


def language_choices() -> list[SelectChoice]:
    """Each language named in itself, marked with its own ``lang`` for screen readers."""
    return [SelectChoice(code, LANGUAGE_NAMES[code], render_kw={"lang": code}) for code in LOCALES]


def role_choices() -> list[SelectChoice]:
    return [SelectChoice(role.value, str(ROLE_LABELS[role])) for role in StaffRole]


class LoginForm(PortalForm):
    username = StringField(_l("Username"), validators=[DataRequired(REQUIRED), Length(max=60)],
                           render_kw={"autocomplete": "username", "autocapitalize": "none",
                                      "spellcheck": "false"})
    password = PasswordField(_l("Password"),
                             validators=[DataRequired(REQUIRED), Length(max=MAX_PASSWORD_LENGTH)],
                             render_kw={"autocomplete": "current-password"})


class CodeForm(PortalForm):
    code = StringField(_l("Code"), validators=[DataRequired(REQUIRED), Length(max=40)],
                       render_kw={"autocomplete": "one-time-code", "autocapitalize": "none",
                                  "spellcheck": "false"})


class SetupForm(PortalForm):
    password = PasswordField(
        _l("New password"),
        validators=[DataRequired(REQUIRED),
                    Length(min=MIN_PASSWORD_LENGTH, max=MAX_PASSWORD_LENGTH,
                           message=_l("Use between %(min)d and %(max)d characters."))],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("New password again"),
        validators=[DataRequired(REQUIRED), Length(max=MAX_PASSWORD_LENGTH),
                    EqualTo("password", message=_l("The two passwords are not the same."))],
        render_kw={"autocomplete": "new-password"},
    )
    code = StringField(_l("Code from the app"),
                       validators=[DataRequired(REQUIRED), Length(max=20)],
                       render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"})


class LanguageForm(PortalForm):
    language = SelectField(_l("Language of the staff pages"), choices=language_choices,
                           validators=[DataRequired(REQUIRED), Length(max=5)])


class NewAccountForm(PortalForm):
    username = StringField(
        _l("Username"),
        validators=[DataRequired(REQUIRED), Length(min=3, max=60),
                    Regexp(r"^[A-Za-z0-9][A-Za-z0-9._-]*$",
                           message=_l("Use only Latin letters, digits, dots, dashes and underscores."))],
        render_kw={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"},
    )
    role = SelectField(_l("Role"), choices=role_choices, default=StaffRole.MODERATOR.value,
                       validators=[DataRequired(REQUIRED), Length(max=20)])
    language = SelectField(_l("Language"), choices=language_choices,
                           validators=[DataRequired(REQUIRED), Length(max=5)])


class RoleForm(PortalForm):
    role = SelectField(_l("Role"), choices=role_choices,
                       validators=[DataRequired(REQUIRED), Length(max=20)])
