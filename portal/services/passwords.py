"""Password hashing with Argon2id (argon2-cffi), and the rules a staff password must meet.

Production uses the library's defaults; tests set cheap parameters through
``PASSWORD_HASH_PARAMS``. A verify against a dummy hash gives unknown accounts the same
timing as wrong passwords.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 128


class WeakPassword(ValueError):
    """The chosen password breaks a rule; ``reason`` is ``short``, ``long`` or ``username``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _params() -> tuple[tuple[str, Any], ...]:
    return tuple(sorted(dict(current_app.config.get("PASSWORD_HASH_PARAMS") or {}).items()))


@lru_cache(maxsize=8)
def _hasher_for(params: tuple[tuple[str, Any], ...]) -> PasswordHasher:
    return PasswordHasher(**dict(params))


@lru_cache(maxsize=8)
def _dummy_hash_for(params: tuple[tuple[str, Any], ...]) -> str:
    return _hasher_for(params).hash("dummy password that nobody has")


def hasher() -> PasswordHasher:
    return _hasher_for(_params())


def check_rules(password: str, username: str = "") -> None:
    """Raise :class:`WeakPassword` unless the password is long enough and not the username."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPassword("short")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise WeakPassword("long")
    if username and username.casefold() in password.casefold():
        raise WeakPassword("username")


def hash_password(password: str) -> str:
    return hasher().hash(password)


def verify(password_hash: str | None, password: str) -> bool:
    """True when the password matches; with no hash, spend the same time and say no."""
    params = _params()
    if not password_hash:
        try:
            _hasher_for(params).verify(_dummy_hash_for(params), password)
        except VerificationError:
            pass
        return False
    try:
        return _hasher_for(params).verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with other parameters than the current ones."""
    try:
        return hasher().check_needs_rehash(password_hash)
    except InvalidHashError:
        return True
