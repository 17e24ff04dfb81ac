"""Staff accounts: creating them, signing in with two factors, lock-out, roles, set-up links.

Every function takes a Session, runs its writes in one ``write_transaction`` and writes its
audit entry in the same transaction. Failures are typed exceptions; the views decide what
a person is told. Sign-in failures all look the same from outside (unknown account, wrong
password, locked, disabled, not set up yet): only the audit log knows the reason.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import pyotp
from pyotp.utils import strings_equal
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from portal.config import LANGUAGES
from portal.db import write_transaction
from portal.models.staff import StaffRecoveryCode, StaffRole, StaffSetupLink, StaffUser
from portal.models.types import utcnow
from portal.services import audit, passwords
from portal.services.passwords import WeakPassword

__all__ = [
    "WeakPassword", "StaffAccountError", "SignInFailed", "SetupLinkInvalid", "SecondFactorWrong",
    "UsernameTaken", "InvalidUsername", "LastAdmin", "OwnAccount", "SignIn",
]

MAX_FAILED_ATTEMPTS = 5
LOCKOUT = timedelta(minutes=15)
SETUP_LINK_LIFETIME = timedelta(hours=48)
RECOVERY_CODE_COUNT = 10
RECOVERY_CODE_LENGTH = 16  # 16 base32 characters: 80 random bits
RECOVERY_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567"
TOTP_ISSUER = "Friendship Portal"
TOTP_VALID_WINDOW = 1
USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{2,59}$")


class StaffAccountError(Exception):
    """Base of every failure raised here."""


class SignInFailed(StaffAccountError):
    """The one answer for every failed sign-in; ``reason`` is for the audit log and tests only."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class SecondFactorWrong(StaffAccountError):
    """The code from the authenticator app does not match (during enrolment)."""


class SetupLinkInvalid(StaffAccountError):
    """Unknown, already used or expired set-up link."""


class UsernameTaken(StaffAccountError):
    pass


class InvalidUsername(StaffAccountError):
    pass


class LastAdmin(StaffAccountError):
    """The change would leave no active admin who can sign in."""


class OwnAccount(StaffAccountError):
    """Admins do not disable, demote or reset themselves (another admin does it)."""


@dataclass(frozen=True)
class SignIn:
    """A completed sign-in."""

    user: StaffUser
    method: str  # "totp" or "recovery_code"
    recovery_codes_left: int


# ---------------------------------------------------------------------------------------------
# Small helpers


def _now(now: datetime | None) -> datetime:
    return now or utcnow()


def sha256(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def new_totp_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(username: str, secret: str) -> str:
    """The ``otpauth://`` URI an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=TOTP_ISSUER)


def format_recovery_code(code: str) -> str:
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


def _normalise_code(code: str) -> str:
    return re.sub(r"[\s-]+", "", code or "").lower()


def normalise_username(username: str) -> str:
    return (username or "").strip().lower()


def _role(role: StaffRole | str) -> StaffRole:
    return StaffRole(role)


def _get_user(session: Session, user_id: int) -> StaffUser | None:
    return session.scalar(select(StaffUser).where(StaffUser.id == user_id).with_for_update())


def get_user(session: Session, user_id: int) -> StaffUser | None:
    return session.get(StaffUser, user_id)


def list_accounts(session: Session) -> list[StaffUser]:
    return list(session.scalars(select(StaffUser).order_by(StaffUser.username)))


def recovery_codes_left(session: Session, user: StaffUser) -> int:
    return session.scalar(
        select(func.count()).select_from(StaffRecoveryCode)
        .where(StaffRecoveryCode.user_id == user.id, StaffRecoveryCode.used_at.is_(None))
    ) or 0


def _matching_totp_step(secret: str, code: str, now: datetime, last_step: int | None) -> int | None:
    """The time step whose code matches (±1 step of clock drift), never one already used."""
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


def _new_recovery_codes(session: Session, user: StaffUser, now: datetime) -> list[str]:
    """Replace the account's recovery codes with ten new ones; return them (shown once)."""
    session.execute(delete(StaffRecoveryCode).where(StaffRecoveryCode.user_id == user.id))
    codes = ["".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_CODE_LENGTH))
             for _ in range(RECOVERY_CODE_COUNT)]
    session.add_all(StaffRecoveryCode(user_id=user.id, code_hash=sha256(code), created_at=now)
                    for code in codes)
    return [format_recovery_code(code) for code in codes]


def _new_setup_link(session: Session, user: StaffUser, created_by: str, now: datetime) -> str:
    """A new one-time set-up link for the account; any older unused link stops working."""
    session.execute(delete(StaffSetupLink).where(StaffSetupLink.user_id == user.id,
                                                 StaffSetupLink.used_at.is_(None)))
    token = secrets.token_urlsafe(32)
    session.add(StaffSetupLink(user_id=user.id, token_hash=sha256(token), created_by=created_by,
                               created_at=now, expires_at=now + SETUP_LINK_LIFETIME))
    return token


def _active_admins(session: Session) -> int:
    return session.scalar(
        select(func.count()).select_from(StaffUser)
        .where(StaffUser.role == StaffRole.ADMIN, StaffUser.active.is_(True))
    ) or 0


def _check_username(session: Session, username: str) -> str:
    username = normalise_username(username)
    if not USERNAME_PATTERN.fullmatch(username):
        raise InvalidUsername(username)
    if session.scalar(select(StaffUser.id).where(StaffUser.username == username)) is not None:
        raise UsernameTaken(username)
    return username


def _language(language: str) -> str:
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}")
    return language


# ---------------------------------------------------------------------------------------------
# Creating accounts


def create_account(session: Session, *, username: str, role: StaffRole | str, language: str,
                   actor: StaffUser | None = None, actor_name: str = "",
                   now: datetime | None = None) -> tuple[StaffUser, str]:
    """Create an account that is set up through a one-time link; return it and the link's token."""
    now = _now(now)
    actor_name = actor.username if actor else actor_name
    with write_transaction(session):
        username = _check_username(session, username)
        user = StaffUser(username=username, role=_role(role), language=_language(language),
                         totp_secret=new_totp_secret(), totp_confirmed=False, active=True,
                         session_generation=0, failed_attempts=0, created_at=now)
        session.add(user)
        session.flush()
        token = _new_setup_link(session, user, actor_name, now)
        audit.record(session, "staff.account_created", actor_id=actor.id if actor else None,
                     actor_name=actor_name, subject=username, role=str(user.role), via="setup_link")
    return user, token


def create_enrolled_account(session: Session, *, username: str, role: StaffRole | str, language: str,
                            password: str, totp_secret: str, code: str, actor_name: str = "cli",
                            now: datetime | None = None) -> tuple[StaffUser, list[str]]:
    """Create a ready account in one go (``flask staff create``): the code proves the enrolment."""
    now = _now(now)
    passwords.check_rules(password, normalise_username(username))
    step = _matching_totp_step(totp_secret, _normalise_code(code), now, None)
    if step is None:
        raise SecondFactorWrong()
    password_hash = passwords.hash_password(password)
    with write_transaction(session):
        username = _check_username(session, username)
        user = StaffUser(username=username, role=_role(role), language=_language(language),
                         password_hash=password_hash, totp_secret=totp_secret, totp_confirmed=True,
                         totp_last_step=step, active=True, session_generation=0, failed_attempts=0,
                         created_at=now)
        session.add(user)
        session.flush()
        codes = _new_recovery_codes(session, user, now)
        audit.record(session, "staff.account_created", actor_name=actor_name, subject=username,
                     role=str(user.role), via="command_line")
    return user, codes


# ---------------------------------------------------------------------------------------------
# Set-up links: choose a password and enrol the second factor


def setup_link_user(session: Session, token: str, now: datetime | None = None) -> StaffUser:
    """The account a set-up link belongs to, or :class:`SetupLinkInvalid`."""
    now = _now(now)
    link = session.scalar(select(StaffSetupLink).where(StaffSetupLink.token_hash == sha256(token or "")))
    if link is None or link.used_at is not None or link.expires_at <= now:
        raise SetupLinkInvalid()
    user = session.get(StaffUser, link.user_id)
    if user is None or not user.active or not user.totp_secret:
        raise SetupLinkInvalid()
    return user


def complete_setup(session: Session, token: str, *, password: str, code: str,
                   now: datetime | None = None) -> tuple[StaffUser, list[str]]:
    """Use a set-up link once: set the password, confirm the TOTP secret, issue recovery codes."""
    now = _now(now)
    user = setup_link_user(session, token, now)
    passwords.check_rules(password, user.username)
    password_hash = passwords.hash_password(password)
    with write_transaction(session):
        link = session.scalar(select(StaffSetupLink).where(StaffSetupLink.token_hash == sha256(token))
                              .with_for_update())
        user_ = _get_user(session, user.id)
        if link is None or link.used_at is not None or link.expires_at <= now or user_ is None \
                or not user_.active or not user_.totp_secret:
            raise SetupLinkInvalid()
        step = _matching_totp_step(user_.totp_secret, _normalise_code(code), now, user_.totp_last_step)
        if step is None:
            raise SecondFactorWrong()
        link.used_at = now
        user_.password_hash = password_hash
        user_.totp_confirmed = True
        user_.totp_last_step = step
        user_.failed_attempts = 0
        user_.locked_until = None
        codes = _new_recovery_codes(session, user_, now)
        audit.record(session, "staff.setup_completed", actor_id=user_.id, actor_name=user_.username,
                     subject=user_.username)
    return user_, codes


# ---------------------------------------------------------------------------------------------
# Signing in


def _record_failure(session: Session, user_id: int | None, reason: str, now: datetime,
                    step: str) -> None:
    """Count a failed attempt against the account (if any) and lock it after too many."""
    with write_transaction(session):
        user = _get_user(session, user_id) if user_id is not None else None
        if user is None:
            # The typed name is not logged: people sometimes type their password into it.
            audit.record(session, "staff.sign_in_failed", reason=reason, step=step)
            return
        audit.record(session, "staff.sign_in_failed", actor_id=user.id, actor_name=user.username,
                     subject=user.username, reason=reason, step=step)
        if reason in {"locked", "disabled", "not_set_up"}:
            return
        user.failed_attempts += 1
        if user.failed_attempts >= MAX_FAILED_ATTEMPTS:
            user.failed_attempts = 0
            user.locked_until = now + LOCKOUT
            audit.record(session, "staff.locked_out", actor_id=user.id, actor_name=user.username,
                         subject=user.username, minutes=int(LOCKOUT.total_seconds() // 60))


def check_password(session: Session, username: str, password: str,
                   now: datetime | None = None) -> StaffUser:
    """The first step: the account and its password. Raises :class:`SignInFailed`."""
    now = _now(now)
    username = normalise_username(username)
    user = session.scalar(select(StaffUser).where(StaffUser.username == username)) \
        if username and len(username) <= 60 else None
    # Always verify something, so unknown accounts answer as slowly as known ones.
    matches = passwords.verify(user.password_hash if user else None, password or "")
    if user is None:
        reason = "unknown_account"
    elif not user.active:
        reason = "disabled"
    elif not user.is_set_up:
        reason = "not_set_up"
    elif user.is_locked(now):
        reason = "locked"
    elif not matches:
        reason = "wrong_password"
    else:
        if user.password_hash and passwords.needs_rehash(user.password_hash):
            new_hash = passwords.hash_password(password)
            with write_transaction(session):
                session.execute(update(StaffUser).where(StaffUser.id == user.id)
                                .values(password_hash=new_hash))
        return user
    _record_failure(session, user.id if user else None, reason, now, "password")
    raise SignInFailed(reason)


def check_second_factor(session: Session, user_id: int, code: str,
                        now: datetime | None = None) -> SignIn:
    """The second step: a TOTP code or an unused recovery code. Raises :class:`SignInFailed`."""
    now = _now(now)
    normalised = _normalise_code(code)
    reason = ""
    result: SignIn | None = None
    with write_transaction(session):
        user = _get_user(session, user_id)
        if user is None:
            raise SignInFailed("unknown_account")
        if not user.active:
            reason = "disabled"
        elif not user.is_set_up:
            reason = "not_set_up"
        elif user.is_locked(now):
            reason = "locked"
        else:
            method = ""
            assert user.totp_secret is not None
            step = _matching_totp_step(user.totp_secret, normalised, now, user.totp_last_step)
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
                user.failed_attempts = 0
                user.locked_until = None
                user.last_sign_in_at = now
                session.flush()
                left = recovery_codes_left(session, user)
                audit.record(session, "staff.sign_in", actor_id=user.id, actor_name=user.username,
                             subject=user.username, method=method, recovery_codes_left=left)
                result = SignIn(user=user, method=method, recovery_codes_left=left)
            else:
                reason = "wrong_code"
    if result is None:
        _record_failure(session, user_id, reason, now, "second_factor")
        raise SignInFailed(reason)
    return result


# ---------------------------------------------------------------------------------------------
# The account's own settings


def set_language(session: Session, user: StaffUser, language: str) -> None:
    language = _language(language)
    with write_transaction(session):
        session.execute(update(StaffUser).where(StaffUser.id == user.id).values(language=language))


def sign_out_everywhere(session: Session, user: StaffUser) -> None:
    """End every session of the account, on every device (this one too)."""
    with write_transaction(session):
        user_ = _get_user(session, user.id)
        if user_ is None:
            return
        user_.session_generation += 1
        audit.record(session, "staff.signed_out_everywhere", actor_id=user_.id,
                     actor_name=user_.username, subject=user_.username)


def record_sign_out(session: Session, user: StaffUser) -> None:
    with write_transaction(session):
        audit.record(session, "staff.signed_out", actor_id=user.id, actor_name=user.username,
                     subject=user.username)


# ---------------------------------------------------------------------------------------------
# Admin actions on other accounts


def _target(session: Session, actor: StaffUser, user_id: int) -> StaffUser:
    if user_id == actor.id:
        raise OwnAccount()
    user = _get_user(session, user_id)
    if user is None:
        raise LookupError(user_id)
    return user


def change_role(session: Session, actor: StaffUser, user_id: int, role: StaffRole | str) -> StaffUser:
    new_role = _role(role)
    with write_transaction(session):
        user = _target(session, actor, user_id)
        old_role = user.role
        if old_role == new_role:
            return user
        if old_role == StaffRole.ADMIN and user.active and _active_admins(session) <= 1:
            raise LastAdmin()
        user.role = new_role
        audit.record(session, "staff.role_changed", actor_id=actor.id, actor_name=actor.username,
                     subject=user.username, old=str(old_role), new=str(new_role))
    return user


def set_active(session: Session, actor: StaffUser, user_id: int, active: bool) -> StaffUser:
    """Disable an account (its sessions end at once) or enable it again."""
    with write_transaction(session):
        user = _target(session, actor, user_id)
        if user.active == active:
            return user
        if not active and user.role == StaffRole.ADMIN and _active_admins(session) <= 1:
            raise LastAdmin()
        user.active = active
        if not active:
            user.session_generation += 1
        audit.record(session, "staff.account_enabled" if active else "staff.account_disabled",
                     actor_id=actor.id, actor_name=actor.username, subject=user.username)
    return user


def reset_second_factor(session: Session, actor: StaffUser | None, user_id: int, *,
                        actor_name: str = "", now: datetime | None = None) -> tuple[StaffUser, str]:
    """Lost phone: forget the password, TOTP secret and recovery codes; return a new set-up link.

    The account's sessions end at once; the person chooses a new password and enrols a new
    second factor through the link. ``actor`` is None from the command line.
    """
    now = _now(now)
    with write_transaction(session):
        if actor is not None:
            user = _target(session, actor, user_id)
            actor_name = actor.username
        else:
            found = _get_user(session, user_id)
            if found is None:
                raise LookupError(user_id)
            user = found
        user.password_hash = None
        user.totp_secret = new_totp_secret()
        user.totp_confirmed = False
        user.totp_last_step = None
        user.failed_attempts = 0
        user.locked_until = None
        user.session_generation += 1
        session.execute(delete(StaffRecoveryCode).where(StaffRecoveryCode.user_id == user.id))
        token = _new_setup_link(session, user, actor_name, now)
        audit.record(session, "staff.second_factor_reset", actor_id=actor.id if actor else None,
                     actor_name=actor_name, subject=user.username)
    return user, token


def pending_setup_expires(session: Session, user: StaffUser, now: datetime | None = None) -> datetime | None:
    """When the account's unused set-up link expires (None when there is no usable link)."""
    now = _now(now)
    return session.scalar(
        select(func.max(StaffSetupLink.expires_at))
        .where(StaffSetupLink.user_id == user.id, StaffSetupLink.used_at.is_(None),
               StaffSetupLink.expires_at > now)
    )
