"""Who may open a staff page: the one place where staff pages declare the roles they admit.

``@roles_required("moderator")`` loads the signed-in staff member from the Flask session
(active, same session generation, not idle for longer than ``SESSION_IDLE_MINUTES``, not
older than :data:`MAX_SESSION`), sends anonymous visitors to the sign-in page and answers
403 to a signed-in member without the role. Admins have every role's access. The allowed
roles are kept on the view as ``view.allowed_roles`` for the access-table test; pages anyone
may open (sign-in, set-up link) are marked with :func:`public_page`. A staff view with
neither is refused (fail closed).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar

from flask import abort, current_app, flash, g, redirect, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response

from portal.db import get_session
from portal.models.staff import StaffRole, StaffUser

F = TypeVar("F", bound=Callable[..., Any])

SESSION_KEY = "staff"
PENDING_KEY = "staff_pending"
MAX_SESSION_SECONDS = 12 * 3600  # sign in again at least twice a day, however active
SEEN_REFRESH_SECONDS = 15
STAFF_PATH = re.compile(r"^/(?:vi|km|en)/staff(?:/|$)")
SAFE_NEXT = re.compile(r"^/(?:vi|km|en)(/staff/[A-Za-z0-9._~!$&'()*+,;=:@%/?-]*)$")
ROLE_LABELS = {
    StaffRole.MODERATOR: _l("Moderator"),
    StaffRole.EDITOR: _l("Editor"),
    StaffRole.ADMIN: _l("Administrator"),
}
ALL_ROLES = (StaffRole.MODERATOR, StaffRole.EDITOR, StaffRole.ADMIN)


# ---------------------------------------------------------------------------------------------
# The signed-in staff member


def _now() -> int:
    return int(time.time())


def start_session(user: StaffUser) -> None:
    """Sign in: a fresh session (nothing from before survives, the CSRF token included)."""
    session.clear()
    now = _now()
    session[SESSION_KEY] = {"id": user.id, "gen": user.session_generation, "since": now, "seen": now}
    g.staff_user = user


def end_session() -> None:
    session.clear()
    g.staff_user = None


def _load() -> StaffUser | None:
    data = session.get(SESSION_KEY)
    if not isinstance(data, dict):
        return None
    now = _now()
    idle = int(current_app.config["SESSION_IDLE_MINUTES"]) * 60
    try:
        user_id, generation = int(data["id"]), int(data["gen"])
        since, seen = int(data["since"]), int(data["seen"])
    except (KeyError, TypeError, ValueError):
        session.pop(SESSION_KEY, None)
        return None
    if now - seen > idle:
        g.staff_signed_out = "idle"
    elif now - since > MAX_SESSION_SECONDS:
        g.staff_signed_out = "expired"
    else:
        user = get_session().get(StaffUser, user_id)
        if user is not None and user.active and user.session_generation == generation and user.is_set_up:
            if now - seen >= SEEN_REFRESH_SECONDS:
                session[SESSION_KEY] = {**data, "seen": now}
            return user
        g.staff_signed_out = "ended"
    session.pop(SESSION_KEY, None)
    return None


def current_staff() -> StaffUser | None:
    """The signed-in staff member, checked once per request; None for everyone else."""
    if "staff_user" not in g:
        g.staff_user = _load()
    user: StaffUser | None = g.staff_user
    return user


def safe_next(target: str | None, lang: str) -> str | None:
    """A staff page to return to after sign-in, in the member's language; None if not safe."""
    if not target or "//" in target or "\\" in target:
        return None
    match = SAFE_NEXT.match(target)
    return f"/{lang}{match.group(1)}" if match else None


def _to_login() -> Response:
    reason = g.get("staff_signed_out")
    if reason == "idle":
        flash(_("You were signed out after %(minutes)s minutes without activity. Please sign in again.",
                minutes=current_app.config["SESSION_IDLE_MINUTES"]), "error")
    elif reason:
        flash(_("Your session has ended. Please sign in again."), "error")
    if request.method == "GET":
        query = request.query_string.decode("utf-8", "replace")
        target = request.path + ("?" + query if query else "")
        return redirect(url_for("staff.login", next=target), code=302)
    return redirect(url_for("staff.login"), code=302)


# ---------------------------------------------------------------------------------------------
# Declaring access


def roles_required(*roles: StaffRole | str) -> Callable[[F], F]:
    """Admit signed-in staff with one of ``roles`` (admins always); the one access rule for staff pages."""
    if not roles:
        raise ValueError("roles_required() needs at least one role")
    allowed = frozenset({StaffRole(role) for role in roles} | {StaffRole.ADMIN})

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> ResponseReturnValue:
            user = current_staff()
            if user is None:
                return _to_login()
            if user.role not in allowed:
                abort(403)
            return view(*args, **kwargs)

        wrapped.allowed_roles = allowed  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorator


def public_page(view: F) -> F:
    """Mark a staff page that anyone may open (the sign-in and set-up pages)."""
    view.allowed_roles = None  # type: ignore[attr-defined]
    view.public_staff_page = True  # type: ignore[attr-defined]
    return view


def require_declared_access() -> None:
    """Blueprint guard: a staff view that declares no access at all is refused for everyone."""
    if request.endpoint is None:
        return
    view = current_app.view_functions.get(request.endpoint)
    if view is None:
        return
    if getattr(view, "public_staff_page", False) or getattr(view, "allowed_roles", None):
        return
    current_app.logger.error("Staff view %s declares no roles; refused", request.endpoint)
    abort(403)


def staff_headers(response: Response) -> Response:
    """Staff pages are never cached or indexed (the sign-in page and staff errors too)."""
    if request.blueprint == "staff" or STAFF_PATH.match(request.path):
        response.headers["Cache-Control"] = "no-store"
        response.headers["Pragma"] = "no-cache"
        response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


# ---------------------------------------------------------------------------------------------
# Sections listed on the staff home page


@dataclass(frozen=True)
class Section:
    endpoint: str
    label: Any
    description: Any
    order: int = 50


SECTIONS: dict[str, Section] = {}


def register_section(endpoint: str, label: Any, description: Any, order: int = 50) -> None:
    """List a staff page on the staff home page and menu (shown to the roles its view admits).

    Call it at import time next to the view, with lazy_gettext texts; lower ``order`` comes first.
    """
    SECTIONS[endpoint] = Section(endpoint, label, description, order)


def sections_for(user: StaffUser) -> list[Section]:
    sections = []
    for section in sorted(SECTIONS.values(), key=lambda section: (section.order, section.endpoint)):
        view = current_app.view_functions.get(section.endpoint)
        allowed = getattr(view, "allowed_roles", None)
        if allowed and user.role in allowed:
            sections.append(section)
    return sections
