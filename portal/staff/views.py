"""Staff views: two-step sign-in, set-up links, the staff home, account settings, sessions, account admin.

Views stay thin: they read forms, call ``portal.services.staff_accounts`` and turn its typed
exceptions into messages. Every view declares who may open it (``roles_required`` or
``public_page``) in ``portal.staff.access``.
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
from flask_wtf.csrf import CSRFError
from sqlalchemy.orm import Session

from portal.db import get_session
from portal.extensions import limiter
from portal.forms import ButtonForm
from portal.i18n import current_locale
from portal.models.staff import StaffRole, StaffUser
from portal.models.types import utcnow
from portal.security import form_checks_csrf
from portal.services import staff_accounts as accounts
from portal.services import staff_sessions
from portal.services.passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, WeakPassword
from portal.staff import bp
from portal.staff.access import (
    ALL_ROLES,
    PENDING_KEY,
    ROLE_LABELS,
    SETUP_KEY,
    client_address,
    current_staff,
    end_session,
    idle_limit,
    public_page,
    register_section,
    require_declared_access,
    roles_required,
    safe_next,
    sections_for,
    session_token,
    staff_headers,
    start_session,
)
from portal.staff.forms import CodeForm, LanguageForm, LoginForm, NewAccountForm, RoleForm, SetupForm

PENDING_SECONDS = 5 * 60  # the half-signed-in state (password right, code not yet given)

CODE_FAILED = _l("That code is not right, or it was already used. Type the newest code from your app, "
                 "or one of your recovery codes.")
WEAK_PASSWORD = {
    "short": _l("Use at least %(min)s characters.", min=MIN_PASSWORD_LENGTH),
    "long": _l("Use at most %(max)s characters.", max=MAX_PASSWORD_LENGTH),
    "username": _l("The password must not contain the username."),
}

register_section("staff.accounts", _l("Staff accounts"),
                 _l("Create accounts, change roles, disable accounts and reset a lost second factor."),
                 order=80)
register_section("staff.account", _l("Your account"),
                 _l("The language of your staff pages, and signing out on every device."), order=90)
register_section("staff.sessions", _l("Where you are signed in"),
                 _l("The browsers signed in to your account; end any you do not recognise."), order=95)

bp.before_request(require_declared_access)
bp.after_app_request(staff_headers)


def _sign_in_failed(exc: accounts.SignInFailed | None = None) -> str:
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
             count=accounts.FREE_ATTEMPTS)


def _login_rate_limit() -> str:
    return str(current_app.config["LOGIN_RATE_LIMIT"])


# Per client (address), shared by every step that takes a secret; per account is the lock-out.
sign_in_limit = limiter.shared_limit(_login_rate_limit, scope="staff-sign-in", methods=["POST"])


@bp.context_processor
def _staff_context() -> dict[str, Any]:
    user = current_staff()
    return {
        "staff_user": user,
        "staff_sections": sections_for(user) if user else [],
        "ROLE_LABELS": ROLE_LABELS,
        "sign_out_form": ButtonForm(formdata=None) if user else None,
        "setup_link_hours": int(accounts.SETUP_LINK_LIFETIME.total_seconds() // 3600),
    }


def _db() -> Session:
    return get_session()


def _button_pressed() -> None:
    """POST-only buttons check their CSRF token here, first thing (the views are marked
    ``form_checks_csrf`` so this also follows ``WTF_CSRF_ENABLED``); a missing or expired
    token gets the usual "form expired" page and nothing is done."""
    form = ButtonForm()
    if not form.validate_on_submit():
        raise CSRFError(form.errors.get("csrf_token", ["The CSRF token is missing."])[0])


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
    failed: accounts.SignInFailed | None = None
    if form.validate_on_submit():
        try:
            user = accounts.check_password(_db(), form.username.data or "", form.password.data or "",
                                           client=client_address())
        except accounts.SignInFailed as exc:
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
            result = accounts.check_second_factor(_db(), int(pending["id"]), form.code.data or "",
                                                  client=client_address())
        except accounts.SignInFailed as exc:
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
    _button_pressed()
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
    secret = accounts.totp_secret_of(user)
    return render_template(
        "staff/setup.html", form=form, user=user,
        qr=_qr_data_uri(accounts.provisioning_uri(user.username, secret)),
        secret_groups=[secret[i:i + 4] for i in range(0, len(secret), 4)],
        min_length=MIN_PASSWORD_LENGTH,
    )


# ---------------------------------------------------------------------------------------------
# Every staff member: home and their own account


def _under_attack(user: StaffUser) -> list[accounts.UnderAttack]:
    """For admins: accounts whose sign-in some device keeps failing (shown as a notice)."""
    return accounts.accounts_under_attack(_db()) if user.role == StaffRole.ADMIN else []


@bp.get("/")
@roles_required(*ALL_ROLES)
def home() -> ResponseReturnValue:
    user = current_staff()
    assert user is not None
    return render_template("staff/home.html", under_attack=_under_attack(user))


@bp.route("/account", methods=["GET", "POST"])
@form_checks_csrf
@roles_required(*ALL_ROLES)
def account() -> ResponseReturnValue:
    user = current_staff()
    assert user is not None
    form = LanguageForm(language=user.language)
    if form.validate_on_submit():
        language = form.language.data or user.language
        accounts.set_language(_db(), user, language)
        with force_locale(language):
            flash(_("Your language was saved."), "ok")
        return redirect(url_for("staff.account", lang=language))
    return render_template("staff/account.html", form=form, button=ButtonForm(formdata=None),
                           codes_left=accounts.recovery_codes_left(_db(), user))


@bp.post("/account/sign-out-everywhere")
@form_checks_csrf
@roles_required(*ALL_ROLES)
def sign_out_everywhere() -> ResponseReturnValue:
    _button_pressed()
    user = current_staff()
    assert user is not None
    accounts.sign_out_everywhere(_db(), user)
    end_session()
    flash(_("You have been signed out on every device."), "ok")
    return redirect(url_for("staff.login"))


@bp.get("/sessions")
@roles_required(*ALL_ROLES)
def sessions() -> ResponseReturnValue:
    user = current_staff()
    assert user is not None
    db = _db()
    return render_template("staff/sessions.html", sessions=staff_sessions.running(db, user, idle_limit()),
                           current_id=staff_sessions.current_id(db, session_token()),
                           button=ButtonForm(formdata=None))


@bp.post("/sessions/<int:session_id>/end")
@form_checks_csrf
@roles_required(*ALL_ROLES)
def session_end(session_id: int) -> ResponseReturnValue:
    _button_pressed()
    user = current_staff()
    assert user is not None
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


# ---------------------------------------------------------------------------------------------
# Admin: staff accounts


def _setup_link_page(user: StaffUser, token: str, created: bool) -> str:
    link = url_for("staff.setup_link", lang=user.language, token=token, _external=True)
    return render_template("staff/setup_link.html", account=user, link=link, created=created,
                           hours=int(accounts.SETUP_LINK_LIFETIME.total_seconds() // 3600))


@bp.get("/accounts/", endpoint="accounts")
@roles_required(StaffRole.ADMIN)
def accounts_list() -> ResponseReturnValue:
    db = _db()
    people = accounts.list_accounts(db)
    pending = {person.id: accounts.pending_setup_expires(db, person) for person in people
               if not person.is_set_up}
    return render_template("staff/accounts.html", people=people, pending=pending, now=utcnow(),
                           under_attack=accounts.accounts_under_attack(db))


@bp.route("/accounts/new", methods=["GET", "POST"])
@form_checks_csrf
@roles_required(StaffRole.ADMIN)
def account_new() -> ResponseReturnValue:
    actor = current_staff()
    assert actor is not None
    form = NewAccountForm(language=current_locale())
    if form.validate_on_submit():
        try:
            user, token = accounts.create_account(_db(), username=form.username.data or "",
                                                  role=form.role.data or StaffRole.MODERATOR,
                                                  language=form.language.data or "vi", actor=actor)
        except accounts.UsernameTaken:
            form.username.errors = [*form.username.errors, _("This username is already taken.")]
        except accounts.InvalidUsername:
            form.username.errors = [*form.username.errors,
                                    _("Use 3 to 60 Latin letters, digits, dots, dashes and underscores.")]
        else:
            return _setup_link_page(user, token, created=True)
    return render_template("staff/account_new.html", form=form)


def _account_or_404(user_id: int) -> StaffUser:
    user = accounts.get_user(_db(), user_id)
    if user is None:
        abort(404)
    return user


@bp.get("/accounts/<int:user_id>")
@roles_required(StaffRole.ADMIN)
def account_detail(user_id: int) -> ResponseReturnValue:
    actor = current_staff()
    assert actor is not None
    user = _account_or_404(user_id)
    db = _db()
    return render_template(
        "staff/account_detail.html", account=user, is_self=user.id == actor.id,
        role_form=RoleForm(formdata=None, role=user.role.value), button=ButtonForm(formdata=None),
        codes_left=accounts.recovery_codes_left(db, user) if user.is_set_up else None,
        setup_expires=None if user.is_set_up else accounts.pending_setup_expires(db, user),
        now=utcnow(),
    )


def _admin_action_failed(exc: Exception) -> None:
    if isinstance(exc, accounts.OwnAccount):
        flash(_("You cannot change your own account here; another administrator must do it."), "error")
    elif isinstance(exc, accounts.LastAdmin):
        flash(_("This is the last active administrator: make someone else an administrator first."),
              "error")
    else:  # pragma: no cover - the form and the service agree on the rest
        raise exc


@bp.post("/accounts/<int:user_id>/role")
@form_checks_csrf
@roles_required(StaffRole.ADMIN)
def account_role(user_id: int) -> ResponseReturnValue:
    actor = current_staff()
    assert actor is not None
    user = _account_or_404(user_id)
    form = RoleForm()
    if not form.validate_on_submit():
        if form.csrf_failed:
            raise CSRFError("The CSRF token is missing or expired.")
        flash(_("Please choose a role."), "error")
        return redirect(url_for("staff.account_detail", user_id=user.id))
    try:
        accounts.change_role(_db(), actor, user.id, form.role.data or "")
    except (accounts.OwnAccount, accounts.LastAdmin) as exc:
        _admin_action_failed(exc)
    else:
        flash(_("The role of %(name)s is now: %(role)s.", name=user.username,
                role=ROLE_LABELS[StaffRole(form.role.data)]), "ok")
    return redirect(url_for("staff.account_detail", user_id=user.id))


def _set_active(user_id: int, active: bool) -> ResponseReturnValue:
    _button_pressed()
    actor = current_staff()
    assert actor is not None
    user = _account_or_404(user_id)
    try:
        accounts.set_active(_db(), actor, user.id, active)
    except (accounts.OwnAccount, accounts.LastAdmin) as exc:
        _admin_action_failed(exc)
    else:
        flash(_("%(name)s can sign in again.", name=user.username) if active
              else _("%(name)s is disabled and signed out everywhere.", name=user.username), "ok")
    return redirect(url_for("staff.account_detail", user_id=user.id))


@bp.post("/accounts/<int:user_id>/disable")
@form_checks_csrf
@roles_required(StaffRole.ADMIN)
def account_disable(user_id: int) -> ResponseReturnValue:
    return _set_active(user_id, False)


@bp.post("/accounts/<int:user_id>/enable")
@form_checks_csrf
@roles_required(StaffRole.ADMIN)
def account_enable(user_id: int) -> ResponseReturnValue:
    return _set_active(user_id, True)


@bp.post("/accounts/<int:user_id>/reset")
@form_checks_csrf
@roles_required(StaffRole.ADMIN)
def account_reset(user_id: int) -> ResponseReturnValue:
    """Lost phone or password: a new set-up link; the old password and second factor stop working."""
    _button_pressed()
    actor = current_staff()
    assert actor is not None
    user = _account_or_404(user_id)
    try:
        user, token = accounts.reset_second_factor(_db(), actor, user.id)
    except accounts.OwnAccount as exc:
        _admin_action_failed(exc)
        return redirect(url_for("staff.account_detail", user_id=user.id))
    return _setup_link_page(user, token, created=False)

