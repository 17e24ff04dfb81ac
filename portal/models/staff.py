"""Staff accounts: who may sign in, with which role, and what proves it is them.

A password alone never signs anyone in: every account has a TOTP secret that must be
confirmed before the account can be used (stored encrypted with ``PORTAL_TOTP_KEY``), and ten
single-use recovery codes (stored hashed). New accounts and lost second factors go through a
one-time set-up link, stored hashed too. Each signed-in browser is a :class:`StaffSession` row
(the cookie only names it), and failed sign-ins slow down the client that fails
(:class:`StaffSignInThrottle`) instead of locking the account.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base
from portal.models.types import UTCDateTime, utcnow


class StaffRole(enum.StrEnum):
    """Moderators review tips, editors keep the public content, admins do both and run accounts."""

    MODERATOR = "moderator"
    EDITOR = "editor"
    ADMIN = "admin"


def _role_values(roles: type[StaffRole]) -> list[str]:
    return [role.value for role in roles]


class StaffUser(Base):
    __tablename__ = "staff_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(60), unique=True)
    # None until the person has chosen a password through their set-up link.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[StaffRole] = mapped_column(
        Enum(StaffRole, name="role", native_enum=False, length=20, create_constraint=True,
             values_callable=_role_values, validate_strings=True)
    )
    active: Mapped[bool] = mapped_column(default=True)
    # "v1:<key id>:<AES-GCM ciphertext>" (portal.services.totp_keys); a legacy clear value until
    # ``flask staff rotate-totp-key`` encrypts it.
    totp_secret: Mapped[str | None] = mapped_column(String(255))
    totp_confirmed: Mapped[bool] = mapped_column(default=False)
    # The last TOTP time step accepted: a code is never accepted twice.
    totp_last_step: Mapped[int | None] = mapped_column()
    language: Mapped[str] = mapped_column(String(5), default="vi")
    # No longer read: sessions are StaffSession rows and failed sign-ins are counted per client in
    # StaffSignInThrottle. Kept so the migration does not rebuild staff_user on SQLite.
    session_generation: Mapped[int] = mapped_column(default=0)
    failed_attempts: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    @property
    def is_set_up(self) -> bool:
        """A password chosen and a second factor confirmed: the account can sign in."""
        return bool(self.password_hash) and self.totp_confirmed and bool(self.totp_secret)

    def has_role(self, *roles: StaffRole | str) -> bool:
        """Admins have every role's access."""
        return self.role == StaffRole.ADMIN or self.role in {StaffRole(role) for role in roles}


class StaffRecoveryCode(Base):
    """One single-use recovery code; only its SHA-256 is kept (the code has 80 random bits)."""

    __tablename__ = "staff_recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class StaffSetupLink(Base):
    """A one-time link to choose a password and enrol a second factor; only its SHA-256 is kept."""

    __tablename__ = "staff_setup_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by: Mapped[str] = mapped_column(String(60), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The first visit swaps the token for a proof kept in that browser's session (only its
    # SHA-256 is here): the link then works nowhere else, and the token leaves the address bar.
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    proof_hash: Mapped[str | None] = mapped_column(String(64))


class StaffSession(Base):
    """One signed-in browser. The cookie carries a random id; only its SHA-256 is kept here.

    Every staff request looks the row up: an ended row, or one idle or too old, signs nobody in.
    ``last_seen_at`` is coarse (refreshed at most every few seconds).
    """

    __tablename__ = "staff_session"
    __table_args__ = (Index("ix_staff_session_user_active", "user_id", "ended_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # signed_out, signed_out_everywhere, ended_by_user, disabled, role_changed, second_factor_reset,
    # account_changed (found disabled or not set up on a request),
    # idle, expired
    end_reason: Mapped[str] = mapped_column(String(30), default="")
    # "Firefox on Linux"-style summary (browser and system names only), for the sessions page.
    user_agent: Mapped[str] = mapped_column(String(60), default="")


class StaffSignInThrottle(Base):
    """Failed sign-ins of one client (a keyed hash of its address) for one typed account name.

    The account name is a keyed hash too, so unknown names are slowed down exactly like real
    ones; ``user_id`` is set when the name belongs to an account (for the admins' notice).
    """

    __tablename__ = "staff_sign_in_throttle"
    __table_args__ = (UniqueConstraint("account_hash", "client_hash",
                                       name="uq_staff_sign_in_throttle_account_client"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_hash: Mapped[str] = mapped_column(String(64))
    client_hash: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id", ondelete="CASCADE"),
                                                index=True)
    failures: Mapped[int] = mapped_column(default=0)
    first_failure_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_failure_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    blocked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
