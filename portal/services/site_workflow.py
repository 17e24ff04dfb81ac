"""A site's field status as data: one table of the states a site can be in, and the one function
that moves a site between them (the way ``portal.services.workflow`` moves a tip).

Each state is declared once, in ``SITE_STATUSES``: what staff call it, what the button that moves a
site into it says, what the tipster reads about the place they told of, where it may move next and
what a move into it requires. Every move is audited in the same transaction as the change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from portal.models.site import SearchTeam, Site, SiteStatus
from portal.models.staff import StaffUser
from portal.models.types import utcnow
from portal.services.audit import record

S = SiteStatus

# What a move into a state can require; each has its check in ``apply_site_transition``.
SiteRequirement = Literal["plan", "on_date", "remains"]
PLAN: SiteRequirement = "plan"  # a search team and a planned month
ON_DATE: SiteRequirement = "on_date"  # the day it happened (surveyed, repatriated)
REMAINS: SiteRequirement = "remains"  # how many sets of remains were recovered (at least one), and when


@dataclass(frozen=True)
class SiteState:
    key: SiteStatus
    label: LazyString  # what staff read
    move_label: LazyString  # the button that moves a site into this state
    tipster: LazyString  # what the tipster reads about the place they told of (no names, no position)
    family: LazyString  # what a family whose inquiry is linked to the site reads (portal.services.inquiries)
    moves_to: frozenset[SiteStatus]
    requires: frozenset[SiteRequirement] = frozenset()
    finished: bool = False  # no more field work planned


# The table, in the order of the field work.
SITE_STATUSES: dict[SiteStatus, SiteState] = {state.key: state for state in (
    SiteState(S.REPORTED, _l("Reported"), _l("Back to reported"),
              _l("The place you told us about is recorded for the search teams."),
              _l("A place that may be connected with your relative is recorded for the search teams."),
              moves_to=frozenset({S.SURVEY_PLANNED})),
    SiteState(S.SURVEY_PLANNED, _l("Survey planned"), _l("Plan a survey"),
              _l("A search team plans to survey the place you told us about."),
              _l("A search team plans to survey a place that may be connected with your relative."),
              moves_to=frozenset({S.SURVEYED, S.REPORTED}), requires=frozenset({PLAN})),
    SiteState(S.SURVEYED, _l("Surveyed"), _l("Mark as surveyed"),
              _l("A search team has surveyed the place you told us about."),
              _l("A search team has surveyed a place that may be connected with your relative."),
              moves_to=frozenset({S.EXCAVATION, S.NOTHING_FOUND, S.SURVEY_PLANNED}), requires=frozenset({ON_DATE})),
    SiteState(S.EXCAVATION, _l("Excavation"), _l("Start excavation"),
              _l("A search team is excavating at the place you told us about."),
              _l("A search team is carefully excavating a place that may be connected with your relative."),
              moves_to=frozenset({S.REMAINS_RECOVERED, S.NOTHING_FOUND, S.SURVEYED})),
    SiteState(S.REMAINS_RECOVERED, _l("Remains recovered"), _l("Record remains recovered"),
              _l("Remains were recovered at the place you told us about."),
              _l("Remains were found at a place that may be connected with your relative. Only "
                 "identification, often by DNA, can tell whether they are your relative's; our staff will write to "
                 "you as soon as anything is known."),
              moves_to=frozenset({S.REPATRIATED, S.EXCAVATION}), requires=frozenset({REMAINS})),
    SiteState(S.NOTHING_FOUND, _l("Nothing found"), _l("Close: nothing found"),
              _l("The search team found no remains at the place you told us about."),
              _l("A search team searched a place that may be connected with your relative but found no "
                 "remains there. Your inquiry stays open, and the search goes on."),
              moves_to=frozenset({S.SURVEY_PLANNED}), finished=True),
    SiteState(S.REPATRIATED, _l("Repatriated"), _l("Mark as repatriated"),
              _l("The remains recovered at the place you told us about have been repatriated to Việt Nam."),
              _l("Remains recovered at a place that may be connected with your relative have been brought "
                 "home to Việt Nam with honour. Only identification can tell whether they are your relative's."),
              moves_to=frozenset(), requires=frozenset({ON_DATE}), finished=True),
)}

SITE_STATUS_LABELS: dict[SiteStatus, LazyString] = {key: s.label for key, s in SITE_STATUSES.items()}
ORDER: list[SiteStatus] = list(SITE_STATUSES)


class SiteTransitionError(ValueError):
    """A move the table does not allow, or one missing what it needs; ``code`` names which."""

    def __init__(self, code: str, **details: Any) -> None:
        super().__init__(code)
        self.code = code
        self.details = details


@dataclass(frozen=True)
class SitePlan:
    team: SearchTeam
    planned_month: date  # any day of the month; stored as its first day


def allowed_site_moves(status: SiteStatus) -> list[SiteStatus]:
    moves_to = SITE_STATUSES[status].moves_to
    return [key for key in SITE_STATUSES if key in moves_to]


def season_of(day: date) -> str:
    """The dry season a day belongs to ("2025-2026"), as the statistics page counts it."""
    from portal.services.field_outcomes import dry_season

    return dry_season(day)


def apply_site_transition(session: Session, site: Site, target: SiteStatus, actor: StaffUser, *,
                          plan: SitePlan | None = None, on_date: date | None = None,
                          remains_count: int = 0, via: str = "") -> None:
    """Move ``site`` to ``target`` and audit it; the caller's write transaction commits both."""
    source = site.status
    if target not in SITE_STATUSES[source].moves_to:
        raise SiteTransitionError("not_allowed", source=source, target=target)
    needs = SITE_STATUSES[target].requires
    detail: dict[str, Any] = {"from": source.value, "to": target.value}
    if PLAN in needs:
        if plan is None:
            raise SiteTransitionError("plan_required")
        site.team_id = plan.team.id
        site.planned_month = plan.planned_month.replace(day=1)
        site.season = season_of(site.planned_month)
        detail.update(team=plan.team.code, planned_month=site.planned_month.isoformat()[:7])
    if ON_DATE in needs or REMAINS in needs:
        if on_date is None:
            raise SiteTransitionError("date_required")
        detail["on"] = on_date.isoformat()
    if REMAINS in needs:
        if remains_count < 1:
            raise SiteTransitionError("remains_required")
        site.remains_count = remains_count
        site.recovered_on = on_date
        site.season = season_of(on_date) if on_date else site.season
        detail["remains_count"] = remains_count
    if target == S.SURVEYED:
        site.surveyed_on = on_date
    if target == S.REPATRIATED:
        site.repatriated_on = on_date
    if via:
        detail["via"] = via
    site.status = target
    site.status_changed_at = utcnow()
    figures_changed(session)
    record(session, "site.transition", actor_id=actor.id, actor_name=actor.username,
           subject=f"site:{site.id}", **detail)


def figures_changed(session: Session) -> None:
    """Public figures count sites: the cached statistics and map pages must be rendered again."""
    from portal.page_cache import bump_content_version

    bump_content_version(session)


def forward_path(source: SiteStatus, target: SiteStatus) -> list[SiteStatus]:
    """The shortest way forward through the table from ``source`` to ``target`` (the states after
    ``source``, ``target`` last), or ``[]`` when there is none. A visit uses it: a team that surveys
    and excavates on one day moves the site through each state, each move audited."""
    if source == target:
        return []
    frontier: list[list[SiteStatus]] = [[source]]
    seen = {source}
    while frontier:
        path = frontier.pop(0)
        for step in allowed_site_moves(path[-1]):
            if step in seen or ORDER.index(step) < ORDER.index(path[-1]) and step != target:
                continue
            if step == target:
                return [*path[1:], step]
            seen.add(step)
            frontier.append([*path, step])
    return []


@dataclass(frozen=True)
class TipsterOutcome:
    """What a tipster reads of the site their tip tells about: its state in words and its dates and
    count of remains. Nothing else of the site: no position, no village, no other tip or tipster."""

    key: str  # ``site-<key>`` in the follow-up page's HTML
    label: str
    sentence: str
    facts: tuple[str, ...]


def tipster_outcome(site: Site | None) -> TipsterOutcome | None:
    """In the current request's language (the follow-up page's)."""
    if site is None:
        return None
    from flask_babel import gettext, ngettext

    from portal.i18n import format_day, format_number

    state = SITE_STATUSES[site.status]
    facts: list[str] = []
    if site.surveyed_on:
        facts.append(gettext("Surveyed on %(date)s.", date=format_day(site.surveyed_on)))
    if site.recovered_on and site.remains_count:
        facts.append(ngettext("Remains of %(count)s person recovered on %(date)s.",
                              "Remains of %(count)s people recovered on %(date)s.", site.remains_count,
                              count=format_number(site.remains_count), date=format_day(site.recovered_on)))
    if site.repatriated_on:
        facts.append(gettext("Repatriated to Việt Nam on %(date)s.", date=format_day(site.repatriated_on)))
    return TipsterOutcome(key=site.status.value, label=str(state.label), sentence=str(state.tipster),
                          facts=tuple(facts))
