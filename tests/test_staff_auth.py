"""Staff sign-in: two factors, one answer for every failure, slowing guessers, sessions that end."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pyotp
import pytest
from sqlalchemy import event, select, text, update

from portal.config import ConfigError, build_config
from portal.db import new_session
from portal.models.audit import AuditEntry
from portal.models.staff import (
    StaffRecoveryCode,
    StaffSession,
    StaffSetupLink,
    StaffSignInThrottle,
    StaffUser,
)
from portal.services import staff_accounts, staff_signin
from portal.staff.access import MAX_SESSION_SECONDS, PENDING_KEY, SESSION_KEY
from tests.conftest import make_app
from tests.staff_fixtures import PASSWORD, StaffAccount, create_staff, csrf_token, forget_used_code, login
from tests.tip_factory import make_tip

T0 = datetime(2026, 3, 1, 8, 0, 0, tzinfo=UTC)


# ---------------------------------------------------------------------------------------------
# Helpers


def user_row(app, username: str) -> StaffUser:
    with app.app_context():
        session = new_session()
        try:
            user = session.scalar(select(StaffUser).where(StaffUser.username == username))
            assert user is not None
            session.expunge(user)
            return user
        finally:
            session.close()


def set_user(app, username: str, **values: Any) -> None:
    with app.app_context():
        session = new_session()
        session.execute(update(StaffUser).where(StaffUser.username == username).values(**values))
        session.commit()
        session.close()


def audit_actions(app) -> list[tuple[str, str, dict[str, Any]]]:
    with app.app_context():
        session = new_session()
        try:
            return [(e.action, e.subject, e.detail) for e in session.scalars(select(AuditEntry)
                                                                             .order_by(AuditEntry.id))]
        finally:
            session.close()


def post_password(client, username: str, password: str, lang: str = "en"):
    page = client.get(f"/{lang}/staff/login")
    return client.post(f"/{lang}/staff/login", data={"username": username, "password": password,
                                                     **csrf_token(page.text)})


def post_code(client, code: str, lang: str = "en"):
    return client.post(f"/{lang}/staff/login/code", data={"code": code})


def error_text(html: str) -> str:
    start = html.index('id="sign-in-error"')
    return html[start:html.index("</div>", start)]


def is_signed_in(client) -> bool:
    response = client.get("/en/staff/")
    return response.status_code == 200


# ---------------------------------------------------------------------------------------------
# Signing in


def test_password_and_totp_sign_in_and_land_in_the_saved_language(app, client):
    account = create_staff(app, "editor", username="chanthy", language="km")
    response = login(client, account)
    assert response.location.endswith("/km/staff/")
    page = client.get(response.location)
    assert page.status_code == 200
    assert '<html lang="km">' in page.text
    assert "chanthy" in page.text
    actions = audit_actions(app)
    assert ("staff.sign_in", "chanthy", {"method": "totp", "recovery_codes_left": 10}) in actions
    assert user_row(app, "chanthy").last_sign_in_at is not None


def test_username_is_not_case_sensitive(app, client):
    account = create_staff(app, "moderator", username="lan")
    response = post_password(client, "  LAN ", account.password)
    assert response.status_code == 302
    assert response.location.endswith("/en/staff/login/code")


def test_wrong_password_and_unknown_account_get_the_same_answer(app, client, moderator):
    wrong = post_password(client, moderator.username, "not the password at all")
    unknown = post_password(client, "nobody-here", "not the password at all")
    assert wrong.status_code == unknown.status_code == 200
    assert error_text(wrong.text) == error_text(unknown.text)
    assert "5" in error_text(wrong.text)
    assert not is_signed_in(client)
    reasons = [detail["reason"] for action, _s, detail in audit_actions(app)
               if action == "staff.sign_in_failed"]
    assert reasons == ["wrong_password", "unknown_account"]
    # The name typed for an unknown account is not written to the log (it may be a password).
    assert all("nobody-here" not in str(entry) for entry in audit_actions(app))


def test_right_password_alone_does_not_sign_in(client, moderator):
    response = post_password(client, moderator.username, moderator.password)
    assert response.status_code == 302
    assert not is_signed_in(client)
    assert client.get("/en/staff/login/code").status_code == 200


def test_wrong_totp_code_is_refused(app, client, moderator):
    post_password(client, moderator.username, moderator.password)
    wrong = str((int(moderator.code()) + 1) % 1_000_000).zfill(6)
    response = post_code(client, wrong)
    assert response.status_code == 200
    assert "sign-in-error" in response.text
    assert not is_signed_in(client)
    assert [d["reason"] for a, _s, d in audit_actions(app) if a == "staff.sign_in_failed"] == ["wrong_code"]
    # The right code still works on the same page.
    response = post_code(client, moderator.code())
    assert response.status_code == 302
    assert is_signed_in(client)


def test_a_totp_code_is_accepted_only_once(app, moderator):
    first, second = app.test_client(), app.test_client()
    code = moderator.code()
    post_password(first, moderator.username, moderator.password)
    assert post_code(first, code).status_code == 302
    post_password(second, moderator.username, moderator.password)
    response = post_code(second, code)
    assert response.status_code == 200
    assert not is_signed_in(second)


def test_totp_accepts_one_step_of_clock_drift_and_no_more(app, db_session, moderator):
    with app.app_context():
        _check_drift(db_session, moderator)


def _check_drift(db_session, moderator):
    totp = pyotp.TOTP(moderator.totp_secret)
    with pytest.raises(staff_signin.SignInFailed):
        staff_signin.check_second_factor(db_session, moderator.id, totp.at(T0 - timedelta(seconds=60)),
                                           now=T0)
    result = staff_signin.check_second_factor(db_session, moderator.id,
                                                totp.at(T0 - timedelta(seconds=30)), now=T0)
    assert result.method == "totp"
    # A later code is still fine; the same or an older one no longer is.
    staff_signin.check_second_factor(db_session, moderator.id, totp.at(T0), now=T0)
    with pytest.raises(staff_signin.SignInFailed):
        staff_signin.check_second_factor(db_session, moderator.id, totp.at(T0), now=T0)


def test_recovery_code_works_once_only(app, moderator):
    code = moderator.recovery_codes[3]
    first = app.test_client()
    post_password(first, moderator.username, moderator.password)
    response = post_code(first, code.upper().replace("-", " "))
    assert response.status_code == 302
    home = first.get(response.location)
    assert "9" in home.text
    assert "recovery code" in home.text
    second = app.test_client()
    post_password(second, moderator.username, moderator.password)
    response = post_code(second, code)
    assert response.status_code == 200
    assert not is_signed_in(second)
    methods = [d.get("method") for a, _s, d in audit_actions(app) if a == "staff.sign_in"]
    assert methods == ["recovery_code"]


def test_recovery_codes_are_stored_hashed(db_session, moderator):
    stored = db_session.scalars(select(StaffRecoveryCode.code_hash)
                                .where(StaffRecoveryCode.user_id == moderator.id)).all()
    assert len(stored) == 10
    plain = {code.replace("-", "") for code in moderator.recovery_codes}
    assert not plain & set(stored)
    assert len(set(moderator.recovery_codes)) == 10


def test_password_is_stored_as_argon2id(moderator, app):
    stored = user_row(app, moderator.username).password_hash
    assert stored is not None
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored


# ---------------------------------------------------------------------------------------------
# Failed attempts (the slow-down tests are in the issue #13 section below)


def test_disabled_account_cannot_sign_in(app, client, moderator):
    set_user(app, moderator.username, active=False)
    response = post_password(client, moderator.username, moderator.password)
    assert response.status_code == 200
    assert "sign-in-error" in response.text


def test_sign_in_is_throttled_per_client(database_url, tmp_path, moderator):
    app = make_app(database_url, tmp_path, RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3/minute")
    try:
        client = app.test_client()
        statuses = [post_password(client, moderator.username, "wrong password").status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        assert client.get("/en/staff/login").status_code == 200  # reading the page is not limited
    finally:
        app.extensions["portal.engine"].dispose()


# ---------------------------------------------------------------------------------------------
# Sessions


def test_sign_in_starts_a_fresh_session(app, client, moderator):
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    login(client, moderator)
    with client.session_transaction() as session:
        assert "planted" not in session
        assert PENDING_KEY not in session
        sid = session[SESSION_KEY]["sid"]
    with app.app_context():
        db = new_session()
        row = db.scalar(select(StaffSession).where(StaffSession.token_hash == staff_signin.sha256(sid)))
        db.close()
    assert row is not None
    assert row.user_id == moderator.id


def test_sign_out_is_a_post_and_ends_the_session(app, client, moderator):
    login(client, moderator)
    assert client.get("/en/staff/logout").status_code == 405
    response = client.post("/en/staff/logout")
    assert response.status_code == 302
    assert response.location.endswith("/en/staff/login")
    assert "signed out" in client.get(response.location).text
    assert not is_signed_in(client)
    assert "staff.signed_out" in [a for a, _s, _d in audit_actions(app)]


def test_sign_out_everywhere_ends_the_other_devices_sessions(app, moderator):
    phone, laptop = app.test_client(), app.test_client()
    login(phone, moderator)
    login(laptop, moderator)
    assert is_signed_in(phone)
    assert is_signed_in(laptop)
    response = laptop.post("/en/staff/account/sign-out-everywhere")
    assert response.status_code == 302
    assert response.location.endswith("/en/staff/login")
    assert not is_signed_in(laptop)
    response = phone.get("/en/staff/")
    assert response.status_code == 302
    assert "/en/staff/login" in response.location
    assert "session has ended" in phone.get(response.location).text
    assert "staff.signed_out_everywhere" in [a for a, _s, _d in audit_actions(app)]
    # Signing in again works and is a new session.
    login(phone, moderator)
    assert is_signed_in(phone)


def test_disabling_an_account_ends_its_sessions(app, moderator):
    client = app.test_client()
    login(client, moderator)
    set_user(app, moderator.username, active=False)
    assert not is_signed_in(client)


def set_session_row(app, **values: Any) -> None:
    with app.app_context():
        db = new_session()
        db.execute(update(StaffSession).values(**values))
        db.commit()
        db.close()


def session_row(app) -> StaffSession:
    with app.app_context():
        db = new_session()
        [row] = db.scalars(select(StaffSession)).all()
        db.close()
    return row


def test_session_expires_after_inactivity(app, client, moderator):
    login(client, moderator)
    idle = timedelta(minutes=app.config["SESSION_IDLE_MINUTES"])
    set_session_row(app, last_seen_at=datetime.now(UTC) - idle + timedelta(minutes=2))
    assert is_signed_in(client)  # still within the limit, and the visit counts as activity
    assert session_row(app).last_seen_at >= datetime.now(UTC) - timedelta(seconds=5)
    set_session_row(app, last_seen_at=datetime.now(UTC) - idle - timedelta(seconds=1))
    response = client.get("/en/staff/account")
    assert response.status_code == 302
    assert response.location.endswith("/en/staff/login?next=/en/staff/account")
    page = client.get(response.location)
    assert "without activity" in page.text
    assert not is_signed_in(client)
    assert session_row(app).end_reason == "idle"


def test_session_ends_after_twelve_hours_however_active(app, client, moderator):
    login(client, moderator)
    set_session_row(app, created_at=datetime.now(UTC) - timedelta(seconds=MAX_SESSION_SECONDS + 1))
    assert not is_signed_in(client)
    assert session_row(app).end_reason == "expired"


def test_a_forged_or_broken_session_value_signs_nobody_in(client, moderator):
    with client.session_transaction() as session:
        session[SESSION_KEY] = {"id": moderator.id}
    assert not is_signed_in(client)
    login(client, moderator)
    with client.session_transaction() as session:
        session[SESSION_KEY] = {"sid": session[SESSION_KEY]["sid"][:-1] + "x"}
    assert not is_signed_in(client)


def test_second_step_must_follow_soon(client, moderator):
    post_password(client, moderator.username, moderator.password)
    with client.session_transaction() as session:
        session[PENDING_KEY] = {**session[PENDING_KEY], "at": int(time.time()) - 6 * 60}
    response = post_code(client, moderator.code())
    assert response.status_code == 302
    assert response.location.endswith("/en/staff/login")
    assert not is_signed_in(client)


def test_second_step_without_the_first_goes_back_to_sign_in(client):
    response = client.get("/en/staff/login/code")
    assert response.status_code == 302
    assert response.location.endswith("/en/staff/login")


def test_after_sign_in_the_page_asked_for_opens_in_the_members_language(app, client):
    account = create_staff(app, "admin", username="dara", language="km")
    response = client.get("/en/staff/accounts/?page=2")
    assert response.status_code == 302
    assert response.location.endswith("/en/staff/login?next=/en/staff/accounts/?page%3D2")
    page = client.get(response.location)
    response = client.post(response.location, data={"username": "dara", "password": account.password,
                                                     **csrf_token(page.text)})
    response = post_code(client, account.code())
    assert response.location == "/km/staff/accounts/?page=2"


@pytest.mark.parametrize("target", ["//evil.example/en/staff/", "https://evil.example/", "/en/monuments/",
                                    "/en/staff/\\\\evil.example"])
def test_sign_in_never_redirects_off_the_staff_pages(app, client, target):
    account = create_staff(app, "moderator", username="sokha")
    client.post(f"/en/staff/login?next={target}", data={"username": "sokha", "password": account.password})
    response = post_code(client, account.code())
    assert response.location == "/en/staff/"


def test_signed_in_member_opening_the_sign_in_page_goes_home(client, moderator):
    login(client, moderator)
    response = client.get("/en/staff/login")
    assert response.status_code == 302
    assert response.location.endswith("/en/staff/")


# ---------------------------------------------------------------------------------------------
# Headers and language


def test_staff_pages_are_never_cached_or_indexed(client, moderator):
    for response in (client.get("/km/staff/login"), client.get("/en/staff/no-such-page")):
        assert response.headers["Cache-Control"] == "no-store"
        assert "noindex" in response.headers["X-Robots-Tag"]
    login(client, moderator)
    response = client.get("/en/staff/")
    assert response.headers["Cache-Control"] == "no-store"
    assert "noindex" in response.headers["X-Robots-Tag"]
    public = client.get("/en/")
    assert "X-Robots-Tag" not in public.headers


def test_language_choice_is_remembered_on_the_account(app, client, moderator):
    login(client, moderator)
    response = client.post("/en/staff/account", data={"language": "km"})
    assert response.status_code == 302
    assert response.location.endswith("/km/staff/account")
    assert '<html lang="km">' in client.get(response.location).text
    assert user_row(app, moderator.username).language == "km"
    client.post("/km/staff/logout")
    assert login(client, moderator).location.endswith("/km/staff/")


def test_unknown_language_is_not_saved(app, client, moderator):
    login(client, moderator)
    response = client.post("/en/staff/account", data={"language": "fr"})
    assert response.status_code == 200
    assert user_row(app, moderator.username).language == "en"


@pytest.mark.parametrize("lang", ["vi", "km", "en"])
def test_sign_in_pages_are_translated(client, lang):
    page = client.get(f"/{lang}/staff/login")
    assert page.status_code == 200
    assert f'<html lang="{lang}">' in page.text
    assert 'for="username"' in page.text
    assert 'for="password"' in page.text


# ---------------------------------------------------------------------------------------------
# Set-up links


def new_link(app, username: str = "vanna", role: str = "moderator", language: str = "vi",
             now: datetime | None = None) -> str:
    with app.app_context():
        session = new_session()
        try:
            _user, token = staff_accounts.create_account(session, username=username, role=role,
                                                         language=language, actor_name="tests", now=now)
        finally:
            session.close()
    return token


def totp_secret_of(app, username: str) -> str:
    """The account's TOTP secret in clear (it is stored encrypted)."""
    with app.app_context():
        secret = staff_signin.totp_secret_of(user_row(app, username))
    assert secret
    return secret


NEW_PASSWORD = "a new long password"


def open_link(client, token: str, lang: str = "en"):
    """Open a set-up link as its recipient would; return the set-up page it leads to."""
    response = client.get(f"/{lang}/staff/setup/{token}")
    assert response.status_code == 302
    return client.get(response.location)


def finish_setup(client, app, token: str | None, password: str = NEW_PASSWORD, lang: str = "en",
                 code: str | None = None):
    """Open the link (unless ``token`` is None: already opened in this client), then fill in the form."""
    page = open_link(client, token, lang) if token else client.get(f"/{lang}/staff/setup")
    assert page.status_code == 200
    return client.post(f"/{lang}/staff/setup", data={
        "password": password, "confirm": password,
        "code": code or pyotp.TOTP(totp_secret_of(app, "vanna")).now(), **csrf_token(page.text)})


def test_set_up_link_enrols_totp_and_shows_recovery_codes_once(app, client):
    token = new_link(app)
    page = open_link(client, token)
    assert '<img src="data:image/svg+xml' in page.text
    assert " style=" not in page.text
    secret = totp_secret_of(app, "vanna")
    assert secret[:4] in page.text
    response = finish_setup(client, app, None)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    codes = [line.split("<code>")[1].split("</code>")[0] for line in response.text.splitlines()
             if "<code>" in line]
    assert len(codes) == 10
    assert "staff.setup_completed" in [a for a, _s, _d in audit_actions(app)]

    # The account now signs in with its password and a recovery code.
    post_password(client, "vanna", "a new long password")
    assert post_code(client, codes[0]).status_code == 302
    assert is_signed_in(client)


def test_set_up_link_works_once(app, client):
    token = new_link(app)
    assert finish_setup(client, app, token).status_code == 200
    again = client.get(f"/en/staff/setup/{token}")
    assert again.status_code == 404
    assert "does not work" in again.text
    response = client.post("/en/staff/setup", data={
        "password": "another long password", "confirm": "another long password", "code": "123456"})
    assert response.status_code == 404


def test_set_up_link_expires_after_48_hours(app, client):
    token = new_link(app, now=datetime.now(UTC) - timedelta(hours=48, seconds=1))
    assert client.get(f"/en/staff/setup/{token}").status_code == 404
    fresh = new_link(app, username="sreyneang", now=datetime.now(UTC) - timedelta(hours=47))
    assert open_link(client, fresh).status_code == 200


def test_unknown_set_up_link_is_not_found(client):
    assert client.get("/en/staff/setup/made-up-token").status_code == 404


def test_set_up_refuses_a_short_password_and_a_wrong_code(app, client):
    token = new_link(app)
    response = finish_setup(client, app, token, password="short")
    assert response.status_code == 200
    assert 'class="field-error"' in response.text
    response = finish_setup(client, app, None, code="000000")
    assert response.status_code == 200
    assert "That code is not right" in response.text
    response = finish_setup(client, app, None, password="my name is vanna ok")
    assert "must not contain the username" in response.text
    with app.app_context():
        session = new_session()
        link = session.scalar(select(StaffSetupLink))
        assert link is not None
        assert link.used_at is None
        session.close()
    assert finish_setup(client, app, None).status_code == 200


def test_set_up_link_token_is_stored_hashed(app):
    token = new_link(app)
    with app.app_context():
        session = new_session()
        stored = session.scalar(select(StaffSetupLink.token_hash))
        session.close()
    assert stored != token
    assert len(stored) == 64


def test_account_waiting_for_set_up_cannot_sign_in(app, client):
    new_link(app)
    response = post_password(client, "vanna", "")
    assert response.status_code == 200
    response = post_password(client, "vanna", "any password at all")
    assert "sign-in-error" in response.text


# ---------------------------------------------------------------------------------------------
# CSRF: with protection on, a POST without the token changes nothing


def test_sign_in_without_csrf_token_is_not_acted_on(csrf_app, moderator):
    client = csrf_app.test_client()
    response = client.post("/en/staff/login", data={"username": moderator.username,
                                                    "password": moderator.password})
    assert response.status_code == 200
    assert 'id="csrf-error"' in response.text
    with client.session_transaction() as session:
        assert PENDING_KEY not in session
    forget_used_code(csrf_app, moderator)
    login(client, moderator)  # with the token it works


def test_second_step_without_csrf_token_is_not_acted_on(csrf_app, moderator):
    client = csrf_app.test_client()
    page = client.get("/en/staff/login")
    client.post("/en/staff/login", data={"username": moderator.username, "password": moderator.password,
                                         **csrf_token(page.text)})
    response = client.post("/en/staff/login/code", data={"code": moderator.code()})
    assert response.status_code == 200
    assert 'id="csrf-error"' in response.text
    assert not is_signed_in(client)


def test_sign_out_without_csrf_token_is_refused(csrf_app, moderator):
    client = csrf_app.test_client()
    login(client, moderator)
    assert client.post("/en/staff/logout").status_code == 400
    assert client.post("/en/staff/account/sign-out-everywhere").status_code == 400
    assert is_signed_in(client)
    assert session_row(csrf_app).ended_at is None
    page = client.get("/en/staff/")
    assert client.post("/en/staff/logout", data=csrf_token(page.text)).status_code == 302
    assert not is_signed_in(client)


def test_language_form_without_csrf_token_is_not_acted_on(csrf_app, moderator):
    client = csrf_app.test_client()
    login(client, moderator)
    response = client.post("/en/staff/account", data={"language": "km"})
    assert response.status_code == 200
    assert 'id="csrf-error"' in response.text
    assert user_row(csrf_app, moderator.username).language == "en"


def test_set_up_without_csrf_token_is_not_acted_on(csrf_app):
    token = new_link(csrf_app)
    client = csrf_app.test_client()
    open_link(client, token)
    response = client.post("/en/staff/setup", data={
        "password": "a new long password", "confirm": "a new long password",
        "code": pyotp.TOTP(totp_secret_of(csrf_app, "vanna")).now()})
    assert response.status_code == 200
    assert 'id="csrf-error"' in response.text
    assert user_row(csrf_app, "vanna").password_hash is None


# ---------------------------------------------------------------------------------------------
# Issue #13: server-side sessions — a copied cookie dies with the session


CONTACT_PHONE = "+855 12 999 888"


def _copied_cookie(client) -> str:
    cookie = client.get_cookie("portal")
    assert cookie is not None
    return cookie.value


def _replay(app, cookie: str):
    thief = app.test_client()
    thief.set_cookie("portal", cookie)
    return thief


def _sign_out(app, client, account, admin_client) -> None:
    client.post("/en/staff/logout")


def _sign_out_everywhere(app, client, account, admin_client) -> None:
    client.post("/en/staff/account/sign-out-everywhere")


def _disable(app, client, account, admin_client) -> None:
    assert admin_client.post(f"/en/staff/accounts/{account.id}/disable").status_code == 302
    assert admin_client.post(f"/en/staff/accounts/{account.id}/enable").status_code == 302


def _role_change(app, client, account, admin_client) -> None:
    assert admin_client.post(f"/en/staff/accounts/{account.id}/role", data={"role": "admin"}).status_code == 302


@pytest.mark.parametrize("action", [_sign_out, _sign_out_everywhere, _disable, _role_change],
                         ids=["sign-out", "sign-out-everywhere", "disable", "role-change"])
def test_a_cookie_copied_before_the_session_ended_opens_nothing(app, admin, moderator, action):
    tip = make_tip(app, contact_phone=CONTACT_PHONE)
    admin_client, client = app.test_client(), app.test_client()
    login(admin_client, admin)
    login(client, moderator)
    reveal = f"/en/staff/tips/{tip.tip_id}/contact"
    assert CONTACT_PHONE in client.post(reveal).text
    copied = _copied_cookie(client)
    assert CONTACT_PHONE in _replay(app, copied).post(reveal).text
    action(app, client, moderator, admin_client)
    for response in (_replay(app, copied).post(reveal), _replay(app, copied).get("/en/staff/queue"),
                     _replay(app, copied).get(f"/en/staff/tips/{tip.tip_id}")):
        assert response.status_code == 302
        assert "/en/staff/login" in response.location
        assert CONTACT_PHONE not in response.text


def test_the_cookie_carries_only_a_random_session_id_stored_hashed(app, client, moderator):
    login(client, moderator)
    with client.session_transaction() as session:
        data = session[SESSION_KEY]
        assert set(data) == {"sid"}
        sid = data["sid"]
    assert len(sid) >= 40
    with app.app_context():
        db = new_session()
        [row] = db.scalars(select(StaffSession)).all()
        db.close()
    assert row.user_id == moderator.id
    assert row.token_hash == staff_signin.sha256(sid)
    assert sid not in row.token_hash


def test_staff_see_their_sessions_and_end_another_one(app, moderator):
    phone, laptop = app.test_client(), app.test_client()
    phone.environ_base["HTTP_USER_AGENT"] = "Mozilla/5.0 (Linux; Android 14) Chrome/130.0 Mobile Safari/537.36"
    laptop.environ_base["HTTP_USER_AGENT"] = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
    login(phone, moderator)
    login(laptop, moderator)
    page = laptop.get("/en/staff/sessions")
    assert page.status_code == 200
    assert "Firefox" in page.text
    assert "Chrome" in page.text
    assert page.text.count('class="session-current"') == 1
    ids = re.findall(r'action="/en/staff/sessions/(\d+)/end"', page.text)
    assert len(ids) == 2
    with app.app_context():
        db = new_session()
        phone_row = db.scalar(select(StaffSession).where(StaffSession.user_agent.like("Chrome%")))
        db.close()
    assert phone_row is not None
    response = laptop.post(f"/en/staff/sessions/{phone_row.id}/end")
    assert response.status_code == 302
    assert response.location.endswith("/en/staff/sessions")
    assert not is_signed_in(phone)
    assert is_signed_in(laptop)
    assert len(re.findall(r'action="/en/staff/sessions/(\d+)/end"', laptop.get("/en/staff/sessions").text)) == 1


def test_ending_someone_elses_session_is_not_possible(app, moderator, editor):
    mine, theirs = app.test_client(), app.test_client()
    login(mine, moderator)
    login(theirs, editor)
    with app.app_context():
        db = new_session()
        editor_row = db.scalar(select(StaffSession).where(StaffSession.user_id == editor.id))
        db.close()
    assert mine.post(f"/en/staff/sessions/{editor_row.id}/end").status_code == 404
    assert is_signed_in(theirs)


def test_ending_a_session_without_csrf_token_is_refused(csrf_app, moderator):
    client = csrf_app.test_client()
    login(client, moderator)
    page = client.get("/en/staff/sessions")
    [sid] = re.findall(r'action="/en/staff/sessions/(\d+)/end"', page.text)
    assert client.post(f"/en/staff/sessions/{sid}/end").status_code == 400
    assert is_signed_in(client)
    response = client.post(f"/en/staff/sessions/{sid}/end", data=csrf_token(page.text))
    assert response.status_code == 302
    assert not is_signed_in(client)


def test_a_staff_request_writes_last_seen_at_most_every_few_seconds(app, client, moderator):
    login(client, moderator)
    engine = app.extensions["portal.engine"]
    writes: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        if statement.lstrip().upper().startswith(("UPDATE", "INSERT", "DELETE")):
            writes.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        for _ in range(5):
            assert client.get("/en/staff/").status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert writes == []


# ---------------------------------------------------------------------------------------------
# Issue #13: TOTP secrets are encrypted with PORTAL_TOTP_KEY, which can be rotated

BASE32_RUN = re.compile(r"[A-Z2-7]{16,}")
OLD_KEY = "old-totp-key-" + "o" * 40
NEW_KEY = "new-totp-key-" + "n" * 40


def stored_totp_column(app, username: str) -> str:
    with app.app_context():
        db = new_session()
        try:
            value = db.execute(text("SELECT totp_secret FROM staff_user WHERE username = :u"),
                               {"u": username}).scalar_one()
        finally:
            db.close()
    return str(value)


def test_totp_secret_is_stored_encrypted_and_sign_in_still_works(app, client):
    token = new_link(app)
    page = client.get(f"/en/staff/setup/{token}", follow_redirects=True)
    start = page.text.index('id="totp-secret"')
    shown = "".join(re.findall(r"<span>([A-Z2-7]{1,4})</span>", page.text[start:page.text.index("</p>", start)]))
    stored = stored_totp_column(app, "vanna")
    assert len(shown) >= 16
    assert shown not in stored
    assert not BASE32_RUN.search(stored)
    assert stored.startswith("v1:")
    assert finish_setup(client, app, None).status_code == 200
    stored = stored_totp_column(app, "vanna")
    assert shown not in stored
    account = StaffAccount(id=user_row(app, "vanna").id, username="vanna", role="moderator",
                           password=NEW_PASSWORD, totp_secret=shown)
    assert login(app.test_client(), account).status_code == 302


def test_totp_key_rotation_re_encrypts_every_secret(database_url, tmp_path):
    old_app = make_app(database_url, tmp_path, TOTP_KEY=OLD_KEY)
    account = create_staff(old_app, "moderator", username="rotating")
    legacy = create_staff(old_app, "editor", username="legacy")
    set_user(old_app, "legacy", totp_secret=legacy.totp_secret)  # a clear value from before encryption
    before = stored_totp_column(old_app, "rotating")

    both = make_app(database_url, tmp_path, TOTP_KEY=f"{NEW_KEY},{OLD_KEY}")
    login(both.test_client(), account)  # the old key still decrypts
    login(both.test_client(), legacy)  # and a legacy clear secret still works
    result = both.test_cli_runner().invoke(args=["staff", "rotate-totp-key"])
    assert result.exit_code == 0, result.output
    assert "2" in result.output
    after = stored_totp_column(both, "rotating")
    assert after != before
    assert after.split(":")[1] != before.split(":")[1]  # another key id
    assert not BASE32_RUN.search(stored_totp_column(both, "legacy"))

    new_only = make_app(database_url, tmp_path, TOTP_KEY=NEW_KEY)
    login(new_only.test_client(), account)
    login(new_only.test_client(), legacy)
    old_only = make_app(database_url, tmp_path, TOTP_KEY=OLD_KEY)
    with old_only.app_context(), pytest.raises(staff_accounts.TotpKeyMissing):
        staff_signin.totp_secret_of(user_row(old_only, "rotating"))


@pytest.mark.parametrize("totp_key", [None, "", "short", "s" * 40, "r" * 40, f"{'t' * 40},short"])
def test_production_refuses_a_missing_weak_or_reused_totp_key(tmp_path, totp_key):
    environ = {"PORTAL_ENV": "production", "PORTAL_SECRET_KEY": "s" * 40, "PORTAL_RECEIPT_KEY": "r" * 40}
    if totp_key is not None:
        environ["PORTAL_TOTP_KEY"] = totp_key
    with pytest.raises(ConfigError, match="PORTAL_TOTP_KEY"):
        build_config(str(tmp_path), environ=environ)
    environ["PORTAL_TOTP_KEY"] = "t" * 40
    assert build_config(str(tmp_path), environ=environ)["TOTP_KEY"] == "t" * 40


# ---------------------------------------------------------------------------------------------
# Issue #13: failed sign-ins slow down the client that fails, and never lock the account

STRANGER, OFFICE = "203.0.113.9", "198.51.100.7"


def from_address(app, address: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def test_a_stranger_failing_fifty_times_does_not_keep_the_real_user_out(app, moderator):
    stranger = from_address(app, STRANGER)
    answers = [post_password(stranger, moderator.username, f"guess number {n}") for n in range(50)]
    assert all(answer.status_code == 200 for answer in answers)
    assert "must wait" in error_text(answers[-1].text)
    # Even the right password is refused from the stranger's address for now.
    refused = post_password(stranger, moderator.username, moderator.password)
    assert refused.status_code == 200
    assert "must wait" in error_text(refused.text)
    reasons = [d["reason"] for a, _s, d in audit_actions(app) if a == "staff.sign_in_failed"]
    assert reasons.count("wrong_password") == staff_signin.FREE_ATTEMPTS
    assert reasons.count("slowed_down") == 50 - staff_signin.FREE_ATTEMPTS + 1

    office = from_address(app, OFFICE)
    login(office, moderator)
    assert is_signed_in(office)
    # The address is never stored, only a keyed hash of it.
    with app.app_context():
        db = new_session()
        rows = db.scalars(select(StaffSignInThrottle)).all()
        db.close()
    assert rows
    assert all(STRANGER not in row.client_hash for row in rows)
    assert all(STRANGER not in str(entry) for entry in audit_actions(app))


def test_the_wait_grows_with_each_failure_and_ends_with_the_clock(app, db_session, moderator):
    with app.app_context():
        for n in range(staff_signin.FREE_ATTEMPTS):
            with pytest.raises(staff_signin.SignInFailed) as failure:
                staff_signin.check_password(db_session, moderator.username, "wrong", client=STRANGER,
                                              now=T0 + timedelta(seconds=n))
            assert failure.value.reason == "wrong_password"
        waits = []
        at = T0 + timedelta(seconds=10)
        for _ in range(4):
            with pytest.raises(staff_signin.SignInFailed) as failure:
                staff_signin.check_password(db_session, moderator.username, moderator.password,
                                              client=STRANGER, now=at)
            assert failure.value.reason == "slowed_down"
            waits.append(failure.value.wait_seconds)
            at += timedelta(seconds=failure.value.wait_seconds + 1)
            with pytest.raises(staff_signin.SignInFailed):
                staff_signin.check_password(db_session, moderator.username, "wrong again",
                                              client=STRANGER, now=at)
        assert waits == sorted(waits)
        assert waits[-1] > waits[0]
        # Another address is never slowed down by the stranger.
        user = staff_signin.check_password(db_session, moderator.username, moderator.password,
                                             client=OFFICE, now=at)
        assert user.id == moderator.id
        # Once the wait is over, the right password works from the stranger's address too.
        row = db_session.scalar(select(StaffSignInThrottle).where(StaffSignInThrottle.user_id == moderator.id))
        assert row is not None and row.blocked_until is not None
        user = staff_signin.check_password(db_session, moderator.username, moderator.password,
                                             client=STRANGER, now=row.blocked_until + timedelta(seconds=1))
        assert user.id == moderator.id


def test_unknown_accounts_are_slowed_down_the_same_way(app, moderator):
    stranger = from_address(app, STRANGER)
    known = [post_password(stranger, moderator.username, "wrong") for _ in range(7)]
    unknown = [post_password(stranger, "nobody-here", "wrong") for _ in range(7)]
    assert [error_text(r.text) for r in known] == [error_text(r.text) for r in unknown]


def test_wrong_codes_slow_down_that_client_only(app, moderator):
    stranger = from_address(app, STRANGER)
    post_password(stranger, moderator.username, moderator.password)
    for _ in range(staff_signin.FREE_ATTEMPTS - 1):
        assert post_code(stranger, "000000").status_code == 200
    response = post_code(stranger, "000000")
    # The fifth wrong code sends the stranger back to the first step, where it must wait.
    assert response.status_code == 302
    assert response.location.endswith("/en/staff/login")
    assert "must wait" in stranger.get(response.location).text
    assert "must wait" in error_text(post_password(stranger, moderator.username, moderator.password).text)
    assert not is_signed_in(stranger)
    office = from_address(app, OFFICE)
    login(office, moderator)
    assert is_signed_in(office)


def test_admins_are_told_which_accounts_are_under_attack(app, admin, moderator):
    stranger = from_address(app, STRANGER)
    for _ in range(staff_signin.FREE_ATTEMPTS + 2):
        post_password(stranger, moderator.username, "wrong password")
    slowed = [(s, d) for a, s, d in audit_actions(app) if a == "staff.sign_in_slowed"]
    assert slowed
    assert slowed[0][0] == "moderator"
    admin_client = app.test_client()
    login(admin_client, admin)
    for path in ("/en/staff/accounts/", "/en/staff/"):
        notice = admin_client.get(path).text
        assert 'id="sign-in-attack-notice"' in notice, path
        start = notice.index('id="sign-in-attack-notice"')
        assert "moderator" in notice[start:notice.index("</div>", start)]
    mod_client = from_address(app, OFFICE)
    login(mod_client, moderator)
    assert 'id="sign-in-attack-notice"' not in mod_client.get("/en/staff/").text


# ---------------------------------------------------------------------------------------------
# Issue #13: a set-up link works once and leaves the address bar; only the opening session ends it


def test_set_up_link_is_swapped_for_the_session_on_first_use(app, client):
    token = new_link(app)
    first = client.get(f"/en/staff/setup/{token}")
    assert first.status_code == 302
    assert first.location.endswith("/en/staff/setup")
    assert token not in first.location
    page = client.get(first.location)
    assert page.status_code == 200
    assert token not in page.text
    assert 'action="/en/staff/setup"' in page.text
    # The same link no longer works anywhere, not even in the same browser.
    assert app.test_client().get(f"/en/staff/setup/{token}").status_code == 404
    assert client.get(f"/en/staff/setup/{token}").status_code == 404
    assert "staff.setup_link_opened" in [a for a, _s, _d in audit_actions(app)]


def test_an_opened_set_up_link_is_completed_only_in_the_opening_session(app, client):
    token = new_link(app)
    client.get(f"/en/staff/setup/{token}")
    code = pyotp.TOTP(totp_secret_of(app, "vanna")).now()
    data = {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD, "code": code}
    other = app.test_client()
    assert other.get("/en/staff/setup").status_code == 404
    assert other.post("/en/staff/setup", data=data).status_code == 404
    assert other.post(f"/en/staff/setup/{token}", data=data).status_code in (404, 405)
    assert user_row(app, "vanna").password_hash is None
    response = client.post("/en/staff/setup", data=data)
    assert response.status_code == 200
    assert len(re.findall(r"<code>", response.text)) == 10
    assert user_row(app, "vanna").password_hash is not None
