"""Who may open a staff page: the one place where staff pages declare the roles they admit.

``@roles_required("moderator")`` loads the signed-in staff member from the server-side session
row named by the Flask cookie (not ended, account active, not idle for longer than
``SESSION_IDLE_MINUTES``, not older than :data:`MAX_SESSION_SECONDS`; see
:mod:`portal.services.staff_sessions`), sends anonymous visitors to the sign-in page and answers
403 to a signed-in member without the role. Admins have every role's access. The allowed
roles are kept on the view as ``view.allowed_roles`` for the access-table test; pages anyone
may open (sign-in, set-up link) are marked with :func:`public_page`. A staff view with
neither is refused (fail closed).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import wraps
from typing import Any, TypeVar

from flask import abort, current_app, flash, g, redirect, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response

from portal.db import get_session
from portal.models.staff import StaffRole, StaffUser
from portal.services import staff_sessions
from portal.services.staff_accounts import SETUP_LINK_LIFETIME

F = TypeVar("F", bound=Callable[..., Any])

SESSION_KEY = "staff"
PENDING_KEY = "staff_pending"
SETUP_KEY = "staff_setup"  # the proof that this browser opened a set-up link
MAX_SESSION_SECONDS = int(staff_sessions.MAX_AGE.total_seconds())  # sign in again at least twice a day
SEEN_REFRESH_SECONDS = int(staff_sessions.SEEN_REFRESH.total_seconds())
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


def idle_limit() -> timedelta:
    return timedelta(minutes=int(current_app.config["SESSION_IDLE_MINUTES"]))


def client_address() -> str:
    """The client's address as ProxyFix gives it (services keep only a keyed hash of it)."""
    return request.remote_addr or ""


def session_token() -> str:
    data = session.get(SESSION_KEY)
    token = data.get("sid") if isinstance(data, dict) else None
    return token if isinstance(token, str) else ""


def start_session(user: StaffUser) -> None:
    """Sign in: a fresh session (nothing from before survives, the CSRF token included).

    The cookie carries only a random id; the session itself is a row on the server."""
    token = staff_sessions.start(get_session(), user, request.headers.get("User-Agent", ""))
    session.clear()
    session[SESSION_KEY] = {"sid": token}
    g.staff_user = user


def end_session() -> None:
    """Forget the session in this browser (the caller ends its row on the server)."""
    session.clear()
    g.staff_user = None


def _load() -> StaffUser | None:
    if SESSION_KEY not in session:
        return None
    loaded = staff_sessions.load(get_session(), session_token(), idle_limit())
    if loaded.user is None:
        g.staff_signed_out = loaded.reason
        session.pop(SESSION_KEY, None)
    return loaded.user


def current_staff() -> StaffUser | None:
    """The signed-in staff member, checked once per request; None for everyone else."""
    if "staff_user" not in g:
        g.staff_user = _load()
    user: StaffUser | None = g.staff_user
    return user


def current_actor() -> StaffUser:
    """The signed-in staff member doing what a view does (for the services and the audit log).

    For views behind :func:`roles_required`, which has already let only staff through; anyone
    else gets 403 (fail closed)."""
    user = current_staff()
    if user is None:
        abort(403)
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


def staff_context() -> dict[str, Any]:
    """What every staff template reads: the member, their sections (the sign-out button prints
    the session's CSRF token itself: building a form for it on every page cost more than the menu)."""
    user = current_staff()
    return {
        "staff_user": user,
        "staff_sections": sections_for(user) if user else [],
        "ROLE_LABELS": ROLE_LABELS,
        "setup_link_hours": int(SETUP_LINK_LIFETIME.total_seconds() // 3600),
    }



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
