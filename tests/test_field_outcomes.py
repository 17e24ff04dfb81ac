"""Field outcomes recorded when tips are closed reach the statistics page, apart from the official
figures and labelled as recorded through this portal."""

from __future__ import annotations

import re
from datetime import date

import pytest

from portal.db import new_session, write_transaction
from portal.models.staff import StaffUser
from portal.models.tip import Tip, TipOutcome, TipStatus
from portal.services import field_outcomes, workflow
from tests.conftest import make_app
from tests.staff_fixtures import create_staff, csrf_token, login
from tests.tip_factory import make_tip

KOH_KONG, KAMPONG_CHAM = "09", "03"


def move(app, tip_id: int, actor_id: int, *targets: TipStatus,
         outcome: workflow.FieldOutcome | None = None) -> None:
    with app.app_context():
        session = new_session()
        try:
            for target in targets:
                with write_transaction(session):
                    workflow.apply_transition(session, session.get(Tip, tip_id), target,
                                              session.get(StaffUser, actor_id), field_outcome=outcome,
                                              reason="not a burial site")
        finally:
            session.close()


def close(app, tip_id: int, actor_id: int, outcome: TipOutcome, searched_on: date, remains: int = 0) -> None:
    move(app, tip_id, actor_id, TipStatus.IN_REVIEW, TipStatus.VERIFIED, TipStatus.PASSED_TO_TEAM, TipStatus.CLOSED,
         outcome=workflow.FieldOutcome(outcome=outcome, team="K92", searched_on=searched_on,
                                       remains_count=remains))


def portal_rows(html: str) -> list[tuple[str, str, str, str]]:
    """(what, season, where, number) of each row of the "recorded through this portal" table."""
    section = html[html.index('id="portal-figures-heading"'):]
    section = section[:section.index("</section>")]
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", section, re.S)[1:]:
        cells = [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        rows.append(tuple(cells))
    return rows


@pytest.mark.parametrize(("day", "season"), [
    (date(2025, 11, 1), "2025-2026"), (date(2026, 1, 15), "2025-2026"), (date(2026, 5, 31), "2025-2026"),
    (date(2026, 8, 1), "2025-2026"), (date(2026, 10, 1), "2026-2027"), (date(2024, 12, 31), "2024-2025"),
])
def test_dry_seasons_run_from_november_to_may(day, season):
    assert field_outcomes.dry_season(day) == season


def test_a_tip_closed_on_its_page_reaches_the_statistics_page(app, client, moderator):
    tip_id = make_tip(app, province_code=KOH_KONG).tip_id
    move(app, tip_id, moderator.id, TipStatus.IN_REVIEW, TipStatus.VERIFIED, TipStatus.PASSED_TO_TEAM)
    login(client, moderator, lang="en")
    page = client.get(f"/en/staff/tips/{tip_id}").text
    response = client.post(f"/en/staff/tips/{tip_id}/move", data={
        "target": "closed", "outcome": "remains_recovered", "team": "K92", "searched_on": "2025-12-15",
        "remains_count": "3", **csrf_token(page)})
    assert response.status_code == 303

    html = app.test_client().get("/en/statistics/").text
    assert "Recorded through this portal" in html
    assert portal_rows(html) == [
        ("Reports closed: remains recovered", "2025–2026", "Koh Kong", "1"),
        ("Sets of remains recovered after reports", "2025–2026", "Koh Kong", "3"),
    ]


def test_figures_are_counted_by_season_province_and_outcome(app, moderator):
    made = [
        (KOH_KONG, TipOutcome.REMAINS_RECOVERED, date(2025, 12, 1), 2),
        (KOH_KONG, TipOutcome.REMAINS_RECOVERED, date(2026, 2, 1), 4),
        (KOH_KONG, TipOutcome.NOTHING_FOUND, date(2026, 3, 1), 0),
        (KAMPONG_CHAM, TipOutcome.NOT_SEARCHABLE, date(2026, 1, 1), 0),
        (KOH_KONG, TipOutcome.REMAINS_RECOVERED, date(2024, 12, 1), 1),
    ]
    for province, outcome, day, remains in made:
        close(app, make_tip(app, province_code=province).tip_id, moderator.id, outcome, day, remains)
    # Not counted: open, rejected and reopened tips.
    make_tip(app, province_code=KOH_KONG)
    move(app, make_tip(app, province_code=KOH_KONG).tip_id, moderator.id, TipStatus.REJECTED)
    reopened = make_tip(app, province_code=KOH_KONG).tip_id
    close(app, reopened, moderator.id, TipOutcome.REMAINS_RECOVERED, date(2026, 1, 1), 9)
    move(app, reopened, moderator.id, TipStatus.IN_REVIEW)

    html = app.test_client().get("/en/statistics/").text
    assert portal_rows(html) == [
        ("Reports closed: site inaccessible", "2025–2026", "Kampong Cham", "1"),
        ("Reports closed: remains recovered", "2025–2026", "Koh Kong", "2"),
        ("Reports closed: searched, nothing found", "2025–2026", "Koh Kong", "1"),
        ("Sets of remains recovered after reports", "2025–2026", "Koh Kong", "6"),
        ("Reports closed: remains recovered", "2024–2025", "Koh Kong", "1"),
        ("Sets of remains recovered after reports", "2024–2025", "Koh Kong", "1"),
    ]
    only = portal_rows(app.test_client().get(f"/en/statistics/?season=2024-2025&province={KOH_KONG}").text)
    assert [row[0] for row in only] == ["Reports closed: remains recovered", "Sets of remains recovered after reports"]


def test_the_figures_are_shown_in_the_page_language(app, moderator):
    close(app, make_tip(app, province_code=KOH_KONG).tip_id, moderator.id, TipOutcome.NOTHING_FOUND,
          date(2025, 12, 1))
    html = app.test_client().get("/km/statistics/").text
    rows = portal_rows(html)
    assert len(rows) == 1 and rows[0][1] == "២០២៥–២០២៦" and rows[0][3] == "១"
    assert rows[0][2] == "កោះកុង"


def test_an_empty_portal_record_says_so(app):
    html = app.test_client().get("/en/statistics/").text
    assert "Recorded through this portal" in html
    assert "Nothing has been recorded through this portal yet." in html


def test_closing_a_tip_refreshes_the_cached_statistics_page(database_url, tmp_path):
    app = make_app(database_url, tmp_path, PAGE_CACHE_DISABLED=False)
    actor = create_staff(app, "moderator")
    visitor = app.test_client()
    visitor.get("/en/")  # the language cookie: the next page may be stored
    assert "Nothing has been recorded" in visitor.get("/en/statistics/").text
    close(app, make_tip(app, province_code=KOH_KONG).tip_id, actor.id, TipOutcome.NOTHING_FOUND, date(2025, 12, 1))
    app.extensions["portal.page_cache"]._version = None  # as if the one-second check interval had passed
    assert "Reports closed: searched, nothing found" in visitor.get("/en/statistics/").text


def test_a_tip_closed_without_a_search_date_counts_from_when_it_was_closed(app, moderator):
    tip_id = make_tip(app, province_code=KOH_KONG).tip_id
    close(app, tip_id, moderator.id, TipOutcome.ALREADY_KNOWN, date(2025, 12, 1))
    with app.app_context():
        session = new_session()
        try:
            with write_transaction(session):
                tip = session.get(Tip, tip_id)
                tip.searched_on = None
                tip.status_changed_at = tip.status_changed_at.replace(year=2027, month=2, day=3)
            (total,) = field_outcomes.outcome_totals(session)
        finally:
            session.close()
    assert (total.season, total.outcome, total.tips) == ("2026-2027", TipOutcome.ALREADY_KNOWN, 1)
