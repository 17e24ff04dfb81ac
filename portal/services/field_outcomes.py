"""Field outcomes recorded through this portal, for the statistics page.

When a moderator closes a tip they record what the search team found (``portal.services.workflow``).
Counted here by dry season and province: closed tips by outcome, and the sets of remains recovered.
These are *not* official figures: the statistics page shows them separately, labelled "recorded
through this portal" (``portal.services.content.PORTAL_FIGURE_PROVIDERS``, registered below).

A dry season runs from November to May (``2025-2026``: November 2025 to May 2026). A search dated in
the wet months is counted with the season that ends in that year (June–September) or the one that
starts (October), so every date belongs to exactly one season.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.models.tip import Tip, TipOutcome, TipStatus
from portal.services import content

# The first month counted with the next season (teams set out in October and November).
SEASON_START_MONTH = 10

OUTCOME_FIGURE_LABELS = {
    TipOutcome.REMAINS_RECOVERED: _l("Reports closed: remains recovered"),
    TipOutcome.NOTHING_FOUND: _l("Reports closed: searched, nothing found"),
    TipOutcome.ALREADY_KNOWN: _l("Reports closed: site already known"),
    TipOutcome.NOT_SEARCHABLE: _l("Reports closed: site inaccessible"),
}
REMAINS_LABEL = _l("Sets of remains recovered after reports")


def dry_season(day: date) -> str:
    """``2025-2026`` for any day from October 2025 to September 2026."""
    start = day.year if day.month >= SEASON_START_MONTH else day.year - 1
    return f"{start}-{start + 1}"


@dataclass(frozen=True)
class OutcomeTotal:
    season: str
    province_code: str | None
    outcome: TipOutcome
    tips: int
    remains: int


def outcome_totals(session: Session) -> list[OutcomeTotal]:
    """Closed tips with an outcome, by dry season, province and outcome; newest season first.

    The date is the search's; a tip closed without one counts from when it was closed.
    """
    day = func.coalesce(Tip.searched_on, func.date(Tip.status_changed_at))
    rows = session.execute(
        select(day, Tip.province_code, Tip.outcome, func.count(Tip.id), func.coalesce(func.sum(Tip.remains_count), 0))
        .where(Tip.status == TipStatus.CLOSED, Tip.outcome.is_not(None))
        .group_by(day, Tip.province_code, Tip.outcome))
    totals: dict[tuple[str, str | None, TipOutcome], list[int]] = defaultdict(lambda: [0, 0])
    for when, province_code, outcome, tips, remains in rows:
        if outcome is None or when is None:
            continue
        when = date.fromisoformat(when) if isinstance(when, str) else when
        total = totals[(dry_season(when), province_code, TipOutcome(outcome))]
        total[0] += int(tips)
        total[1] += int(remains or 0)
    order = list(TipOutcome)
    return [OutcomeTotal(season, province, outcome, tips, remains)
            for (season, province, outcome), (tips, remains) in sorted(
                totals.items(), key=lambda item: (_desc(item[0][0]), item[0][1] or "", order.index(item[0][2])))]


def _desc(season: str) -> int:
    return -int(season[:4])


def portal_figures(session: Session) -> list[content.PortalFigure]:
    """The statistics page's "recorded through this portal" rows, labelled in the request's language."""
    figures: list[content.PortalFigure] = []
    remains: dict[tuple[str, str | None], int] = {}
    for total in outcome_totals(session):
        figures.append(content.PortalFigure(season=total.season, province_code=total.province_code,
                                            label=str(OUTCOME_FIGURE_LABELS[total.outcome]), value=total.tips))
        if total.outcome == TipOutcome.REMAINS_RECOVERED or total.remains:
            key = (total.season, total.province_code)
            remains[key] = remains.get(key, 0) + total.remains
    for (season, province_code), count in remains.items():
        figures.append(content.PortalFigure(season=season, province_code=province_code, label=str(REMAINS_LABEL),
                                            value=count))
    figures.sort(key=lambda f: (_desc(f.season or "0"), f.province_code or "", f.label == str(REMAINS_LABEL)))
    return figures


def outcomes_changed(session: Session) -> None:
    """A tip was closed or reopened: the cached statistics page must be rendered again."""
    from portal.page_cache import bump_content_version

    bump_content_version(session)


if portal_figures not in content.PORTAL_FIGURE_PROVIDERS:
    content.PORTAL_FIGURE_PROVIDERS.append(portal_figures)
