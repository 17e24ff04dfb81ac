"""Staff views for administrators: the staff accounts (create, role, disable, reset a second factor).

Views stay thin: they read forms, call ``portal.services.staff_accounts`` and turn its typed
exceptions into messages. Signing in is ``signin_views``.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from portal.db import get_session
from portal.forms import ButtonForm, check_button
from portal.i18n import current_locale
from portal.models.staff import StaffRole, StaffUser
from portal.models.types import utcnow
from portal.security import form_checks_csrf
from portal.services import staff_accounts as accounts
from portal.services import staff_signin
from portal.staff import bp
from portal.staff.access import ROLE_LABELS, current_actor, register_section, roles_required
from portal.staff.forms import NewAccountForm, RoleForm

register_section("staff.accounts", _l("Staff accounts"),
                 _l("Create accounts, change roles, disable accounts and reset a lost second factor."),
                 order=80)


def _db() -> Session:
    return get_session()


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
                           under_attack=staff_signin.accounts_under_attack(db))


@bp.route("/accounts/new", methods=["GET", "POST"])
@form_checks_csrf
@roles_required(StaffRole.ADMIN)
def account_new() -> ResponseReturnValue:
    actor = current_actor()
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
    actor = current_actor()
    user = _account_or_404(user_id)
    db = _db()
    return render_template(
        "staff/account_detail.html", account=user, is_self=user.id == actor.id,
        role_form=RoleForm(formdata=None, role=user.role.value), button=ButtonForm(formdata=None),
        codes_left=staff_signin.recovery_codes_left(db, user) if user.is_set_up else None,
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
    actor = current_actor()
    user = _account_or_404(user_id)
    form = RoleForm()
    if not check_button(form):
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
    check_button()
    actor = current_actor()
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
    check_button()
    actor = current_actor()
    user = _account_or_404(user_id)
    try:
        user, token = accounts.reset_second_factor(_db(), actor, user.id)
    except accounts.OwnAccount as exc:
        _admin_action_failed(exc)
        return redirect(url_for("staff.account_detail", user_id=user.id))
    return _setup_link_page(user, token, created=False)

