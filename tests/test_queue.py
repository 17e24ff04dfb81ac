"""The review queue: each filter, search, keyset pages that stay stable as tips arrive, dashboard."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import event

from portal.db import write_transaction
from portal.models.tip import Tip, TipStatus
from portal.services import queue
from portal.services.queue import QueueFilter, Sort
from tests.conftest import POSTGRES_URL
from tests.staff_fixtures import login
from tests.tip_factory import make_tip

T0 = datetime(2026, 1, 10, 8, 0, tzinfo=UTC)


def _ids(session, filters=QueueFilter(), cursor=None, limit=50):
    return [row.id for row in queue.queue_page(session, filters, cursor, limit).rows]


@pytest.fixture
def tips(app, db_session, moderator):
    """Five tips with known properties; returns their ids by name."""
    made = {
        "kampong_cham": make_tip(app, province_code="03", district_code="0301", created_at=T0,
                                 what_seen="Ba ngôi mộ gần chùa"),
        "siem_reap": make_tip(app, province_code="17", created_at=T0 + timedelta(days=1),
                              what_seen="ផ្នូរ\u200bនៅជិតវត្ត", contact_phone="+855 12 345 678"),
        "koh_kong": make_tip(app, province_code="09", created_at=T0 + timedelta(days=2),
                             what_seen="Two graves by the river"),
        "kampong_cham_2": make_tip(app, province_code="03", district_code="0302", photos=2,
                                   created_at=T0 + timedelta(days=3), what_seen="Mộ tập thể"),
        "no_place": make_tip(app, created_at=T0 + timedelta(days=4), what_seen="Heard from my father"),
    }
    ids = {name: tip.tip_id for name, tip in made.items()}
    with write_transaction(db_session):
        db_session.get(Tip, ids["koh_kong"]).status = TipStatus.VERIFIED
        db_session.get(Tip, ids["siem_reap"]).assignee_id = moderator.id
    return ids


def test_newest_first_by_default_and_oldest_on_request(db_session, tips):
    order = ["no_place", "kampong_cham_2", "koh_kong", "siem_reap", "kampong_cham"]
    assert _ids(db_session) == [tips[n] for n in order]
    assert _ids(db_session, QueueFilter(sort=Sort.OLDEST)) == [tips[n] for n in reversed(order)]


@pytest.mark.parametrize(("filters", "expected"), [
    (QueueFilter(statuses=(TipStatus.VERIFIED,)), ["koh_kong"]),
    (QueueFilter(statuses=(TipStatus.NEW, TipStatus.VERIFIED), province_code="09"), ["koh_kong"]),
    (QueueFilter(province_code="03"), ["kampong_cham_2", "kampong_cham"]),
    (QueueFilter(province_code="03", district_code="0301"), ["kampong_cham"]),
    (QueueFilter(created_from=date(2026, 1, 11), created_to=date(2026, 1, 12)), ["koh_kong", "siem_reap"]),
    (QueueFilter(has_photos=True), ["kampong_cham_2"]),
    (QueueFilter(has_contact=True), ["siem_reap"]),
    (QueueFilter(text="mo gan chua"), ["kampong_cham"]),          # Vietnamese typed without accents
    (QueueFilter(text="ផ្នូរនៅ"), ["siem_reap"]),                   # Khmer without the zero-width space
    (QueueFilter(text="siem reap"), ["siem_reap"]),               # the province's name, any form
    (QueueFilter(text="Xiêm Riệp"), ["siem_reap"]),
    (QueueFilter(text="100%_"), []),                              # LIKE wildcards are plain text
])
def test_each_filter(db_session, tips, filters, expected):
    assert _ids(db_session, filters) == [tips[n] for n in expected]


def test_assigned_to_me(db_session, tips, moderator):
    assert _ids(db_session, QueueFilter(assignee_id=moderator.id)) == [tips["siem_reap"]]


def test_keyset_pages_stay_stable_while_new_tips_arrive(app, db_session, tips):
    first = queue.queue_page(db_session, QueueFilter(), limit=2)
    assert [r.id for r in first.rows] == [tips["no_place"], tips["kampong_cham_2"]]
    make_tip(app, created_at=T0 + timedelta(days=9))  # arrives while the moderator reads page 1
    db_session.rollback()
    second = queue.queue_page(db_session, QueueFilter(), first.next_cursor, limit=2)
    assert [r.id for r in second.rows] == [tips["koh_kong"], tips["siem_reap"]]
    third = queue.queue_page(db_session, QueueFilter(), second.next_cursor, limit=2)
    assert [r.id for r in third.rows] == [tips["kampong_cham"]]
    assert third.next_cursor is None


def test_tips_with_the_same_time_are_neither_skipped_nor_repeated(app, db_session):
    ids = [make_tip(app, created_at=T0).tip_id for _ in range(5)]
    seen, cursor = [], None
    while True:
        page = queue.queue_page(db_session, QueueFilter(), cursor, limit=2)
        seen += [r.id for r in page.rows]
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    assert seen == sorted(ids, reverse=True)


@pytest.mark.parametrize("cursor", ["", "garbage", "1-", "-1", "9" * 39 + "-1", "12-ab"])
def test_a_malformed_cursor_gives_the_first_page(db_session, tips, cursor):
    assert _ids(db_session, cursor=cursor) == _ids(db_session)


def test_dashboard_counts(db_session, tips):
    board = queue.dashboard(db_session)
    assert board.total == 5
    assert board.by_status == {TipStatus.NEW: 4, TipStatus.VERIFIED: 1}
    assert dict(board.by_province) == {"03": 2, "17": 1, "09": 1, None: 1}


def test_queue_page_filters_from_the_url(app, client, moderator, tips):
    login(client, moderator)
    html = client.get("/vi/staff/queue?province=03&sort=oldest").get_data(as_text=True)
    assert html.index(f"#{tips['kampong_cham']}<") < html.index(f"#{tips['kampong_cham_2']}<")
    assert f"#{tips['koh_kong']}<" not in html
    html = client.get("/km/staff/queue?has_contact=y").get_data(as_text=True)
    assert f"#{tips['siem_reap']}<" in html
    assert f"#{tips['no_place']}<" not in html


def test_queue_page_follows_its_next_link(app, client, moderator):
    for n in range(55):
        make_tip(app, created_at=T0 + timedelta(minutes=n))
    login(client, moderator)
    html = client.get("/en/staff/queue").get_data(as_text=True)
    assert len(re.findall(r'href="/en/staff/tips/\d+"', html)) == 50
    next_url = html.split('rel="next"')[0].rsplit('href="', 1)[1].split('"')[0].replace("&amp;", "&")
    html = client.get(next_url).get_data(as_text=True)
    assert len(re.findall(r'href="/en/staff/tips/\d+"', html)) == 5
    assert 'rel="next"' not in html


def test_bad_filters_are_explained_not_a_crash(client, moderator, tips):
    login(client, moderator)
    response = client.get("/vi/staff/queue?created_from=yesterday&province=99&status=bogus")
    assert response.status_code == 200
    assert 'class="notice notice-error"' in response.get_data(as_text=True)


def test_dashboard_page(client, moderator, tips):
    login(client, moderator)
    html = client.get("/en/staff/dashboard").get_data(as_text=True)
    assert "5 tips in all." in html
    assert 'href="/en/staff/queue?province=03">Kampong Cham</a></th><td>2</td>' in html


@pytest.mark.skipif(bool(POSTGRES_URL), reason="reads SQLite's query plan")
@pytest.mark.parametrize("filters", [QueueFilter(), QueueFilter(statuses=(TipStatus.NEW,)),
                                     QueueFilter(province_code="03"), QueueFilter(sort=Sort.OLDEST)])
def test_queue_pages_walk_an_index_instead_of_sorting(db_session, filters):
    """Keyset pages stay as quick deep in the queue as on page 1: no full sort of the table."""
    captured = []
    engine = db_session.get_bind()

    def capture(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT TIPS.ID"):
            captured.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        queue.queue_page(db_session, filters, queue.encode_cursor(T0, 10))
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    statement, parameters = captured[0]
    plan = " | ".join(str(row[-1]) for row in db_session.connection().exec_driver_sql(
        f"EXPLAIN QUERY PLAN {statement}", parameters))
    assert "USING INDEX" in plan or "USING COVERING INDEX" in plan, plan
    assert "USE TEMP B-TREE FOR ORDER BY" not in plan, plan


def _filters_form(html: str) -> str:
    return html[html.index('<details class="queue-filters"'):html.index("</details>")]


def test_the_filters_form_follows_each_query_and_language_when_shown_again(client, moderator, tips):
    """The filters form is rendered once per language and query and then served again: each
    query still gets its own choices, and each language its own words."""
    login(client, moderator)
    for _round in range(2):
        chosen = _filters_form(client.get("/en/staff/queue?province=03&status=new").get_data(as_text=True))
        assert '<option selected value="03">' in chosen
        assert 'value="new" checked' in chosen
        assert "<details class=\"queue-filters\" open>" in chosen
        plain = _filters_form(client.get("/en/staff/queue").get_data(as_text=True))
        assert "selected value=\"03\"" not in plain and "checked" not in plain
        assert "<details class=\"queue-filters\">" in plain
        page_two = _filters_form(client.get(f"/en/staff/queue?after={queue.encode_cursor(T0, 10)}")
                                 .get_data(as_text=True))
        assert "<details class=\"queue-filters\" open>" in page_two
        khmer = _filters_form(client.get("/km/staff/queue").get_data(as_text=True))
        assert "Filters and search" not in khmer and 'action="/km/staff/queue"' in khmer
        bad = client.get("/en/staff/queue?created_from=yesterday").get_data(as_text=True)
        assert 'value="yesterday"' not in _filters_form(bad)
        assert 'class="notice notice-error"' in bad


def test_the_queue_rows_read_as_before(app, client, moderator, tips):
    """Each cell is worked out once per value in the view: the same words as the template's filters."""
    login(client, moderator)
    html = client.get("/vi/staff/queue").get_data(as_text=True)
    assert f'href="/vi/staff/tips/{tips["kampong_cham_2"]}">#{tips["kampong_cham_2"]}</a>' in html
    with app.test_request_context("/vi/staff/queue"):
        from flask import current_app

        from portal import geo
        from portal.labels import STATUS_LABELS

        moment = current_app.jinja_env.filters["staff_time"](T0 + timedelta(days=3))
        assert f'<time datetime="{(T0 + timedelta(days=3)).isoformat(timespec="seconds")}">{moment}</time>' in html
        assert f">{STATUS_LABELS[TipStatus.NEW]}</span>" in html
        assert f">{geo.district('0302').name('vi')}</td>" in html


def test_the_unfiltered_queue_reads_as_no_filters(app, moderator):
    """The queue's first page without a query skips the filters form (``queue_list``): it must be
    what the form reads from an empty query."""
    from portal.models.staff import StaffUser
    from portal.staff.review_views import read_queue_filters

    with app.test_request_context("/en/staff/queue"):
        from portal.db import get_session

        filters, _form, valid = read_queue_filters(get_session().get(StaffUser, moderator.id))
    assert (filters, valid) == (QueueFilter(), True)
