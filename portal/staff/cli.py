"""``flask staff …``: the first admin, and a way back in when every admin lost their phone.

``flask staff create`` asks for a username, a role (admin by default), a language and a
password (typed twice, hidden), shows the authenticator QR code in the terminal together
with the key for manual entry, asks for a code from the app to prove the enrolment, and
only then writes the account — with its ten recovery codes, printed once. With ``--link``
it instead prints a one-time set-up link path, to be opened on the site within 48 hours.
``flask staff rotate-totp-key`` re-encrypts every TOTP secret with the first key of
``PORTAL_TOTP_KEY`` (and encrypts any clear secret left from before encryption).
"""

from __future__ import annotations

import click
import segno
from flask.cli import AppGroup
from flask_babel import gettext as _
from sqlalchemy import select

from portal.config import LANGUAGES
from portal.db import new_session
from portal.i18n import in_cli_language
from portal.models.staff import StaffRole, StaffUser
from portal.sanitize import clean_text
from portal.services import staff_accounts as accounts
from portal.services.passwords import WeakPassword, check_rules

staff_cli = AppGroup("staff", help="Staff accounts: create the first admin, reset a second factor, list.")

CODE_ATTEMPTS = 3


def _setup_path(language: str, token: str) -> str:
    return f"/{language}/staff/setup/{token}"


@staff_cli.command("create", help="Create a staff account (the first admin), prompting for the password.")
@click.option("--username", prompt="Username", help="Latin letters, digits, dots, dashes, underscores.")
@click.option("--role", type=click.Choice([role.value for role in StaffRole]), default=StaffRole.ADMIN.value,
              prompt="Role", show_default=True)
@click.option("--language", type=click.Choice(LANGUAGES), default="vi", prompt="Language", show_default=True)
@click.option("--link", "with_link", is_flag=True,
              help="Print a one-time set-up link instead of asking for the password here.")
@in_cli_language
def create(username: str, role: str, language: str, with_link: bool) -> None:
    username = accounts.normalise_username(username)
    if not accounts.USERNAME_PATTERN.fullmatch(username):
        raise click.ClickException(_("Use 3 to 60 Latin letters, digits, dots, dashes and underscores."))
    session = new_session()
    try:
        if session.scalar(select(StaffUser.id).where(StaffUser.username == username)) is not None:
            raise click.ClickException(_("The username %(name)s is already taken.", name=username))
        if with_link:
            user, token = accounts.create_account(session, username=username, role=role, language=language,
                                                  actor_name="command line")
            click.echo(_("Account %(name)s (%(role)s) created.", name=user.username, role=user.role.value))
            click.echo(_("Open this set-up link on the site within 48 hours (it works once):"))
            click.echo(f"  {_setup_path(user.language, token)}")
            return
        password = _prompt_password(username)
        secret = accounts.new_totp_secret()
        uri = accounts.provisioning_uri(username, secret)
        click.echo("\n" + _("Scan this QR code with the authenticator app on your phone:") + "\n")
        segno.make(uri, error="m").terminal(compact=True)
        click.echo("\n" + _("Or type this key into the app: %(key)s", key=secret) + "\n")
        for attempt in range(1, CODE_ATTEMPTS + 1):
            code = click.prompt(_("Code shown by the app"))
            try:
                user, codes = accounts.create_enrolled_account(
                    session, username=username, role=role, language=language, password=password,
                    totp_secret=secret, code=code, actor_name="command line")
            except accounts.SecondFactorWrong:
                if attempt == CODE_ATTEMPTS:
                    raise click.ClickException(_("The code did not match; nothing was created.")) from None
                click.echo(_("That code did not match. Check the phone's clock and try the newest code."))
                continue
            break
        click.echo("\n" + _("Account %(name)s (%(role)s) created. Sign in at %(path)s", name=user.username,
                             role=user.role.value, path=f"/{user.language}/staff/login"))
        click.echo(_("Recovery codes — write them down now, they are shown only once:"))
        for recovery in codes:
            click.echo(f"  {recovery}")
    except (accounts.UsernameTaken, accounts.InvalidUsername) as exc:
        raise click.ClickException(_("The username %(name)s cannot be used.", name=username)) from exc
    finally:
        session.close()


def _prompt_password(username: str) -> str:
    while True:
        password = click.prompt(_("Password"), hide_input=True, confirmation_prompt=_("Repeat the password"))
        password = str(clean_text(password))
        try:
            check_rules(password, username)
        except WeakPassword as exc:
            click.echo({"short": _("Too short: use at least 12 characters."),
                        "long": _("Too long: use at most 128 characters."),
                        "username": _("The password must not contain the username.")}[exc.reason])
            continue
        return str(password)


@staff_cli.command("reset-second-factor",
                   help="Forget an account's password and second factor; print a new set-up link.")
@click.argument("username")
@in_cli_language
def reset_second_factor(username: str) -> None:
    session = new_session()
    try:
        user_id = session.scalar(select(StaffUser.id).where(
            StaffUser.username == accounts.normalise_username(username)))
        if user_id is None:
            raise click.ClickException(_("No account %(name)s.", name=username))
        user, token = accounts.reset_second_factor(session, None, user_id, actor_name="command line")
        click.echo(_("%(name)s is signed out everywhere. Open this set-up link within 48 hours:", name=user.username))
        click.echo(f"  {_setup_path(user.language, token)}")
    finally:
        session.close()


@staff_cli.command("rotate-totp-key",
                   help="Re-encrypt every TOTP secret with the first key of PORTAL_TOTP_KEY.")
@in_cli_language
def rotate_totp_key() -> None:
    """After putting a new key first in PORTAL_TOTP_KEY (old keys after it, comma separated): rewrite
    every secret under the new key, clear legacy ones too; then the old keys can be removed."""
    session = new_session()
    try:
        changed = accounts.rotate_totp_secrets(session)
    except accounts.TotpKeyMissing as exc:
        raise click.ClickException(_("A TOTP secret cannot be opened with any key in PORTAL_TOTP_KEY; "
                                     "nothing was changed. Add the old key after the new one.")) from exc
    finally:
        session.close()
    click.echo(_("%(count)s TOTP secrets re-encrypted with the first key of PORTAL_TOTP_KEY.", count=changed))


@staff_cli.command("list", help="List staff accounts.")
@in_cli_language
def list_accounts() -> None:
    session = new_session()
    try:
        for user in accounts.list_accounts(session):
            state = _("active") if user.active else _("disabled")
            if user.active and not user.is_set_up:
                state = _("waiting for set-up")
            click.echo(f"{user.username}\t{user.role}\t{state}")
    finally:
        session.close()
