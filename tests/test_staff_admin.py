"""Admins run staff accounts: create (one-time set-up link), roles, disable, reset a second factor.

Also the ``flask staff`` commands that make the first admin.
"""

from __future__ import annotations

import re
from typing import Any

import pyotp
import pytest
from sqlalchemy import select, update

from portal.db import new_session
from portal.models.audit import AuditEntry
from portal.models.staff import StaffRecoveryCode, StaffRole, StaffUser
from portal.services import staff_accounts, staff_signin
from tests.staff_fixtures import PASSWORD, StaffAccount, csrf_token, login

SETUP_LINK = re.compile(r'id="setup-link" href="([^"]+)"')


def user_row(app, username: str) -> StaffUser | None:
    with app.app_context():
        session = new_session()
        try:
            user = session.scalar(select(StaffUser).where(StaffUser.username == username))
            if user is not None:
                session.expunge(user)
            return user
        finally:
            session.close()


def audit_entries(app, action: str) -> list[AuditEntry]:
    with app.app_context():
        session = new_session()
        try:
            entries = list(session.scalars(select(AuditEntry).where(AuditEntry.action == action)))
            session.expunge_all()
            return entries
        finally:
            session.close()


def signed_in(client) -> bool:
    return client.get("/en/staff/").status_code == 200


NEW_PASSWORD = "a brand new password"


def totp_secret(app, username: str) -> str:
    """The account's TOTP secret in clear (it is stored encrypted)."""
    row = user_row(app, username)
    assert row is not None
    with app.app_context():
        secret = staff_signin.totp_secret_of(row)
    assert secret
    return secret


def complete_setup(app, link: str, username: str, password: str = NEW_PASSWORD) -> list[str]:
    """Follow a set-up link as the new staff member would; return the recovery codes."""
    client = app.test_client()
    opened = client.get(link.removeprefix("http://localhost"))
    assert opened.status_code == 302
    page = client.get(opened.location)
    assert page.status_code == 200
    response = client.post(opened.location, data={"password": password, "confirm": password,
                                                  "code": pyotp.TOTP(totp_secret(app, username)).now(),
                                                  **csrf_token(page.text)})
    assert response.status_code == 200
    return re.findall(r"<code>([a-z0-9-]+)</code>", response.text)


def create_via_page(client, username: str, role: str = "moderator", language: str = "vi") -> Any:
    page = client.get("/en/staff/accounts/new")
    return client.post("/en/staff/accounts/new", data={"username": username, "role": role,
                                                       "language": language, **csrf_token(page.text)})


# ---------------------------------------------------------------------------------------------
# Creating accounts


def test_admin_creates_an_account_and_the_set_up_link_signs_it_in(app, client, admin):
    login(client, admin)
    response = create_via_page(client, "Sophea", role="editor", language="km")
    assert response.status_code == 200
    link = SETUP_LINK.search(response.text).group(1)
    assert link.startswith("http://localhost/km/staff/setup/")
    assert response.headers["Cache-Control"] == "no-store"
    row = user_row(app, "sophea")
    assert row is not None
    assert row.role == StaffRole.EDITOR
    assert row.language == "km"
    assert row.password_hash is None
    assert not row.totp_confirmed
    [created] = [e for e in audit_entries(app, "staff.account_created") if e.actor_name == "admin"]
    assert (created.actor_name, created.subject, created.detail["role"]) == ("admin", "sophea", "editor")

    codes = complete_setup(app, link, "sophea")
    assert len(codes) == 10
    newcomer = app.test_client()
    account = StaffAccount(id=row.id, username="sophea", role="editor", password="a brand new password",
                           totp_secret=totp_secret(app, "sophea"))
    assert login(newcomer, account).location.endswith("/km/staff/")

    listing = client.get("/en/staff/accounts/")
    assert "sophea" in listing.text


def test_taken_or_malformed_usernames_are_refused(app, client, admin, moderator):
    login(client, admin)
    response = create_via_page(client, "Moderator")
    assert response.status_code == 200
    assert "already taken" in response.text
    response = create_via_page(client, "bad name!")
    assert 'class="field-error"' in response.text
    assert user_row(app, "bad name!") is None
    assert len(audit_entries(app, "staff.account_created")) == 2  # only the fixtures' accounts


def test_a_new_link_replaces_the_old_one(app, client, admin):
    login(client, admin)
    first = SETUP_LINK.search(create_via_page(client, "kim").text).group(1)
    row = user_row(app, "kim")
    response = client.post(f"/en/staff/accounts/{row.id}/reset")
    second = SETUP_LINK.search(response.text).group(1)
    visitor = app.test_client()
    assert visitor.get(first.removeprefix("http://localhost")).status_code == 404
    assert visitor.get(second.removeprefix("http://localhost")).status_code == 302


# ---------------------------------------------------------------------------------------------
# Roles, disabling, resets


def test_role_change_takes_effect_at_once_and_is_logged(app, admin, moderator):
    admin_client, mod_client = app.test_client(), app.test_client()
    login(admin_client, admin)
    login(mod_client, moderator)
    assert mod_client.get("/en/staff/accounts/").status_code == 403
    response = admin_client.post(f"/en/staff/accounts/{moderator.id}/role", data={"role": "admin"})
    assert response.status_code == 302
    assert "Administrator" in admin_client.get(response.location).text
    # The new role starts with a new sign-in: the old session has ended on the server.
    assert mod_client.get("/en/staff/accounts/").status_code == 302
    login(mod_client, moderator)
    assert mod_client.get("/en/staff/accounts/").status_code == 200
    [entry] = audit_entries(app, "staff.role_changed")
    assert (entry.actor_name, entry.subject, entry.detail) == ("admin", "moderator",
                                                               {"old": "moderator", "new": "admin"})


def test_unknown_role_is_refused(app, client, admin, moderator):
    login(client, admin)
    response = client.post(f"/en/staff/accounts/{moderator.id}/role", data={"role": "owner"})
    assert response.status_code == 302
    assert user_row(app, "moderator").role == StaffRole.MODERATOR
    assert "Please choose a role." in client.get(response.location).text


def test_disable_ends_sessions_and_enable_lets_them_back(app, admin, editor):
    admin_client, editor_client = app.test_client(), app.test_client()
    login(admin_client, admin)
    login(editor_client, editor)
    response = admin_client.post(f"/en/staff/accounts/{editor.id}/disable")
    assert response.status_code == 302
    assert not signed_in(editor_client)
    page = editor_client.get("/en/staff/login")
    response = editor_client.post("/en/staff/login", data={
        "username": editor.username, "password": editor.password, **csrf_token(page.text)})
    assert response.status_code == 200
    assert "sign-in-error" in response.text
    assert "Disabled" in admin_client.get("/en/staff/accounts/").text

    admin_client.post(f"/en/staff/accounts/{editor.id}/enable")
    login(editor_client, editor)
    assert signed_in(editor_client)
    assert [e.subject for e in audit_entries(app, "staff.account_disabled")] == ["editor"]
    assert [e.subject for e in audit_entries(app, "staff.account_enabled")] == ["editor"]


def test_reset_second_factor_locks_out_the_old_phone_and_gives_a_new_link(app, admin, moderator):
    admin_client, mod_client = app.test_client(), app.test_client()
    login(admin_client, admin)
    login(mod_client, moderator)
    response = admin_client.post(f"/en/staff/accounts/{moderator.id}/reset")
    assert response.status_code == 200
    link = SETUP_LINK.search(response.text).group(1)
    assert not signed_in(mod_client)

    # The old password and recovery codes no longer sign in.
    page = mod_client.get("/en/staff/login")
    response = mod_client.post("/en/staff/login", data={
        "username": moderator.username, "password": moderator.password, **csrf_token(page.text)})
    assert "sign-in-error" in response.text
    with app.app_context():
        session = new_session()
        assert session.scalars(select(StaffRecoveryCode).where(
            StaffRecoveryCode.user_id == moderator.id)).all() == []
        session.close()

    new_codes = complete_setup(app, link, "moderator", password="the replacement password")
    assert len(new_codes) == 10
    new_secret = totp_secret(app, "moderator")
    assert new_secret != moderator.totp_secret
    account = StaffAccount(id=moderator.id, username="moderator", role="moderator",
                           password="the replacement password", totp_secret=new_secret)
    login(mod_client, account)
    assert signed_in(mod_client)
    [entry] = audit_entries(app, "staff.second_factor_reset")
    assert (entry.actor_name, entry.subject) == ("admin", "moderator")


def test_admin_cannot_change_their_own_account(app, client, admin):
    login(client, admin)
    page = client.get(f"/en/staff/accounts/{admin.id}")
    assert page.status_code == 200
    assert f"/accounts/{admin.id}/disable" not in page.text
    for path, data in ((f"/en/staff/accounts/{admin.id}/disable", {}),
                       (f"/en/staff/accounts/{admin.id}/role", {"role": "editor"}),
                       (f"/en/staff/accounts/{admin.id}/reset", {})):
        response = client.post(path, data=data)
        assert response.status_code == 302
        assert "another administrator" in client.get(response.location).text
    row = user_row(app, "admin")
    assert row.active
    assert row.role == StaffRole.ADMIN
    assert row.totp_confirmed


def test_the_last_active_admin_cannot_be_removed(db_session, admin, moderator):
    # Even a caller that skipped the role check cannot leave the portal without an admin.
    caller = db_session.get(StaffUser, moderator.id)
    with pytest.raises(staff_accounts.LastAdmin):
        staff_accounts.set_active(db_session, caller, admin.id, False)
    with pytest.raises(staff_accounts.LastAdmin):
        staff_accounts.change_role(db_session, caller, admin.id, StaffRole.EDITOR)


def test_missing_account_is_not_found(client, admin):
    login(client, admin)
    assert client.get("/en/staff/accounts/9999").status_code == 404
    assert client.post("/en/staff/accounts/9999/disable").status_code == 404


def test_accounts_list_shows_who_is_waiting_locked_or_disabled(app, client, admin, moderator, editor):
    with app.app_context():
        session = new_session()
        staff_accounts.create_account(session, username="waiting", role="moderator", language="vi",
                                      actor_name="tests")
        session.close()
        session = new_session()
        session.execute(update(StaffUser).where(StaffUser.id == editor.id).values(active=False))
        session.commit()
        session.close()
    login(client, admin)
    page = client.get("/en/staff/accounts/").text
    for text in ("Waiting for set-up", "Disabled", "Active"):
        assert text in page


# ---------------------------------------------------------------------------------------------
# CSRF: each admin form with protection on does nothing without its token


def test_admin_forms_without_csrf_token_change_nothing(csrf_app, admin, moderator):
    client = csrf_app.test_client()
    login(client, admin)
    response = client.post("/en/staff/accounts/new", data={"username": "intruder", "role": "admin",
                                                           "language": "vi"})
    assert response.status_code == 200
    assert 'id="csrf-error"' in response.text
    assert user_row(csrf_app, "intruder") is None
    for path, data in ((f"/en/staff/accounts/{moderator.id}/role", {"role": "admin"}),
                       (f"/en/staff/accounts/{moderator.id}/disable", {}),
                       (f"/en/staff/accounts/{moderator.id}/reset", {})):
        assert client.post(path, data=data).status_code == 400, path
    row = user_row(csrf_app, "moderator")
    assert row.role == StaffRole.MODERATOR
    assert row.active
    assert row.totp_confirmed
    with csrf_app.app_context():
        session = new_session()
        session.execute(update(StaffUser).where(StaffUser.id == moderator.id).values(active=False))
        session.commit()
        session.close()
    assert client.post(f"/en/staff/accounts/{moderator.id}/enable").status_code == 400
    assert not user_row(csrf_app, "moderator").active

    # With the token from the page, the same button works.
    page = client.get(f"/en/staff/accounts/{moderator.id}")
    response = client.post(f"/en/staff/accounts/{moderator.id}/enable", data=csrf_token(page.text))
    assert response.status_code == 302
    assert user_row(csrf_app, "moderator").active


# ---------------------------------------------------------------------------------------------
# flask staff …


def test_flask_staff_create_makes_a_first_admin_who_can_sign_in(app, runner, monkeypatch):
    secret = pyotp.random_base32()
    monkeypatch.setattr(staff_accounts, "new_totp_secret", lambda: secret)
    code = pyotp.TOTP(secret).now()
    result = runner.invoke(args=["staff", "create"],
                           input=f"Founder\n\nen\n{PASSWORD}\n{PASSWORD}\n000000\n{code}\n")
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output  # typed passwords are not echoed
    assert secret in result.output
    assert "That code did not match" in result.output
    codes = re.findall(r"^  ([a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4})$", result.output, re.M)
    assert len(codes) == 10
    row = user_row(app, "founder")
    assert row is not None
    assert row.role == StaffRole.ADMIN
    assert row.language == "en"
    assert row.is_set_up

    client = app.test_client()
    page = client.get("/en/staff/login")
    client.post("/en/staff/login",
                data={"username": "founder", "password": PASSWORD, **csrf_token(page.text)})
    response = client.post("/en/staff/login/code", data={"code": codes[0]})
    assert response.location.endswith("/en/staff/")
    assert client.get("/en/staff/accounts/").status_code == 200


def test_flask_staff_create_refuses_a_short_password_and_asks_again(app, runner, monkeypatch):
    secret = pyotp.random_base32()
    monkeypatch.setattr(staff_accounts, "new_totp_secret", lambda: secret)
    code = pyotp.TOTP(secret).now()
    result = runner.invoke(args=["staff", "create", "--username", "first", "--role", "admin",
                                 "--language", "vi"],
                           input=f"short\nshort\n{PASSWORD}\n{PASSWORD}\n{code}\n")
    assert result.exit_code == 0, result.output
    assert "Too short" in result.output
    assert user_row(app, "first").is_set_up


def test_flask_staff_create_writes_nothing_when_the_code_never_matches(app, runner):
    result = runner.invoke(args=["staff", "create", "--username", "first", "--role", "admin",
                                 "--language", "vi"],
                           input=f"{PASSWORD}\n{PASSWORD}\n000000\n000000\n000000\n")
    assert result.exit_code != 0
    assert user_row(app, "first") is None


def test_flask_staff_create_with_link_and_reset_print_set_up_links(app, runner, admin):
    result = runner.invoke(args=["staff", "create", "--username", "second", "--role", "editor",
                                 "--language", "km", "--link"])
    assert result.exit_code == 0, result.output
    path = re.search(r"(/km/staff/setup/\S+)", result.output).group(1)
    assert app.test_client().get(path).status_code == 302

    result = runner.invoke(args=["staff", "reset-second-factor", "admin"])
    assert result.exit_code == 0, result.output
    assert re.search(r"/en/staff/setup/\S+", result.output)
    assert not user_row(app, "admin").is_set_up
    [entry] = audit_entries(app, "staff.second_factor_reset")
    assert entry.actor_name == "command line"

    result = runner.invoke(args=["staff", "list"])
    assert "second\teditor\twaiting for set-up" in result.output
    assert runner.invoke(args=["staff", "reset-second-factor", "nobody"]).exit_code != 0
    assert runner.invoke(args=["staff", "create", "--username", "second", "--role", "editor",
                               "--language", "km", "--link"]).exit_code != 0
