"""Public pages. Views stay thin: they read settings or call services and render."""

from __future__ import annotations

from flask import Response, current_app, redirect, render_template, url_for
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from portal.db import get_session
from portal.i18n import LOCALES, preferred_locale
from portal.navigation import SITEMAP_ENDPOINTS
from portal.public import bp


@bp.get("/")
def root() -> Response:
    response = redirect(url_for("public.home", lang=preferred_locale()), code=302)
    response.headers["Vary"] = "Accept-Language, Cookie"
    return response  # type: ignore[return-value]


@bp.get("/<lang:lang>/")
def home() -> str:
    return render_template("public/home.html")


@bp.get("/<lang:lang>/privacy")
def privacy() -> str:
    return render_template("public/privacy.html")


@bp.get("/healthz")
def healthz() -> tuple[str, int, dict[str, str]]:
    """200 ``ok`` when the database answers, 503 when it does not (for load balancers)."""
    headers = {"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store"}
    try:
        get_session().execute(text("SELECT 1"))
    except SQLAlchemyError:
        current_app.logger.warning("Health check: the database is unavailable")
        return "unavailable", 503, headers
    return "ok", 200, headers


@bp.get("/robots.txt")
def robots() -> tuple[str, int, dict[str, str]]:
    lines = ["User-agent: *", *(f"Disallow: /{lang}/staff/" for lang in LOCALES),
             *(f"Disallow: /{lang}/tips/status" for lang in LOCALES),
             f"Sitemap: {url_for('public.sitemap', _external=True)}"]
    return "\n".join(lines) + "\n", 200, {"Content-Type": "text/plain; charset=utf-8"}


@bp.get("/sitemap.xml")
def sitemap() -> tuple[str, int, dict[str, str]]:
    endpoints = [e for e in SITEMAP_ENDPOINTS if e in current_app.view_functions]
    body = render_template("public/sitemap.xml", endpoints=endpoints)
    return body, 200, {"Content-Type": "application/xml; charset=utf-8"}
