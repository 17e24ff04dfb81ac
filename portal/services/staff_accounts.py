"""Staff accounts: creating them, set-up links, roles, disabling, second-factor resets, own settings.

Every function takes a Session, runs its writes in one ``write_transaction`` and writes its
audit entry in the same transaction. Failures are typed exceptions; the views decide what
a person is told. Signing in (passwords, codes, slowing guessers) is
:mod:`portal.services.staff_signin`.

TOTP secrets are stored encrypted (:mod:`portal.services.totp_keys`). Ending an account's
sessions (sign-out everywhere, disabling, a role change, a second-factor reset) ends its rows in
``staff_session`` in the same transaction.
"""

from __future__ import annotations

import hmac
import re
import secrets
from datetime import datetime, timedelta

import pyotp
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from portal.config import LANGUAGES
from portal.db import write_transaction
from portal.models.staff import StaffRecoveryCode, StaffRole, StaffSetupLink, StaffUser
from portal.models.types import utcnow
from portal.services import audit, passwords, staff_sessions, totp_keys
from portal.services.passwords import WeakPassword
from portal.services.staff_signin import (
    RECOVERY_CODE_LENGTH,
    matching_totp_step,
    normalise_code,
    normalise_username,
    sha256,
    totp_secret_of,
)
from portal.services.totp_keys import TotpKeyMissing

__all__ = [
    "WeakPassword", "StaffAccountError", "SetupLinkInvalid", "SecondFactorWrong",
    "UsernameTaken", "InvalidUsername", "LastAdmin", "OwnAccount", "TotpKeyMissing",
]

SETUP_LINK_LIFETIME = timedelta(hours=48)
RECOVERY_CODE_COUNT = 10
RECOVERY_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567"
TOTP_ISSUER = "Friendship Portal"
USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{2,59}$")


class StaffAccountError(Exception):
    """Base of every failure raised here."""


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


# ---------------------------------------------------------------------------------------------
# Small helpers


def _now(now: datetime | None) -> datetime:
    return now or utcnow()


def new_totp_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(username: str, secret: str) -> str:
    """The ``otpauth://`` URI an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=TOTP_ISSUER)


def format_recovery_code(code: str) -> str:
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


def _role(role: StaffRole | str) -> StaffRole:
    return StaffRole(role)


def _get_user(session: Session, user_id: int) -> StaffUser | None:
    return session.scalar(select(StaffUser).where(StaffUser.id == user_id).with_for_update())


def get_user(session: Session, user_id: int) -> StaffUser | None:
    return session.get(StaffUser, user_id)


def list_accounts(session: Session) -> list[StaffUser]:
    return list(session.scalars(select(StaffUser).order_by(StaffUser.username)))


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
                         totp_secret=totp_keys.encrypt(new_totp_secret()), totp_confirmed=False, active=True,
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
    step = matching_totp_step(totp_secret, normalise_code(code), now, None)
    if step is None:
        raise SecondFactorWrong()
    password_hash = passwords.hash_password(password)
    with write_transaction(session):
        username = _check_username(session, username)
        user = StaffUser(username=username, role=_role(role), language=_language(language),
                         password_hash=password_hash, totp_secret=totp_keys.encrypt(totp_secret),
                         totp_confirmed=True,
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


def _usable_link(session: Session, link: StaffSetupLink | None, now: datetime) -> StaffUser:
    if link is None or link.used_at is not None or link.expires_at <= now:
        raise SetupLinkInvalid()
    user = session.get(StaffUser, link.user_id)
    if user is None or not user.active or not user.totp_secret:
        raise SetupLinkInvalid()
    return user


def open_setup_link(session: Session, token: str, now: datetime | None = None) -> tuple[int, str]:
    """The first visit of a set-up link: swap its token for a proof kept in that browser's session.

    Returns the link's id and the proof (to keep in the Flask session). The token then stops
    working everywhere, so one read from an access log or a browser history is worth nothing;
    :class:`SetupLinkInvalid` for an unknown, used, expired or already opened link.
    """
    now = _now(now)
    proof = secrets.token_urlsafe(32)
    with write_transaction(session):
        link = session.scalar(select(StaffSetupLink).where(StaffSetupLink.token_hash == sha256(token or ""))
                              .with_for_update())
        user = _usable_link(session, link, now)
        assert link is not None
        if link.opened_at is not None:
            raise SetupLinkInvalid()
        link.opened_at = now
        link.proof_hash = sha256(proof)
        audit.record(session, "staff.setup_link_opened", actor_name=user.username, subject=user.username)
    return link.id, proof


def _opened_link(session: Session, link_id: int, proof: str, *, lock: bool = False) -> StaffSetupLink | None:
    query = select(StaffSetupLink).where(StaffSetupLink.id == link_id)
    link = session.scalar(query.with_for_update() if lock else query)
    if link is None or link.proof_hash is None or not hmac.compare_digest(link.proof_hash, sha256(proof or "")):
        return None
    return link


def setup_link_user(session: Session, link_id: int, proof: str, now: datetime | None = None) -> StaffUser:
    """The account of an opened set-up link, for the browser holding its proof; or :class:`SetupLinkInvalid`."""
    return _usable_link(session, _opened_link(session, link_id, proof), _now(now))


def complete_setup(session: Session, link_id: int, proof: str, *, password: str, code: str,
                   now: datetime | None = None) -> tuple[StaffUser, list[str]]:
    """Use an opened set-up link once: set the password, confirm the TOTP secret, issue recovery codes."""
    now = _now(now)
    user = setup_link_user(session, link_id, proof, now)
    passwords.check_rules(password, user.username)
    password_hash = passwords.hash_password(password)
    with write_transaction(session):
        link = _opened_link(session, link_id, proof, lock=True)
        _usable_link(session, link, now)
        assert link is not None
        user_ = _get_user(session, user.id)
        if user_ is None or not user_.totp_secret:
            raise SetupLinkInvalid()
        step = matching_totp_step(totp_secret_of(user_), normalise_code(code), now, user_.totp_last_step)
        if step is None:
            raise SecondFactorWrong()
        link.used_at = now
        user_.password_hash = password_hash
        user_.totp_confirmed = True
        user_.totp_last_step = step
        codes = _new_recovery_codes(session, user_, now)
        audit.record(session, "staff.setup_completed", actor_id=user_.id, actor_name=user_.username,
                     subject=user_.username)
    return user_, codes


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
        staff_sessions.end_all(session, user_.id, "signed_out_everywhere")
        audit.record(session, "staff.signed_out_everywhere", actor_id=user_.id,
                     actor_name=user_.username, subject=user_.username)


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
        # A new role starts with a new sign-in: no session keeps rights it was not signed in with.
        staff_sessions.end_all(session, user.id, "role_changed")
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
            staff_sessions.end_all(session, user.id, "disabled")
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
        user.totp_secret = totp_keys.encrypt(new_totp_secret())
        user.totp_confirmed = False
        user.totp_last_step = None
        staff_sessions.end_all(session, user.id, "second_factor_reset")
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


def rotate_totp_secrets(session: Session, actor_name: str = "command line") -> int:
    """Re-encrypt every TOTP secret with the first key of ``PORTAL_TOTP_KEY`` (clear legacy ones too).

    Returns how many were rewritten. All or nothing: a secret no listed key opens raises
    :class:`TotpKeyMissing` and nothing changes.
    """
    with write_transaction(session):
        users = session.scalars(select(StaffUser).where(StaffUser.totp_secret.is_not(None))
                                .order_by(StaffUser.id).with_for_update()).all()
        changed = 0
        for user in users:
            assert user.totp_secret is not None
            if totp_keys.needs_rotation(user.totp_secret):
                user.totp_secret = totp_keys.encrypt(totp_keys.decrypt(user.totp_secret))
                changed += 1
        audit.record(session, "staff.totp_key_rotated", actor_name=actor_name, count=changed,
                     key=totp_keys.keys()[0].key_id)
    return changed
