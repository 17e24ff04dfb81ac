"""What moderators do with sites: create one from a tip, attach further tips, split a tip off,
move a site through its field status, plan it for a team, record a team's visit.

Each function opens the one write transaction and audits the change inside it. A site keeps its
count of independent accounts (``corroboration``) current in the same transaction.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.db import write_transaction
from portal.models.audit import AuditEntry
from portal.models.site import MAX_SITE_NAME, SearchTeam, Site, SiteStatus, SiteVisit, VisitFinding
from portal.models.staff import StaffUser
from portal.models.tip import Tip, TipStatus
from portal.models.types import utcnow
from portal.services.audit import record
from portal.services.site_workflow import (
    SitePlan,
    SiteTransitionError,
    apply_site_transition,
    figures_changed,
    forward_path,
    season_of,
)


class SiteError(ValueError):
    """A site action that cannot be done; ``code`` names why (the view turns it into words)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


# Tips that count as no account at all.
NOT_COUNTED = (TipStatus.REJECTED,)


def tipster_key(tip: Tip) -> str:
    """Who told: the tip's phone number or e-mail address (normalised, hashed), else the tip itself
    (an anonymous tip is an account of its own). Never shown; only compared."""
    phone = re.sub(r"\D", "", tip.contact_phone or "")
    phone = re.sub(r"^(00)?(855|84)", "", phone).lstrip("0")  # +855 12 … and 012 … are one number
    email = (tip.contact_email or "").strip().lower()
    contact = f"p:{phone}" if len(phone) >= 6 else f"e:{email}" if email else ""
    if not contact:
        return f"tip:{tip.id}"
    return hashlib.sha256(contact.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Corroboration:
    """How many independent accounts a site has, and how they came and how their tellers know."""

    accounts: int
    tips: int
    channels: dict[str, int] = field(default_factory=dict)
    how_known: dict[str, int] = field(default_factory=dict)


def corroboration(tips: list[Tip]) -> Corroboration:
    """Independent accounts: the different tipsters among the tips (a tipster who wrote three
    times is one account); rejected tips do not count."""
    counted = [tip for tip in tips if tip.status not in NOT_COUNTED]
    by_tipster: dict[str, Tip] = {}
    for tip in counted:
        by_tipster.setdefault(tipster_key(tip), tip)
    channels = Counter(tip.channel.value for tip in by_tipster.values())
    how_known = Counter((tip.how_known.value if tip.how_known else "unknown") for tip in by_tipster.values())
    return Corroboration(len(by_tipster), len(tips), dict(channels), dict(how_known))


def site_tips(session: Session, site_id: int) -> list[Tip]:
    return list(session.scalars(select(Tip).where(Tip.site_id == site_id).order_by(Tip.id)))


def site_audit(session: Session, site_id: int) -> list[AuditEntry]:
    """A site's history, oldest first."""
    return list(session.scalars(select(AuditEntry).where(AuditEntry.subject == f"site:{site_id}")
                                .order_by(AuditEntry.id)))


def _recount(session: Session, site: Site) -> Corroboration:
    session.flush()
    counts = corroboration(site_tips(session, site.id))
    site.corroboration, site.tip_count = counts.accounts, counts.tips
    figures_changed(session)
    return counts


def _actor(actor: StaffUser) -> dict[str, Any]:
    return {"actor_id": actor.id, "actor_name": actor.username}


def _tip(session: Session, tip_id: int) -> Tip:
    tip = session.get(Tip, tip_id)
    if tip is None:
        raise SiteError("tip_not_found")
    return tip


def _site(session: Session, site_id: int) -> Site:
    site = session.get(Site, site_id)
    if site is None:
        raise SiteError("site_not_found")
    return site


def create_site_from_tip(session: Session, tip_id: int, actor: StaffUser, name: str = "") -> Site:
    """A new site at the tip's place (its codes and position), with the tip attached."""
    with write_transaction(session):
        tip = _tip(session, tip_id)
        if tip.site_id is not None:
            raise SiteError("already_attached")
        site = Site(name=(name.strip() or tip.local_name or "")[:MAX_SITE_NAME], status=SiteStatus.REPORTED,
                    province_code=tip.province_code, district_code=tip.district_code,
                    commune_code=tip.commune_code, village_code=tip.village_code,
                    latitude=tip.latitude, longitude=tip.longitude, uncertainty_m=tip.uncertainty_m,
                    corroboration=0, tip_count=0, remains_count=0, season=season_of(utcnow().date()))
        session.add(site)
        session.flush()
        tip.site_id = site.id
        counts = _recount(session, site)
        record(session, "site.created", **_actor(actor), tip_id=tip.id, subject=f"site:{site.id}",
               site_id=site.id, accounts=counts.accounts)
        return site


def attach_tip(session: Session, site_id: int, tip_id: int, actor: StaffUser) -> Site:
    with write_transaction(session):
        site, tip = _site(session, site_id), _tip(session, tip_id)
        if tip.site_id == site.id:
            raise SiteError("already_here")
        if tip.site_id is not None:
            raise SiteError("already_attached")
        tip.site_id = site.id
        counts = _recount(session, site)
        record(session, "site.tip_attached", **_actor(actor), tip_id=tip.id, subject=f"site:{site.id}",
               site_id=site.id, accounts=counts.accounts)
        return site


def split_tip(session: Session, tip_id: int, actor: StaffUser) -> Site:
    """Take a wrongly attached tip off its site again (a site keeps at least one tip)."""
    with write_transaction(session):
        tip = _tip(session, tip_id)
        if tip.site_id is None:
            raise SiteError("not_attached")
        site = _site(session, tip.site_id)
        if site.tip_count <= 1:
            raise SiteError("last_tip")
        tip.site_id = None
        counts = _recount(session, site)
        record(session, "site.tip_split", **_actor(actor), tip_id=tip.id, subject=f"site:{site.id}",
               site_id=site.id, accounts=counts.accounts)
        return site


@dataclass(frozen=True)
class SiteLocation:
    """A site's name and where it is (staff only): a position with its uncertainty, or none."""

    name: str
    latitude: float | None
    longitude: float | None
    uncertainty_m: int | None


def edit_site(session: Session, site_id: int, location: SiteLocation, actor: StaffUser) -> Site:
    """Change a site's name or position (``outside_cambodia`` when the position is not in Cambodia);
    audited with the fields that changed, never their values' history elsewhere."""
    from portal.geo import in_cambodia

    has_position = location.latitude is not None and location.longitude is not None
    if (location.latitude is None) != (location.longitude is None):
        raise SiteError("position_incomplete")
    if has_position and not in_cambodia(location.latitude or 0.0, location.longitude or 0.0):
        raise SiteError("outside_cambodia")
    with write_transaction(session):
        site = _site(session, site_id)
        new = {"name": location.name.strip()[:MAX_SITE_NAME], "latitude": location.latitude,
               "longitude": location.longitude, "uncertainty_m": location.uncertainty_m if has_position else None}
        changed = sorted(key for key, value in new.items() if getattr(site, key) != value)
        for key in changed:
            setattr(site, key, new[key])
        if changed:
            record(session, "site.edited", **_actor(actor), subject=f"site:{site.id}", site_id=site.id,
                   fields=changed)
        return site


def _team(session: Session, team_id: int | None) -> SearchTeam:
    team = session.get(SearchTeam, team_id) if team_id else None
    if team is None:
        raise SiteError("team_not_found")
    return team


def move_site(session: Session, site_id: int, target: SiteStatus, actor: StaffUser, *,
              team_id: int | None = None, planned_month: date | None = None, on_date: date | None = None,
              remains_count: int = 0) -> Site:
    """A moderator's move through ``SITE_STATUSES`` (``SiteTransitionError`` when refused)."""
    with write_transaction(session):
        site = _site(session, site_id)
        plan = SitePlan(_team(session, team_id), planned_month) if team_id and planned_month else None
        apply_site_transition(session, site, target, actor, plan=plan, on_date=on_date,
                              remains_count=remains_count)
        return site


def plan_site(session: Session, site_id: int, team_id: int, planned_month: date, actor: StaffUser) -> Site:
    """Assign a site to a team and a month; a reported site becomes "survey planned", a planned one
    is re-planned (audited as ``site.planned``)."""
    with write_transaction(session):
        site = _site(session, site_id)
        plan = SitePlan(_team(session, team_id), planned_month)
        if site.status == SiteStatus.REPORTED:
            apply_site_transition(session, site, SiteStatus.SURVEY_PLANNED, actor, plan=plan)
        elif site.status == SiteStatus.SURVEY_PLANNED:
            site.team_id, site.planned_month = plan.team.id, planned_month.replace(day=1)
            site.season = season_of(site.planned_month)
        else:
            raise SiteError("not_plannable")
        record(session, "site.planned", **_actor(actor), subject=f"site:{site.id}", site_id=site.id,
               team=plan.team.code, planned_month=planned_month.isoformat()[:7])
        return site


# The state a visit's finding puts a site in.
FINDING_STATUS = {
    VisitFinding.SURVEYED: SiteStatus.SURVEYED,
    VisitFinding.SIGNS_FOUND: SiteStatus.EXCAVATION,
    VisitFinding.REMAINS_RECOVERED: SiteStatus.REMAINS_RECOVERED,
    VisitFinding.NOTHING_FOUND: SiteStatus.NOTHING_FOUND,
}


@dataclass(frozen=True)
class VisitInput:
    visited_on: date
    team_id: int
    finding: VisitFinding
    remains_count: int = 0
    notes: str = ""


def record_visit(session: Session, site_id: int, visit: VisitInput, actor: StaffUser) -> SiteVisit:
    """One visit and what it found; the site moves forward through the table to the state the
    finding names (each move audited), its remains the sum of its visits'."""
    if visit.remains_count < 0 or (visit.finding == VisitFinding.REMAINS_RECOVERED) != (visit.remains_count > 0):
        raise SiteError("remains_mismatch")
    with write_transaction(session):
        site = _site(session, site_id)
        team = _team(session, visit.team_id)
        row = SiteVisit(site_id=site.id, team_id=team.id, visited_on=visit.visited_on, finding=visit.finding,
                        remains_count=visit.remains_count, notes=visit.notes.strip()[:4000], staff_id=actor.id)
        session.add(row)
        session.flush()
        target = FINDING_STATUS[visit.finding]
        path = forward_path(site.status, target)
        if not path and site.status != target:
            raise SiteError("visit_not_allowed")
        total = site.remains_count + visit.remains_count
        if site.team_id is None:
            site.team_id = team.id
        for step in path:
            apply_site_transition(session, site, step, actor, on_date=visit.visited_on,
                                  plan=SitePlan(team, visit.visited_on), remains_count=total,
                                  via=f"visit:{row.id}")
        if site.status == SiteStatus.REMAINS_RECOVERED and not path:
            site.remains_count = total  # a further visit to a site already recovering remains
        record(session, "site.visit_recorded", **_actor(actor), subject=f"site:{site.id}", site_id=site.id,
               visit_id=row.id, team=team.code, visited_on=visit.visited_on.isoformat(),
               finding=visit.finding.value, remains_count=visit.remains_count)
        return row


__all__ = ["SiteError", "SiteTransitionError", "attach_tip", "corroboration", "create_site_from_tip",
           "move_site", "plan_site", "record_visit", "split_tip"]
