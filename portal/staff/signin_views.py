"""Staff views for signing in: two-step sign-in, set-up links, the staff home, own account, sessions.

Views stay thin: they read forms, call ``portal.services.staff_signin`` (passwords, codes,
slowing guessers) and ``portal.services.staff_accounts`` (set-up links, own settings) and turn
their typed exceptions into messages. Account administration is ``account_views``. Every view
declares who may open it (``roles_required`` or ``public_page``) in ``portal.staff.access``.
"""

from __future__ import annotations

import math
import time
from typing import Any

import segno
from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from portal.db import get_session
from portal.extensions import limiter
from portal.forms import ButtonForm, check_button
from portal.models.staff import StaffRole, StaffUser
from portal.security import form_checks_csrf
from portal.services import staff_accounts as accounts
from portal.services import staff_sessions, staff_signin
from portal.services.passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, WeakPassword
from portal.staff import bp
from portal.staff.access import (
    ALL_ROLES,
    PENDING_KEY,
    SETUP_KEY,
    client_address,
    current_actor,
    current_staff,
    end_session,
    idle_limit,
    public_page,
    register_section,
    roles_required,
    safe_next,
    session_token,
    start_session,
)
from portal.staff.forms import CodeForm, LanguageForm, LoginForm, SetupForm

PENDING_SECONDS = 5 * 60  # the half-signed-in state (password right, code not yet given)

CODE_FAILED = _l("That code is not right, or it was already used. Type the newest code from your app, "
                 "or one of your recovery codes.")
WEAK_PASSWORD = {
    "short": _l("Use at least %(min)s characters.", min=MIN_PASSWORD_LENGTH),
    "long": _l("Use at most %(max)s characters.", max=MAX_PASSWORD_LENGTH),
    "username": _l("The password must not contain the username."),
}

register_section("staff.account", _l("Your account"),
                 _l("The language of your staff pages, and signing out on every device."), order=90)
register_section("staff.sessions", _l("Where you are signed in"),
                 _l("The browsers signed in to your account; end any you do not recognise."), order=95)


def _sign_in_failed(exc: staff_signin.SignInFailed | None = None) -> str:
    """The one answer to every failed sign-in (unknown account, wrong password, disabled), or the
    wait this device must sit out: unknown names are slowed down exactly like real ones."""
    if exc is not None and exc.wait_seconds:
        minutes = max(1, math.ceil(exc.wait_seconds / 60))
        return ngettext("Too many failed sign-in attempts from this device: it must wait %(num)s minute "
                        "before trying again. Other devices are not affected.",
                        "Too many failed sign-in attempts from this device: it must wait %(num)s minutes "
                        "before trying again. Other devices are not affected.", minutes)
    return _("Sign-in failed: the username or password is not right. After %(count)s failed attempts "
             "from one device, that device must wait a while before each new attempt.",
             count=staff_signin.FREE_ATTEMPTS)


def _login_rate_limit() -> str:
    return str(current_app.config["LOGIN_RATE_LIMIT"])


# Per client (address), shared by every step that takes a secret; per account is the lock-out.
sign_in_limit = limiter.shared_limit(_login_rate_limit, scope="staff-sign-in", methods=["POST"])


def _db() -> Session:
    return get_session()


def _home_of(user: StaffUser) -> str:
    return url_for("staff.home", lang=user.language)


# ---------------------------------------------------------------------------------------------
# Signing in and out


@bp.route("/login", methods=["GET", "POST"])
@sign_in_limit
@form_checks_csrf
@public_page
def login() -> ResponseReturnValue:
    user = current_staff()
    if user is not None:
        return redirect(_home_of(user))
    form = LoginForm()
    failed: staff_signin.SignInFailed | None = None
    if form.validate_on_submit():
        try:
            user = staff_signin.check_password(_db(), form.username.data or "", form.password.data or "",
                                           client=client_address())
        except staff_signin.SignInFailed as exc:
            failed = exc
        else:
            session.clear()  # nothing from before signing in survives
            session[PENDING_KEY] = {"id": user.id, "at": int(time.time()),
                                    "next": request.args.get("next", "")[:500]}
            return redirect(url_for("staff.login_code"))
    return render_template("staff/login.html", form=form,
                           failed_message=_sign_in_failed(failed) if failed else None)


def _pending() -> dict[str, Any] | None:
    pending = session.get(PENDING_KEY)
    if not isinstance(pending, dict):
        return None
    try:
        fresh = 0 <= int(time.time()) - int(pending["at"]) <= PENDING_SECONDS
    except (KeyError, TypeError, ValueError):
        fresh = False
    if not fresh:
        session.pop(PENDING_KEY, None)
        return None
    return pending


@bp.route("/login/code", methods=["GET", "POST"])
@sign_in_limit
@form_checks_csrf
@public_page
def login_code() -> ResponseReturnValue:
    if current_staff() is not None:
        return redirect(url_for("staff.home"))
    pending = _pending()
    if pending is None:
        flash(_("Please sign in again: the second step must follow within %(minutes)s minutes.",
                minutes=PENDING_SECONDS // 60), "error")
        return redirect(url_for("staff.login"))
    form = CodeForm()
    failed = False
    if form.validate_on_submit():
        try:
            result = staff_signin.check_second_factor(_db(), int(pending["id"]), form.code.data or "",
                                                  client=client_address())
        except staff_signin.SignInFailed as exc:
            if exc.reason != "wrong_code" or exc.wait_seconds:
                session.pop(PENDING_KEY, None)
                flash(_sign_in_failed(exc), "error")
                return redirect(url_for("staff.login"))
            failed = True
        else:
            user = result.user
            start_session(user)
            with force_locale(user.language):
                if result.method == "recovery_code":
                    flash(_("You signed in with a recovery code. %(count)s recovery codes are left; "
                            "if your phone is lost, ask an administrator to reset your second factor.",
                            count=result.recovery_codes_left), "warn")
            return redirect(safe_next(str(pending.get("next") or ""), user.language) or _home_of(user))
    return render_template("staff/login_code.html", form=form, failed_message=CODE_FAILED if failed else None)


@bp.post("/logout")
@form_checks_csrf
@roles_required(*ALL_ROLES)
def logout() -> ResponseReturnValue:
    check_button()
    user = current_staff()
    if user is not None:
        staff_sessions.sign_out(_db(), user, session_token())
    end_session()
    flash(_("You have signed out."), "ok")
    return redirect(url_for("staff.login"))


# ---------------------------------------------------------------------------------------------
# The one-time set-up link: choose a password, enrol the authenticator app, get recovery codes


def _qr_data_uri(uri: str) -> str:
    """The enrolment QR code as an SVG data URI (an <img>, so the strict CSP stays intact)."""
    return str(segno.make(uri, error="m").svg_data_uri(scale=5, border=4, dark="#000", light="#fff"))


def _setup_invalid() -> ResponseReturnValue:
    return render_template("staff/setup_invalid.html"), 404


@bp.get("/setup/<token>")
@sign_in_limit
@public_page
def setup_link(token: str) -> ResponseReturnValue:
    """The link an admin hands over works once: it is swapped for a proof kept in this browser's
    session, and the browser moves on to /setup, so the token leaves the address bar (and any
    later access-log line, history entry or Referer)."""
    try:
        link_id, proof = accounts.open_setup_link(_db(), token)
    except accounts.SetupLinkInvalid:
        return _setup_invalid()
    session[SETUP_KEY] = {"link": link_id, "proof": proof}
    return redirect(url_for("staff.setup"))


def _setup_proof() -> tuple[int, str] | None:
    data = session.get(SETUP_KEY)
    if not isinstance(data, dict):
        return None
    try:
        return int(data["link"]), str(data["proof"])
    except (KeyError, TypeError, ValueError):
        return None


@bp.route("/setup", methods=["GET", "POST"])
@sign_in_limit
@form_checks_csrf
@public_page
def setup() -> ResponseReturnValue:
    proof = _setup_proof()
    if proof is None:
        return _setup_invalid()
    link_id, secret_proof = proof
    try:
        user = accounts.setup_link_user(_db(), link_id, secret_proof)
    except accounts.SetupLinkInvalid:
        session.pop(SETUP_KEY, None)
        return _setup_invalid()
    form = SetupForm()
    if form.validate_on_submit():
        try:
            user, codes = accounts.complete_setup(_db(), link_id, secret_proof,
                                                  password=form.password.data or "", code=form.code.data or "")
        except WeakPassword as exc:
            form.password.errors = [*form.password.errors, str(WEAK_PASSWORD[exc.reason])]
        except accounts.SecondFactorWrong:
            form.code.errors = [*form.code.errors, str(CODE_FAILED)]
        except accounts.SetupLinkInvalid:
            session.pop(SETUP_KEY, None)
            return _setup_invalid()
        else:
            session.pop(SETUP_KEY, None)
            return render_template("staff/setup_done.html", user=user, codes=codes)
    secret = staff_signin.totp_secret_of(user)
    return render_template(
        "staff/setup.html", form=form, user=user,
        qr=_qr_data_uri(accounts.provisioning_uri(user.username, secret)),
        secret_groups=[secret[i:i + 4] for i in range(0, len(secret), 4)],
        min_length=MIN_PASSWORD_LENGTH,
    )


# ---------------------------------------------------------------------------------------------
# Every staff member: home and their own account


def _under_attack(user: StaffUser) -> list[staff_signin.UnderAttack]:
    """For admins: accounts whose sign-in some device keeps failing (shown as a notice)."""
    return staff_signin.accounts_under_attack(_db()) if user.role == StaffRole.ADMIN else []


@bp.get("/")
@roles_required(*ALL_ROLES)
def home() -> ResponseReturnValue:
    user = current_actor()
    return render_template("staff/home.html", under_attack=_under_attack(user))


@bp.route("/account", methods=["GET", "POST"])
@form_checks_csrf
@roles_required(*ALL_ROLES)
def account() -> ResponseReturnValue:
    user = current_actor()
    form = LanguageForm(language=user.language)
    if form.validate_on_submit():
        language = form.language.data or user.language
        accounts.set_language(_db(), user, language)
        with force_locale(language):
            flash(_("Your language was saved."), "ok")
        return redirect(url_for("staff.account", lang=language))
    return render_template("staff/account.html", form=form, button=ButtonForm(formdata=None),
                           codes_left=staff_signin.recovery_codes_left(_db(), user))


@bp.post("/account/sign-out-everywhere")
@form_checks_csrf
@roles_required(*ALL_ROLES)
def sign_out_everywhere() -> ResponseReturnValue:
    check_button()
    user = current_actor()
    accounts.sign_out_everywhere(_db(), user)
    end_session()
    flash(_("You have been signed out on every device."), "ok")
    return redirect(url_for("staff.login"))


@bp.get("/sessions")
@roles_required(*ALL_ROLES)
def sessions() -> ResponseReturnValue:
    user = current_actor()
    db = _db()
    return render_template("staff/sessions.html", sessions=staff_sessions.running(db, user, idle_limit()),
                           current_id=staff_sessions.current_id(db, session_token()),
                           button=ButtonForm(formdata=None))


@bp.post("/sessions/<int:session_id>/end")
@form_checks_csrf
@roles_required(*ALL_ROLES)
def session_end(session_id: int) -> ResponseReturnValue:
    check_button()
    user = current_actor()
    db = _db()
    current = staff_sessions.current_id(db, session_token())
    if not staff_sessions.end_one(db, user, session_id):
        abort(404)
    if session_id == current:
        end_session()
        flash(_("You have signed out."), "ok")
        return redirect(url_for("staff.login"))
    flash(_("That session has ended: the browser must sign in again."), "ok")
    return redirect(url_for("staff.sessions"))


