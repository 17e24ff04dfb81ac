"""Configuration: typed defaults, overridden by ``PORTAL_*`` environment variables.

The defaults serve one machine with SQLite in Flask's instance folder. In production the
app refuses to start with a missing or default secret, because a known key lets anyone
forge a staff session.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

DEV_SECRET_KEY = "dev-only-secret-key-do-not-use-in-production"  # noqa: S105
DEV_RECEIPT_KEY = "dev-only-receipt-key-do-not-use-in-production"  # noqa: S105
LANGUAGES = ("vi", "km", "en")


class ConfigError(RuntimeError):
    """The configuration is unsafe or invalid; the app must not start."""


@dataclass(frozen=True)
class Setting:
    env: str
    key: str
    default: Any
    kind: type = str


# One row per PORTAL_* variable; the README's configuration table lists the same names.
SETTINGS: tuple[Setting, ...] = (
    Setting("PORTAL_ENV", "PORTAL_ENV", "development"),
    Setting("PORTAL_DATABASE_URL", "DATABASE_URL", None),
    Setting("PORTAL_SECRET_KEY", "SECRET_KEY", None),
    Setting("PORTAL_RECEIPT_KEY", "RECEIPT_KEY", None),
    Setting("PORTAL_DEFAULT_LANGUAGE", "DEFAULT_LANGUAGE", "vi"),
    Setting("PORTAL_TRUSTED_PROXIES", "TRUSTED_PROXIES", 0, int),
    Setting("PORTAL_TRUSTED_HOSTS", "TRUSTED_HOSTS", None, list),
    Setting("PORTAL_RATELIMIT_STORAGE_URL", "RATELIMIT_STORAGE_URI", "memory://"),
    Setting("PORTAL_TIP_RATE_LIMIT", "TIP_RATE_LIMIT", "30/hour"),
    Setting("PORTAL_LOGIN_RATE_LIMIT", "LOGIN_RATE_LIMIT", "10/minute;50/hour"),
    Setting("PORTAL_RECEIPT_RATE_LIMIT", "RECEIPT_RATE_LIMIT", "30/hour"),
    Setting("PORTAL_MAX_PHOTO_MB", "MAX_PHOTO_MB", 10, int),
    Setting("PORTAL_MAX_PHOTOS", "MAX_PHOTOS", 5, int),
    Setting("PORTAL_UPLOAD_DIR", "UPLOAD_DIR", None),
    Setting("PORTAL_TILE_URL", "TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png"),
    Setting("PORTAL_STAFF_MAPS", "STAFF_MAPS", True, bool),
    Setting("PORTAL_DUPLICATE_RADIUS_M", "DUPLICATE_RADIUS_M", 500, int),
    Setting("PORTAL_RETENTION_DAYS", "RETENTION_DAYS", 730, int),
    Setting("PORTAL_SESSION_IDLE_MINUTES", "SESSION_IDLE_MINUTES", 30, int),
    Setting("PORTAL_CONTACT_PHONE", "CONTACT_PHONE", "+84 000 000 000 (sample)"),
    Setting("PORTAL_CONTACT_ZALO", "CONTACT_ZALO", "0000000000 (sample)"),
    Setting("PORTAL_CONTACT_ADDRESS", "CONTACT_ADDRESS", "Sample address — set PORTAL_CONTACT_ADDRESS"),
)


def _parse(value: str, kind: type) -> Any:
    if kind is bool:
        return value.strip().lower() in {"1", "true", "yes", "on"}
    if kind is int:
        return int(value)
    if kind is list:
        return [item.strip() for item in value.split(",") if item.strip()]
    return value


def from_environment(environ: Mapping[str, str]) -> dict[str, Any]:
    """Read every PORTAL_* setting, falling back to its default."""
    values: dict[str, Any] = {}
    for setting in SETTINGS:
        raw = environ.get(setting.env)
        try:
            values[setting.key] = setting.default if raw in (None, "") else _parse(raw, setting.kind)
        except ValueError as exc:
            raise ConfigError(f"{setting.env} must be a {setting.kind.__name__}: {raw!r}") from exc
    return values


def build_config(instance_path: str, overrides: Mapping[str, Any] | None = None,
                 environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The whole Flask configuration: defaults, then environment, then explicit overrides."""
    config = from_environment(os.environ if environ is None else environ)
    config.update(overrides or {})
    production = config["PORTAL_ENV"] == "production"

    if config["DEFAULT_LANGUAGE"] not in LANGUAGES:
        raise ConfigError(f"PORTAL_DEFAULT_LANGUAGE must be one of {', '.join(LANGUAGES)}")
    for key, dev_value in (("SECRET_KEY", DEV_SECRET_KEY), ("RECEIPT_KEY", DEV_RECEIPT_KEY)):
        value = config.get(key)
        if production and (not value or value == dev_value or len(value) < 32):
            raise ConfigError(
                f"PORTAL_{key} must be set to a random value of at least 32 characters in production "
                "(for example: python -c 'import secrets; print(secrets.token_urlsafe(48))')"
            )
        if not value:
            config[key] = dev_value
    if not config.get("DATABASE_URL"):
        config["DATABASE_URL"] = "sqlite:///" + os.path.join(instance_path, "portal.sqlite3")

    max_photos, max_photo_mb = config["MAX_PHOTOS"], config["MAX_PHOTO_MB"]
    config.setdefault("MAX_CONTENT_LENGTH", (max_photos * max_photo_mb + 2) * 1024 * 1024)
    config.setdefault("MAX_FORM_MEMORY_SIZE", 1024 * 1024)
    config.setdefault("SESSION_COOKIE_NAME", "__Host-portal" if production else "portal")
    config.setdefault("SESSION_COOKIE_HTTPONLY", True)
    config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    config.setdefault("SESSION_COOKIE_SECURE", production)
    config.setdefault("PREFERRED_URL_SCHEME", "https" if production else "http")
    config.setdefault("WTF_CSRF_TIME_LIMIT", 4 * 3600)
    # Views check CSRF themselves (see portal.security.protect_posts) so a form with an
    # expired token can be shown again with everything that was typed.
    config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)
    config.setdefault("RATELIMIT_HEADERS_ENABLED", False)
    config.setdefault("RATELIMIT_STRATEGY", "moving-window")
    config.setdefault("BABEL_TRANSLATION_DIRECTORIES", os.path.join(_project_root(), "translations"))
    config.setdefault("PASSWORD_HASH_PARAMS", {})
    config["PRODUCTION"] = production
    return config


def _project_root() -> str:
    return os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
