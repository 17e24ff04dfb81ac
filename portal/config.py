"""Configuration: typed defaults, overridden by ``PORTAL_*`` environment variables.

The defaults serve one machine with SQLite in Flask's instance folder. In production the
app refuses to start with a missing or default secret, because a known key lets anyone
forge a staff session.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

ENVIRONMENTS = ("development", "production")
# Keys that outside production, when not set, are made at random once and kept in the instance
# folder (``instance/<name>.key``, readable by the owner only): never a constant in the code.
INSTANCE_KEYS = ("SECRET_KEY", "RECEIPT_KEY")
MIN_KEY_LENGTH = 32
# Published in earlier versions of this code as development defaults: refused everywhere.
PUBLIC_KEYS = frozenset({
    "dev-only-secret-key-do-not-use-in-production",  # noqa: S105
    "dev-only-receipt-key-do-not-use-in-production",
})
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
    # Encrypts staff TOTP secrets; "new,old,…" while rotating (flask staff rotate-totp-key).
    Setting("PORTAL_TOTP_KEY", "TOTP_KEY", None),
    Setting("PORTAL_DEFAULT_LANGUAGE", "DEFAULT_LANGUAGE", "vi"),
    Setting("PORTAL_TRUSTED_PROXIES", "TRUSTED_PROXIES", 0, int),
    Setting("PORTAL_TRUSTED_HOSTS", "TRUSTED_HOSTS", None, list),
    Setting("PORTAL_RATELIMIT_STORAGE_URL", "RATELIMIT_STORAGE_URI", "memory://"),
    # Worker processes serving the app; portal.gunicorn_conf sets it (else gunicorn's WEB_CONCURRENCY).
    Setting("PORTAL_SERVER_WORKERS", "SERVER_WORKERS", None, int),
    Setting("PORTAL_PAGE_CACHE_MAX_BYTES", "PAGE_CACHE_MAX_BYTES", 32 * 1024 * 1024, int),
    Setting("PORTAL_TIP_RATE_LIMIT", "TIP_RATE_LIMIT", "30/hour"),
    Setting("PORTAL_LOGIN_RATE_LIMIT", "LOGIN_RATE_LIMIT", "10/minute;50/hour"),
    Setting("PORTAL_RECEIPT_RATE_LIMIT", "RECEIPT_RATE_LIMIT", "30/hour"),
    # Photos arrive one request each, after their report: up to PORTAL_MAX_PHOTOS per tip.
    Setting("PORTAL_PHOTO_RATE_LIMIT", "PHOTO_RATE_LIMIT", "150/hour"),
    Setting("PORTAL_MAX_PHOTO_MB", "MAX_PHOTO_MB", 10, int),
    Setting("PORTAL_MAX_PHOTOS", "MAX_PHOTOS", 5, int),
    Setting("PORTAL_UPLOAD_DIR", "UPLOAD_DIR", None),
    Setting("PORTAL_TILE_URL", "TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png"),
    Setting("PORTAL_STAFF_MAPS", "STAFF_MAPS", False, bool),  # tile hosts learn unpublished sites
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
    if config["PORTAL_ENV"] not in ENVIRONMENTS:
        # "Production" or "prod" must not quietly run as a development instance.
        raise ConfigError(f"PORTAL_ENV must be one of {', '.join(ENVIRONMENTS)}, not {config['PORTAL_ENV']!r}")
    production = config["PORTAL_ENV"] == "production"

    if config["DEFAULT_LANGUAGE"] not in LANGUAGES:
        raise ConfigError(f"PORTAL_DEFAULT_LANGUAGE must be one of {', '.join(LANGUAGES)}")
    for key in INSTANCE_KEYS:
        value = config.get(key)
        if value in PUBLIC_KEYS or (production and (not value or len(value) < MIN_KEY_LENGTH)):
            raise ConfigError(
                f"PORTAL_{key} must be set to a random value of at least {MIN_KEY_LENGTH} characters in production "
                "(for example: python -c 'import secrets; print(secrets.token_urlsafe(48))')"
            )
        if not value:
            config[key] = instance_key(instance_path, key)
    if production and config["SECRET_KEY"] == config["RECEIPT_KEY"]:
        raise ConfigError("PORTAL_SECRET_KEY and PORTAL_RECEIPT_KEY must be two different values")
    _check_totp_key(config, production, instance_path)
    if production:
        _check_rate_limit_storage(config, os.environ if environ is None else environ)
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


def _check_totp_key(config: dict[str, Any], production: bool, instance_path: str) -> None:
    """``PORTAL_TOTP_KEY``: one key or a comma-separated list (newest first), each long and random,
    none equal to the secret or receipt key; outside production a missing one is the instance's."""
    value = config.get("TOTP_KEY")
    if not value and not production:
        config["TOTP_KEY"] = instance_key(instance_path, "TOTP_KEY")
        return
    keys = [key.strip() for key in str(value or "").split(",")]
    if not value or any(len(key) < MIN_KEY_LENGTH or key in PUBLIC_KEYS for key in keys):
        raise ConfigError(f"PORTAL_TOTP_KEY must be set to random values of at least {MIN_KEY_LENGTH} "
                          "characters each in production (newest first, separated by commas)")
    if {config["SECRET_KEY"], config["RECEIPT_KEY"]} & set(keys):
        raise ConfigError("PORTAL_TOTP_KEY must differ from PORTAL_SECRET_KEY and PORTAL_RECEIPT_KEY")


def instance_key(instance_path: str, key: str) -> str:
    """The instance's own random value for ``key``, made on first use (outside production only).

    Workers starting at once may race to make it: the value is written to a file of its own and
    linked into place, which fails for all but the first; the others read the first one's.
    """
    import tempfile

    path = os.path.join(instance_path, f"{key.lower()}.key")
    os.makedirs(instance_path, exist_ok=True)
    if not os.path.exists(path):
        descriptor, draft = tempfile.mkstemp(dir=instance_path, prefix=".key-")  # mode 0600
        try:
            with os.fdopen(descriptor, "w") as handle:
                handle.write(secrets.token_urlsafe(48))
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            os.unlink(draft)
    with open(path, encoding="ascii") as handle:
        value = handle.read().strip()
    if len(value) < MIN_KEY_LENGTH:
        raise ConfigError(f"{path} holds no key of {MIN_KEY_LENGTH} characters or more: delete it to make a new one")
    return value


def memory_storage_problem(storage_uri: str, workers: int) -> str | None:
    """Why rate limits counted in each process's memory are wrong for this many workers, or None."""
    if workers <= 1 or not storage_uri.startswith("memory:"):
        return None
    return (f"PORTAL_RATELIMIT_STORAGE_URL is {storage_uri!r} with {workers} worker processes: each would "
            f"count on its own and let through {workers} x every rate limit. Set it to a shared store "
            "(redis://127.0.0.1:6379/0 or redis+unix:///run/redis/redis.sock) or run one worker "
            "process (more threads instead: --workers 1 --threads 8).")


def _check_rate_limit_storage(config: dict[str, Any], environ: Mapping[str, str]) -> None:
    """Production refuses memory:// rate limits when it is known to run several worker processes:
    PORTAL_SERVER_WORKERS (set by ``portal.gunicorn_conf``), else gunicorn's WEB_CONCURRENCY."""
    if config.get("RATELIMIT_ENABLED", True) is False:
        return
    workers = config.get("SERVER_WORKERS")
    if workers is None:
        try:
            workers = int(environ.get("WEB_CONCURRENCY") or 1)
        except ValueError as exc:
            raise ConfigError(f"WEB_CONCURRENCY must be a number: {environ.get('WEB_CONCURRENCY')!r}") from exc
    problem = memory_storage_problem(str(config["RATELIMIT_STORAGE_URI"]), int(workers))
    if problem:
        raise ConfigError(problem)


def _project_root() -> str:
    return os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
