"""Staff sign-in: two factors, one answer for every failure, lock-out, sessions that end."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pyotp
import pytest
from sqlalchemy import select, update

from portal.db import new_session
from portal.models.audit import AuditEntry
from portal.models.staff import StaffRecoveryCode, StaffSetupLink, StaffUser
from portal.services import staff_accounts
from portal.staff.access import MAX_SESSION_SECONDS, PENDING_KEY, SESSION_KEY
from tests.conftest import make_app
from tests.staff_fixtures import PASSWORD, create_staff, csrf_token, forget_used_code, login

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
    assert user_row(app, moderator.username).failed_attempts == 1
    # The right code still works on the same page.
    response = post_code(client, moderator.code())
    assert response.status_code == 302
    assert is_signed_in(client)
    assert user_row(app, moderator.username).failed_attempts == 0


def test_a_totp_code_is_accepted_only_once(app, moderator):
    first, second = app.test_client(), app.test_client()
    code = moderator.code()
    post_password(first, moderator.username, moderator.password)
    assert post_code(first, code).status_code == 302
    post_password(second, moderator.username, moderator.password)
    response = post_code(second, code)
    assert response.status_code == 200
    assert not is_signed_in(second)


def test_totp_accepts_one_step_of_clock_drift_and_no_more(db_session, moderator):
    totp = pyotp.TOTP(moderator.totp_secret)
    with pytest.raises(staff_accounts.SignInFailed):
        staff_accounts.check_second_factor(db_session, moderator.id, totp.at(T0 - timedelta(seconds=60)),
                                           now=T0)
    result = staff_accounts.check_second_factor(db_session, moderator.id,
                                                totp.at(T0 - timedelta(seconds=30)), now=T0)
    assert result.method == "totp"
    # A later code is still fine; the same or an older one no longer is.
    staff_accounts.check_second_factor(db_session, moderator.id, totp.at(T0), now=T0)
    with pytest.raises(staff_accounts.SignInFailed):
        staff_accounts.check_second_factor(db_session, moderator.id, totp.at(T0), now=T0)


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
# Lock-out


def test_five_wrong_passwords_lock_the_account_for_a_while(app, client, moderator):
    for _ in range(staff_accounts.MAX_FAILED_ATTEMPTS):
        post_password(client, moderator.username, "wrong password here")
    locked = post_password(client, moderator.username, moderator.password)
    assert locked.status_code == 200
    unknown = post_password(client, "nobody-here", "wrong password here")
    assert error_text(locked.text) == error_text(unknown.text)
    assert [a for a, _s, _d in audit_actions(app)].count("staff.locked_out") == 1
    row = user_row(app, moderator.username)
    assert row.locked_until is not None

    # The lock ends by itself: move its end into the past instead of waiting.
    set_user(app, moderator.username, locked_until=datetime.now(UTC) - timedelta(seconds=1))
    login(client, moderator)
    assert is_signed_in(client)


def test_wrong_codes_count_towards_the_lock_out(app, client, moderator):
    post_password(client, moderator.username, moderator.password)
    for _ in range(staff_accounts.MAX_FAILED_ATTEMPTS - 1):
        assert post_code(client, "000000").status_code == 200
    response = post_code(client, "000000")
    # The fifth wrong code locks the account: even the right code is refused now.
    assert response.status_code == 200
    response = post_code(client, moderator.code())
    assert response.status_code == 302
    assert response.location.endswith("/en/staff/login")
    assert not is_signed_in(client)
    assert user_row(app, moderator.username).locked_until is not None


def test_lock_out_expires_with_the_clock(app, db_session, moderator):
    with app.app_context():
        _lock_out_and_wait(db_session, moderator)


def _lock_out_and_wait(db_session, moderator):
    for _ in range(staff_accounts.MAX_FAILED_ATTEMPTS):
        with pytest.raises(staff_accounts.SignInFailed):
            staff_accounts.check_password(db_session, moderator.username, "wrong password", now=T0)
    with pytest.raises(staff_accounts.SignInFailed) as failure:
        staff_accounts.check_password(db_session, moderator.username, moderator.password,
                                      now=T0 + timedelta(minutes=14))
    assert failure.value.reason == "locked"
    db_session.rollback()
    row = db_session.get(StaffUser, moderator.id)
    assert row is not None
    assert row.locked_until == T0 + staff_accounts.LOCKOUT
    user = staff_accounts.check_password(db_session, moderator.username, moderator.password,
                                         now=T0 + timedelta(minutes=16))
    assert user.id == moderator.id


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


def test_sign_in_starts_a_fresh_session(client, moderator):
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    login(client, moderator)
    with client.session_transaction() as session:
        assert "planted" not in session
        assert PENDING_KEY not in session
        assert session[SESSION_KEY]["id"] == moderator.id


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


def test_session_expires_after_inactivity(app, client, moderator):
    login(client, moderator)
    idle = app.config["SESSION_IDLE_MINUTES"] * 60
    with client.session_transaction() as session:
        session[SESSION_KEY] = {**session[SESSION_KEY], "seen": int(time.time()) - idle + 120}
    assert is_signed_in(client)  # still within the limit, and the visit counts as activity
    with client.session_transaction() as session:
        assert session[SESSION_KEY]["seen"] >= int(time.time()) - 5
        session[SESSION_KEY] = {**session[SESSION_KEY], "seen": int(time.time()) - idle - 1}
    response = client.get("/en/staff/account")
    assert response.status_code == 302
    assert response.location.endswith("/en/staff/login?next=/en/staff/account")
    page = client.get(response.location)
    assert "without activity" in page.text
    assert not is_signed_in(client)


def test_session_ends_after_twelve_hours_however_active(client, moderator):
    login(client, moderator)
    with client.session_transaction() as session:
        session[SESSION_KEY] = {**session[SESSION_KEY], "since": int(time.time()) - MAX_SESSION_SECONDS - 1}
    assert not is_signed_in(client)


def test_a_forged_or_broken_session_value_signs_nobody_in(client, moderator):
    with client.session_transaction() as session:
        session[SESSION_KEY] = {"id": moderator.id}
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
    secret = user_row(app, username).totp_secret
    assert secret
    return secret


NEW_PASSWORD = "a new long password"


def finish_setup(client, app, token: str, password: str = NEW_PASSWORD, lang: str = "en",
                 code: str | None = None):
    page = client.get(f"/{lang}/staff/setup/{token}")
    assert page.status_code == 200
    return client.post(f"/{lang}/staff/setup/{token}", data={
        "password": password, "confirm": password,
        "code": code or pyotp.TOTP(totp_secret_of(app, "vanna")).now(), **csrf_token(page.text)})


def test_set_up_link_enrols_totp_and_shows_recovery_codes_once(app, client):
    token = new_link(app)
    page = client.get(f"/en/staff/setup/{token}")
    assert '<img src="data:image/svg+xml' in page.text
    assert " style=" not in page.text
    secret = totp_secret_of(app, "vanna")
    assert secret[:4] in page.text
    response = finish_setup(client, app, token)
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
    response = client.post(f"/en/staff/setup/{token}", data={
        "password": "another long password", "confirm": "another long password", "code": "123456"})
    assert response.status_code == 404


def test_set_up_link_expires_after_48_hours(app, client):
    token = new_link(app, now=datetime.now(UTC) - timedelta(hours=48, seconds=1))
    assert client.get(f"/en/staff/setup/{token}").status_code == 404
    fresh = new_link(app, username="sreyneang", now=datetime.now(UTC) - timedelta(hours=47))
    assert client.get(f"/en/staff/setup/{fresh}").status_code == 200


def test_unknown_set_up_link_is_not_found(client):
    assert client.get("/en/staff/setup/made-up-token").status_code == 404


def test_set_up_refuses_a_short_password_and_a_wrong_code(app, client):
    token = new_link(app)
    response = finish_setup(client, app, token, password="short")
    assert response.status_code == 200
    assert 'class="field-error"' in response.text
    response = finish_setup(client, app, token, code="000000")
    assert response.status_code == 200
    assert "That code is not right" in response.text
    response = finish_setup(client, app, token, password="my name is vanna ok")
    assert "must not contain the username" in response.text
    with app.app_context():
        session = new_session()
        link = session.scalar(select(StaffSetupLink))
        assert link is not None
        assert link.used_at is None
        session.close()
    assert finish_setup(client, app, token).status_code == 200


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
    assert user_row(csrf_app, moderator.username).session_generation == 0
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
    response = client.post(f"/en/staff/setup/{token}", data={
        "password": "a new long password", "confirm": "a new long password",
        "code": pyotp.TOTP(totp_secret_of(csrf_app, "vanna")).now()})
    assert response.status_code == 200
    assert 'id="csrf-error"' in response.text
    assert user_row(csrf_app, "vanna").password_hash is None
