"""Server-side staff sessions: one ``StaffSession`` row per signed-in browser.

The Flask cookie carries only a random id; its SHA-256 names the row. A session ends when its
row says so (sign-out, "sign out everywhere", ending it from the sessions page, disabling the
account, a role change, a second-factor reset), after ``idle`` without a request, or
:data:`MAX_AGE` after sign-in, however active. ``last_seen_at`` is refreshed at most every
:data:`SEEN_REFRESH` so an ordinary staff request writes nothing.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, delete, or_, select, update
from sqlalchemy.orm import Session

from portal.db import write_transaction
from portal.models.staff import StaffSession, StaffUser
from portal.models.types import utcnow
from portal.services import audit

MAX_AGE = timedelta(hours=12)
SEEN_REFRESH = timedelta(seconds=15)
KEEP_ENDED = timedelta(days=30)  # ended rows are kept this long for the sessions page, then deleted
TOKEN_BYTES = 32

_BROWSERS = (("Edg/", "Edge"), ("OPR/", "Opera"), ("SamsungBrowser/", "Samsung Internet"),
             ("Firefox/", "Firefox"), ("Chrome/", "Chrome"), ("Safari/", "Safari"))
_SYSTEMS = (("Android", "Android"), ("iPhone", "iOS"), ("iPad", "iPadOS"), ("Windows", "Windows"),
            ("Mac OS X", "macOS"), ("CrOS", "ChromeOS"), ("Linux", "Linux"))


@dataclass(frozen=True)
class Loaded:
    """The outcome of looking a cookie's session up: the member, or why nobody is signed in."""

    user: StaffUser | None
    reason: str = ""  # "", "ended", "idle" or "expired"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def summarise_user_agent(user_agent: str) -> str:
    """"Firefox, Linux": browser and system names only, never the whole string."""
    user_agent = user_agent or ""
    browser = next((name for marker, name in _BROWSERS if marker in user_agent), "")
    system = next((name for marker, name in _SYSTEMS if marker in user_agent), "")
    return re.sub(r"[^A-Za-z ,]", "", ", ".join(part for part in (browser, system) if part))[:60]


def start(session: Session, user: StaffUser, user_agent: str = "", now: datetime | None = None) -> str:
    """A new session row for a member who just signed in; return the random id for the cookie."""
    now = now or utcnow()
    token = secrets.token_urlsafe(TOKEN_BYTES)
    with write_transaction(session):
        session.execute(delete(StaffSession).where(StaffSession.user_id == user.id,
                                                   or_(StaffSession.ended_at < now - KEEP_ENDED,
                                                       StaffSession.created_at < now - MAX_AGE - KEEP_ENDED)))
        session.add(StaffSession(token_hash=_hash(token), user_id=user.id, created_at=now, last_seen_at=now,
                                 user_agent=summarise_user_agent(user_agent)))
    return token


# Built once: every staff request runs it, and building it (and its cache key) each time cost
# about as much as running it.
_SESSION_AND_MEMBER = (select(StaffSession, StaffUser).join(StaffUser, StaffUser.id == StaffSession.user_id)
                       .where(StaffSession.token_hash == bindparam("token_hash")))


def load(session: Session, token: str, idle: timedelta, now: datetime | None = None) -> Loaded:
    """The member a cookie's session id belongs to, if the session still runs (one SELECT)."""
    now = now or utcnow()
    if not token or len(token) > 100:
        return Loaded(None, "ended")
    row = session.execute(_SESSION_AND_MEMBER, {"token_hash": _hash(token)}).first()
    if row is None:
        return Loaded(None, "ended")
    record, user = row[0], row[1]
    if record.ended_at is not None:
        return Loaded(None, "ended")
    reason = ""
    if now - record.last_seen_at > idle:
        reason = "idle"
    elif now - record.created_at > MAX_AGE:
        reason = "expired"
    elif not user.active or not user.is_set_up:
        reason = "ended"
    if reason:
        with write_transaction(session):
            session.execute(update(StaffSession).where(StaffSession.id == record.id,
                                                       StaffSession.ended_at.is_(None))
                            .values(ended_at=now, end_reason=reason if reason != "ended" else "account_changed"))
        return Loaded(None, reason)
    if now - record.last_seen_at >= SEEN_REFRESH:
        with write_transaction(session):
            session.execute(update(StaffSession).where(StaffSession.id == record.id).values(last_seen_at=now))
    return Loaded(user)


def current_id(session: Session, token: str) -> int | None:
    return session.scalar(select(StaffSession.id).where(StaffSession.token_hash == _hash(token or "")))


def end_all(session: Session, user_id: int, reason: str, now: datetime | None = None) -> int:
    """End every running session of an account; call it inside the caller's write transaction."""
    result = session.execute(update(StaffSession)
                             .where(StaffSession.user_id == user_id, StaffSession.ended_at.is_(None))
                             .values(ended_at=now or utcnow(), end_reason=reason))
    return int(getattr(result, "rowcount", 0) or 0)


def sign_out(session: Session, user: StaffUser, token: str, now: datetime | None = None) -> None:
    """End this browser's session on the server, with its audit entry."""
    with write_transaction(session):
        session.execute(update(StaffSession)
                        .where(StaffSession.token_hash == _hash(token or ""), StaffSession.user_id == user.id,
                               StaffSession.ended_at.is_(None))
                        .values(ended_at=now or utcnow(), end_reason="signed_out"))
        audit.record(session, "staff.signed_out", actor_id=user.id, actor_name=user.username,
                     subject=user.username)


def end_one(session: Session, user: StaffUser, session_id: int, now: datetime | None = None) -> bool:
    """End one of the member's own sessions (from the sessions page); False if it is not theirs."""
    with write_transaction(session):
        result = session.execute(update(StaffSession)
                                 .where(StaffSession.id == session_id, StaffSession.user_id == user.id,
                                        StaffSession.ended_at.is_(None))
                                 .values(ended_at=now or utcnow(), end_reason="ended_by_user"))
        ended = bool(getattr(result, "rowcount", 0))
        if ended:
            audit.record(session, "staff.session_ended", actor_id=user.id, actor_name=user.username,
                         subject=user.username, session_row=session_id)
    return ended


def running(session: Session, user: StaffUser, idle: timedelta, now: datetime | None = None) -> list[StaffSession]:
    """The member's sessions that still run, newest first."""
    now = now or utcnow()
    return list(session.scalars(
        select(StaffSession)
        .where(StaffSession.user_id == user.id, StaffSession.ended_at.is_(None),
               StaffSession.last_seen_at >= now - idle, StaffSession.created_at >= now - MAX_AGE)
        .order_by(StaffSession.created_at.desc(), StaffSession.id.desc())
    ))
