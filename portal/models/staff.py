"""Staff accounts: who may sign in, with which role, and what proves it is them.

A password alone never signs anyone in: every account has a TOTP secret that must be
confirmed before the account can be used, and ten single-use recovery codes (stored hashed).
New accounts and lost second factors go through a one-time set-up link, stored hashed too.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, String
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
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_confirmed: Mapped[bool] = mapped_column(default=False)
    # The last TOTP time step accepted: a code is never accepted twice.
    totp_last_step: Mapped[int | None] = mapped_column()
    language: Mapped[str] = mapped_column(String(5), default="vi")
    # Bumped by "sign out everywhere", disabling and second-factor resets; every request checks it.
    session_generation: Mapped[int] = mapped_column(default=0)
    failed_attempts: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    @property
    def is_set_up(self) -> bool:
        """A password chosen and a second factor confirmed: the account can sign in."""
        return bool(self.password_hash) and self.totp_confirmed and bool(self.totp_secret)

    def is_locked(self, now: datetime) -> bool:
        return self.locked_until is not None and self.locked_until > now

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
