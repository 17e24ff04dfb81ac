"""Staff fixtures: one account per role (``moderator``, ``editor``, ``admin``) and ``login``.

Each account has a known password and TOTP secret and ten recovery codes. ``login(client,
account)`` signs a test client in through the real two steps (password, then a TOTP code
from pyotp); it forgets the last accepted TOTP step first, so one test may sign the same
account in several times within 30 seconds.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from typing import Any

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import update

from portal.db import new_session
from portal.models.staff import StaffUser
from portal.services import staff_accounts

PASSWORD = "correct horse battery staple"
CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
_numbers = itertools.count(1)


@dataclass
class StaffAccount:
    id: int
    username: str
    role: str
    password: str
    totp_secret: str
    language: str = "en"
    recovery_codes: list[str] = field(default_factory=list)

    def code(self) -> str:
        return pyotp.TOTP(self.totp_secret).now()


def create_staff(app: Flask, role: str, *, username: str | None = None, language: str = "en",
                 password: str = PASSWORD) -> StaffAccount:
    """A ready account (password chosen, TOTP confirmed), created through the service."""
    username = username or f"{role}{next(_numbers)}"
    secret = pyotp.random_base32()
    with app.app_context():
        session = new_session()
        try:
            user, codes = staff_accounts.create_enrolled_account(
                session, username=username, role=role, language=language, password=password,
                totp_secret=secret, code=pyotp.TOTP(secret).now(), actor_name="tests")
            account = StaffAccount(id=user.id, username=user.username, role=role, password=password,
                                   totp_secret=secret, language=language, recovery_codes=codes)
        finally:
            session.close()
    forget_used_code(app, account)
    return account


def forget_used_code(app: Flask, account: StaffAccount) -> None:
    """Let the current TOTP code be used again (the portal refuses a code it already accepted)."""
    with app.app_context():
        session = new_session()
        try:
            session.execute(update(StaffUser).where(StaffUser.id == account.id).values(totp_last_step=None))
            session.commit()
        finally:
            session.close()


def csrf_token(html: str) -> dict[str, str]:
    """The form's CSRF token as POST data, or nothing when CSRF is off."""
    match = CSRF_INPUT.search(html)
    if not match:
        return {}
    return {"csrf_token": match.group(1)}


def login(client: FlaskClient, account: StaffAccount, *, lang: str = "en") -> Any:
    """Sign the client in with the password, then a TOTP code; return the final redirect."""
    forget_used_code(client.application, account)
    page = client.get(f"/{lang}/staff/login")
    response = client.post(f"/{lang}/staff/login", data={
        "username": account.username, "password": account.password, **csrf_token(page.text)})
    assert response.status_code == 302, response.text
    assert response.location.endswith(f"/{lang}/staff/login/code")
    page = client.get(response.location)
    response = client.post(f"/{lang}/staff/login/code", data={"code": account.code(),
                                                               **csrf_token(page.text)})
    assert response.status_code == 302, response.text
    assert "/staff/login" not in response.location
    return response


@pytest.fixture
def moderator(app: Flask) -> StaffAccount:
    return create_staff(app, "moderator", username="moderator")


@pytest.fixture
def editor(app: Flask) -> StaffAccount:
    return create_staff(app, "editor", username="editor")


@pytest.fixture
def admin(app: Flask) -> StaffAccount:
    return create_staff(app, "admin", username="admin")
