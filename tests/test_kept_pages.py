"""Whole pages kept with holes (``portal.kept_pages``): the receipt page (per language, host and day;
the receipt code and the photo form's tokens put in for each tip) and the queue's first page (per
member and language; the rows, the next page's link and the CSRF token put in). Each is the same
HTML as Jinja prints, each request gets its own values, and no kept piece ever holds one."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask import flash, render_template
from jinja2 import ChoiceLoader, DictLoader
from sqlalchemy import select

from portal.db import new_session
from portal.kept_pages import kept_page
from portal.models.tip import Tip
from portal.services import receipts
from portal.services import tips as tip_service
from portal.staff import review_views
from portal.tips import views as tip_views
from tests.staff_fixtures import create_staff, csrf_token, login
from tests.test_uploads import plain_jpeg
from tests.tip_factory import make_tip
from tests.tip_helpers import page, send_photo, short_form


def _kept_text(app) -> str:
    return "\n".join(piece for kept in app.extensions.get("portal.kept_pages", {}).values()
                     for piece in kept.literals)


def _csrf(client, lang: str) -> str:
    token = page(client.get(f"/{lang}/tips/new")).field_value("csrf_token")
    assert token
    return token


def _send(client, lang: str, submission_id: str, token: str):
    response = client.post(f"/{lang}/tips/new", data=short_form(submission_id=submission_id, csrf_token=token))
    assert response.status_code == 201
    return response


@pytest.mark.parametrize("lang", ["en", "vi", "km"])
def test_the_kept_receipt_page_is_what_jinja_prints(app, lang, monkeypatch):
    # A fixed follow-up token: the one made per call carries the second it was made in.
    monkeypatch.setattr(tip_views, "followup_token", lambda digest: f"token-{digest[:12]}")
    code = receipts.format_code(receipts.generate())
    submitted = tip_service.SubmittedTip(tip_id=1, receipt=code, created_at=datetime(2026, 12, 3, 9, tzinfo=UTC),
                                         photo_count=0, photo_location_used=False, photo_location_missing=False,
                                         has_location=False)
    with app.test_request_context(f"/{lang}/tips/new", method="POST"):
        first = tip_views._receipt_page(submitted)  # rendered with markers, kept, filled
        again = tip_views._receipt_page(submitted)  # from the kept pieces
        app.jinja_env.auto_reload = True  # templates reload: nothing is kept, Jinja prints the page
        try:
            printed = tip_views._receipt_page(submitted)
        finally:
            app.jinja_env.auto_reload = False
    assert first == again == printed
    assert code in printed and "\x00" not in printed
    assert code not in _kept_text(app)


def test_two_tips_each_get_their_own_code_and_tokens_and_no_kept_piece_holds_one(csrf_app):
    client = csrf_app.test_client()
    token = _csrf(client, "km")
    answers = [_send(client, "km", f"kept-page-submission-{n:04d}", token) for n in (1, 2)]
    pages = [page(answer) for answer in answers]
    codes = [html.by_id("receipt-code").text.strip() for html in pages]
    followups = [html.field_value("followup") for html in pages]
    assert codes[0] != codes[1] and followups[0] != followups[1]
    assert all(html.field_value("csrf_token") for html in pages)
    assert len(csrf_app.extensions["portal.kept_pages"]) == 1  # one kept page served both
    kept = _kept_text(csrf_app)
    for secret in (*codes, *followups, *(html.field_value("csrf_token") for html in pages)):
        assert secret not in kept

    # Each code is its own tip's, and the second page's photo form adds to the second tip only.
    key = csrf_app.config["RECEIPT_KEY"]
    with csrf_app.app_context():
        session = new_session()
        ids = [session.scalar(select(Tip.id).where(Tip.receipt_hash == receipts.receipt_hash(code, key)))
               for code in codes]
        session.close()
    assert None not in ids and ids[0] != ids[1]
    assert send_photo(client, answers[1], plain_jpeg(), lang="km").status_code == 201
    with csrf_app.app_context():
        session = new_session()
        photos = [len(session.get(Tip, tip_id).photos) for tip_id in ids]
        session.close()
    assert photos == [0, 1]


def test_a_tip_on_another_day_shows_that_day(app, client, monkeypatch):
    days = iter([datetime(2026, 12, 1, 8, tzinfo=UTC), datetime(2026, 12, 2, 8, tzinfo=UTC)])
    monkeypatch.setattr(tip_service, "tipster_time", lambda moment=None: next(days))
    first = page(_send(client, "en", "kept-page-day-0001", ""))
    second = page(_send(client, "en", "kept-page-day-0002", ""))
    assert "December 1, 2026" in first.text and "December 2, 2026" in second.text
    assert "December 1, 2026" not in second.text


def test_a_waiting_flashed_message_is_shown_once_and_never_kept(app):
    with app.test_request_context("/en/tips/new", method="POST"):
        flash("A message for this visitor only")
        shown = kept_page("tips/photo_expired.html", {}, lambda values: {})
    assert "A message for this visitor only" in shown
    assert not app.extensions.get("portal.kept_pages")
    with app.test_request_context("/en/tips/new", method="POST"):
        assert "A message for this visitor only" not in kept_page("tips/photo_expired.html", {}, lambda values: {})
    assert len(app.extensions["portal.kept_pages"]) == 1


@pytest.mark.parametrize("source", [
    "{{ code | upper }}",  # a changed value
    "{{ code[:3] }}",  # a cut value
    "{{ code | urlencode }}",  # an encoded one
    "nothing printed",  # a hole left out
])
def test_a_kept_page_may_only_print_its_holes(app, source):
    app.jinja_env.loader = ChoiceLoader([DictLoader({"probe.html": source}), app.jinja_env.loader])
    with app.test_request_context("/en/tips/new", method="POST"), pytest.raises(TypeError):
        kept_page("probe.html", {"code": "K7QM-4XRT-9HPA-3ZWN"}, lambda values: {"code": values["code"]})
    assert not app.extensions.get("portal.kept_pages")


# -- the queue's first page ----------------------------------------------------------------------

def _plain(template, holes, context, *_key):
    return render_template(template, **context(holes))


@pytest.mark.parametrize("lang", ["en", "vi", "km"])
def test_the_kept_first_queue_page_is_what_jinja_prints_and_shows_new_tips(app, client, moderator, lang,
                                                                           monkeypatch):
    for n in range(3):
        make_tip(app, what_seen=f"Graves behind the pagoda, number {n} <b>")
    login(client, moderator, lang=lang)
    first = client.get(f"/{lang}/staff/queue").text
    again = client.get(f"/{lang}/staff/queue").text
    monkeypatch.setattr(review_views, "kept_page", _plain)
    printed = client.get(f"/{lang}/staff/queue").text
    assert first == again == printed
    assert "number 2 &lt;b&gt;" in printed
    monkeypatch.undo()
    make_tip(app, what_seen="A tip sent after the page was kept")
    assert "A tip sent after the page was kept" in client.get(f"/{lang}/staff/queue").text
    assert "Graves behind the pagoda" not in _kept_text(app)


def test_each_member_sees_their_own_name_and_no_kept_piece_holds_a_token(csrf_app):
    make_tip(csrf_app, what_seen="Two graves by the river")
    pages = []
    for name in ("lan", "sokha"):
        client = csrf_app.test_client()
        login(client, create_staff(csrf_app, "moderator", username=name))
        pages.append((client, client.get("/en/staff/queue").text))
    assert "Signed in as lan" in pages[0][1] and "Signed in as sokha" not in pages[0][1]
    assert "Signed in as sokha" in pages[1][1] and "Signed in as lan" not in pages[1][1]
    kept = _kept_text(csrf_app)
    tokens = [csrf_token(html)["csrf_token"] for _client, html in pages]
    assert all(token not in kept for token in tokens) and "Two graves by the river" not in kept
    # The kept page's sign-out button carries this browser's token: it signs out.
    client, html = pages[1]
    assert client.post("/en/staff/logout", data=csrf_token(html)).status_code == 302
    assert client.get("/en/staff/queue").status_code in (302, 401, 403)
