"""Signing staff in: the password, the second factor (TOTP or a recovery code), slowing guessers.

Failures all look the same from outside (unknown account, wrong password, disabled, not set up
yet): :class:`SignInFailed`, whose ``reason`` only the audit log and tests read. Creating
accounts, set-up links, roles and disabling are :mod:`portal.services.staff_accounts`; the
server-side sessions a sign-in starts are :mod:`portal.services.staff_sessions`.

Failed sign-ins never lock an account (that would let a stranger keep every moderator out).
They are counted per typed account name *and* client address (both as keyed hashes): after
:data:`FREE_ATTEMPTS` failures that client must wait before each further try for that name,
longer each time, while every other client signs in as usual. Admins see which accounts are
being guessed (:func:`accounts_under_attack`, and ``staff.sign_in_slowed`` audit entries).

TOTP secrets are stored encrypted (:mod:`portal.services.totp_keys`); :func:`totp_secret_of`
reads one.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

import pyotp
from flask import current_app
from pyotp.utils import strings_equal
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from portal.db import write_transaction
from portal.models.staff import StaffRecoveryCode, StaffSignInThrottle, StaffUser
from portal.models.types import utcnow
from portal.services import audit, passwords, totp_keys

FREE_ATTEMPTS = 5  # failures of one client for one account name before it must wait
FIRST_WAIT = timedelta(minutes=1)  # then 2, 4, 8 … minutes after each further failure
LONGEST_WAIT = timedelta(hours=1)
FORGET_FAILURES = timedelta(hours=24)  # a client's failures older than this no longer count
RECOVERY_CODE_LENGTH = 16  # 16 base32 characters: 80 random bits
TOTP_VALID_WINDOW = 1


class SignInFailed(Exception):
    """The one answer for every failed sign-in; ``reason`` is for the audit log and tests only.

    ``wait_seconds`` is set when this client must wait before trying this account name again
    (reason ``slowed_down``, or the failure that started the wait).
    """

    def __init__(self, reason: str, wait_seconds: int = 0) -> None:
        super().__init__(reason)
        self.reason = reason
        self.wait_seconds = wait_seconds


@dataclass(frozen=True)
class SignIn:
    """A completed sign-in."""

    user: StaffUser
    method: str  # "totp" or "recovery_code"
    recovery_codes_left: int


# ---------------------------------------------------------------------------------------------
# Small helpers


def sha256(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def totp_secret_of(user: StaffUser) -> str:
    """The account's TOTP secret in clear (for the QR code and code checks); "" when none."""
    return totp_keys.decrypt(user.totp_secret) if user.totp_secret else ""


def _keyed(kind: str, value: str) -> str:
    """A keyed hash (HMAC-SHA256 with the secret key): addresses and typed names are never stored."""
    key = str(current_app.config["SECRET_KEY"]).encode("utf-8")
    return hmac.new(key, f"staff-sign-in:{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def normalise_code(code: str) -> str:
    return re.sub(r"[\s-]+", "", code or "").lower()


def normalise_username(username: str) -> str:
    return (username or "").strip().lower()


def recovery_codes_left(session: Session, user: StaffUser) -> int:
    return session.scalar(
        select(func.count()).select_from(StaffRecoveryCode)
        .where(StaffRecoveryCode.user_id == user.id, StaffRecoveryCode.used_at.is_(None))
    ) or 0


def matching_totp_step(secret: str, code: str, now: datetime, last_step: int | None) -> int | None:
    """The time step whose code matches (±1 step of clock drift), never one already used.

    ``secret`` is the clear secret; the stored form is read with :func:`totp_secret_of`."""
    if not re.fullmatch(r"\d{6}", code):
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in range(current - TOTP_VALID_WINDOW, current + TOTP_VALID_WINDOW + 1):
        if last_step is not None and step <= last_step:
            continue
        if strings_equal(totp.generate_otp(step), code):
            return step
    return None


# ---------------------------------------------------------------------------------------------
# Signing in


def _wait_for(failures: int) -> timedelta:
    """How long a client waits after its ``failures``-th failure for one account name."""
    if failures < FREE_ATTEMPTS:
        return timedelta(0)
    return min(FIRST_WAIT * 2 ** min(failures - FREE_ATTEMPTS, 16), LONGEST_WAIT)


def _seconds(delta: timedelta) -> int:
    return max(1, math.ceil(delta.total_seconds()))


def _throttle(session: Session, account: str, client: str, *, lock: bool = False) -> StaffSignInThrottle | None:
    query = select(StaffSignInThrottle).where(StaffSignInThrottle.account_hash == account,
                                              StaffSignInThrottle.client_hash == client)
    return session.scalar(query.with_for_update() if lock else query)


def _waiting(session: Session, account: str, client: str, now: datetime) -> int:
    """Seconds this client must still wait before trying this account name (0: it may try)."""
    row = _throttle(session, account, client)
    if row is None or row.blocked_until is None or row.blocked_until <= now:
        return 0
    return _seconds(row.blocked_until - now)


def _record_failure(session: Session, user_id: int | None, reason: str, now: datetime, step: str,
                    account: str, client: str) -> int:
    """Audit a failed attempt and count it for this account name and client; return the wait (s)."""
    with write_transaction(session):
        user = session.get(StaffUser, user_id) if user_id is not None else None
        if user is None:
            # The typed name is not logged: people sometimes type their password into it.
            audit.record(session, "staff.sign_in_failed", reason=reason, step=step)
        else:
            audit.record(session, "staff.sign_in_failed", actor_id=user.id, actor_name=user.username,
                         subject=user.username, reason=reason, step=step)
        session.execute(delete(StaffSignInThrottle).where(
            StaffSignInThrottle.last_failure_at < now - FORGET_FAILURES,
            (StaffSignInThrottle.blocked_until.is_(None)) | (StaffSignInThrottle.blocked_until < now)))
        row = _throttle(session, account, client, lock=True)
        if row is None:
            row = StaffSignInThrottle(account_hash=account, client_hash=client, failures=0,
                                      first_failure_at=now, last_failure_at=now)
            session.add(row)
        row.failures += 1
        row.last_failure_at = now
        row.user_id = user.id if user is not None else None
        wait = _wait_for(row.failures)
        if not wait:
            return 0
        row.blocked_until = now + wait
        if user is not None:
            audit.record(session, "staff.sign_in_slowed", actor_id=user.id, actor_name=user.username,
                         subject=user.username, failures=row.failures, minutes=_seconds(wait) // 60,
                         client=client[:12])
        return _seconds(wait)


def _slowed_down(session: Session, user: StaffUser | None, wait: int, step: str) -> SignInFailed:
    with write_transaction(session):
        if user is None:
            audit.record(session, "staff.sign_in_failed", reason="slowed_down", step=step)
        else:
            audit.record(session, "staff.sign_in_failed", actor_id=user.id, actor_name=user.username,
                         subject=user.username, reason="slowed_down", step=step)
    return SignInFailed("slowed_down", wait_seconds=wait)


def check_password(session: Session, username: str, password: str, client: str = "",
                   now: datetime | None = None) -> StaffUser:
    """The first step: the account and its password. Raises :class:`SignInFailed`.

    ``client`` is the request's address (as ProxyFix gives it); only a keyed hash is kept.
    """
    now = now or utcnow()
    username = normalise_username(username)[:200]
    account, client_key = _keyed("account", username), _keyed("client", client)
    user = session.scalar(select(StaffUser).where(StaffUser.username == username)) \
        if username and len(username) <= 60 else None
    wait = _waiting(session, account, client_key, now)
    if wait:
        raise _slowed_down(session, user, wait, "password")
    # Always verify something, so unknown accounts answer as slowly as known ones.
    matches = passwords.verify(user.password_hash if user else None, password or "")
    if user is None:
        reason = "unknown_account"
    elif not user.active:
        reason = "disabled"
    elif not user.is_set_up:
        reason = "not_set_up"
    elif not matches:
        reason = "wrong_password"
    else:
        if user.password_hash and passwords.needs_rehash(user.password_hash):
            new_hash = passwords.hash_password(password)
            with write_transaction(session):
                session.execute(update(StaffUser).where(StaffUser.id == user.id)
                                .values(password_hash=new_hash))
        return user
    wait = _record_failure(session, user.id if user else None, reason, now, "password", account, client_key)
    raise SignInFailed(reason, wait_seconds=wait)


def check_second_factor(session: Session, user_id: int, code: str, client: str = "",
                        now: datetime | None = None) -> SignIn:
    """The second step: a TOTP code or an unused recovery code. Raises :class:`SignInFailed`."""
    now = now or utcnow()
    normalised = normalise_code(code)
    found = session.get(StaffUser, user_id)
    if found is None:
        raise SignInFailed("unknown_account")
    account, client_key = _keyed("account", found.username), _keyed("client", client)
    wait = _waiting(session, account, client_key, now)
    if wait:
        raise _slowed_down(session, found, wait, "second_factor")
    reason = ""
    result: SignIn | None = None
    with write_transaction(session):
        user = session.scalar(select(StaffUser).where(StaffUser.id == user_id).with_for_update())
        if user is None:
            raise SignInFailed("unknown_account")
        if not user.active:
            reason = "disabled"
        elif not user.is_set_up:
            reason = "not_set_up"
        else:
            method = ""
            step = matching_totp_step(totp_secret_of(user), normalised, now, user.totp_last_step)
            if step is not None:
                user.totp_last_step = step
                method = "totp"
            elif len(normalised) == RECOVERY_CODE_LENGTH:
                recovery = session.scalar(
                    select(StaffRecoveryCode).where(StaffRecoveryCode.user_id == user.id,
                                                    StaffRecoveryCode.code_hash == sha256(normalised),
                                                    StaffRecoveryCode.used_at.is_(None))
                    .with_for_update()
                )
                if recovery is not None:
                    recovery.used_at = now
                    method = "recovery_code"
            if method:
                user.last_sign_in_at = now
                session.execute(delete(StaffSignInThrottle).where(
                    StaffSignInThrottle.account_hash == account, StaffSignInThrottle.client_hash == client_key))
                session.flush()
                left = recovery_codes_left(session, user)
                audit.record(session, "staff.sign_in", actor_id=user.id, actor_name=user.username,
                             subject=user.username, method=method, recovery_codes_left=left)
                result = SignIn(user=user, method=method, recovery_codes_left=left)
            else:
                reason = "wrong_code"
    if result is None:
        wait = _record_failure(session, user_id, reason, now, "second_factor", account, client_key)
        raise SignInFailed(reason, wait_seconds=wait)
    return result


@dataclass(frozen=True)
class UnderAttack:
    """An account whose name some client keeps failing to sign in with."""

    username: str
    clients: int
    failures: int
    last_failure_at: datetime


def accounts_under_attack(session: Session, now: datetime | None = None) -> list[UnderAttack]:
    """Accounts that some client failed to sign in to at least :data:`FREE_ATTEMPTS` times lately."""
    now = now or utcnow()
    rows = session.execute(
        select(StaffUser.username, func.count(StaffSignInThrottle.id), func.sum(StaffSignInThrottle.failures),
               func.max(StaffSignInThrottle.last_failure_at))
        .join(StaffUser, StaffUser.id == StaffSignInThrottle.user_id)
        .where(StaffSignInThrottle.failures >= FREE_ATTEMPTS,
               StaffSignInThrottle.last_failure_at >= now - FORGET_FAILURES)
        .group_by(StaffUser.username).order_by(StaffUser.username)
    ).all()
    return [UnderAttack(username, int(clients), int(failures or 0),
                        last if last.tzinfo else last.replace(tzinfo=now.tzinfo))
            for username, clients, failures, last in rows]
