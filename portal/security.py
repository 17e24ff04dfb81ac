"""Response headers, the CSP, cookie hardening and the CSRF rule for every POST."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, request
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from portal.extensions import csrf
from portal.models.types import MAX_ID

F = TypeVar("F", bound=Callable[..., Any])
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
PERMISSIONS_POLICY = (
    "geolocation=(self), camera=(), microphone=(), payment=(), usb=(), "
    "interest-cohort=(), browsing-topics=()"
)
HSTS = "max-age=63072000; includeSubDomains"


class DatabaseIntegerConverter(IntegerConverter):
    """``<int:…>`` in URLs, bounded by what an id column holds: a huge number is a 404, not an
    overflow in the database driver (a 500)."""

    def __init__(self, map: Any, fixed_digits: int = 0, min: int | None = None,  # noqa: A002
                 max: int | None = MAX_ID, signed: bool = False) -> None:  # noqa: A002
        super().__init__(map, fixed_digits, min, max, signed)


def init_app(app: Flask) -> None:
    # Before any blueprint adds its routes: rules pick their converters when they are added.
    app.url_map.converters["int"] = DatabaseIntegerConverter
    proxies = int(app.config["TRUSTED_PROXIES"])
    if proxies > 0:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_port=proxies
        )
    csrf.init_app(app)
    app.before_request(protect_posts)
    app.after_request(set_security_headers)


def form_checks_csrf(view: F) -> F:
    """Mark a view whose form validates the CSRF token itself.

    Such a view shows the form again, with what was typed, when the token has expired;
    every other POST is refused by :func:`protect_posts` before the view runs.
    """
    view._form_checks_csrf = True  # type: ignore[attr-defined]
    return view


def protect_posts() -> None:
    if (request.method not in UNSAFE_METHODS or request.endpoint is None
            or not current_app.config.get("WTF_CSRF_ENABLED", True)):
        return
    view = current_app.view_functions.get(request.endpoint)
    if not getattr(view, "_form_checks_csrf", False):
        csrf.protect()


def content_security_policy() -> str:
    tiles = urlsplit(current_app.config.get("TILE_URL") or "")
    tile_origin = f" {tiles.scheme}://{tiles.netloc}" if tiles.scheme in {"http", "https"} else ""
    return "; ".join([
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        f"img-src 'self' data:{tile_origin}",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])


def security_headers() -> dict[str, str]:
    headers = {
        "Content-Security-Policy": content_security_policy(),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "X-Frame-Options": "DENY",
        "Permissions-Policy": PERMISSIONS_POLICY,
        "Cross-Origin-Opener-Policy": "same-origin",
        "Cross-Origin-Resource-Policy": "same-origin",
    }
    if current_app.config["PRODUCTION"]:
        headers["Strict-Transport-Security"] = HSTS
    return headers


def set_security_headers(response: Response) -> Response:
    """One place for every response's headers, error pages included."""
    for name, value in security_headers().items():
        response.headers[name] = value
    return response


def no_store(response: Response) -> Response:
    """For pages that carry a receipt, a tip or anything staff-only."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    return response
