"""Following up a report with its receipt: status, messages, replies and more photos."""

from __future__ import annotations

import re

import pytest
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.db import new_session, write_transaction
from portal.demo.tips import load_demo_tips
from portal.models.tip import AuthorKind, Tip, TipMessage, TipOutcome, TipPhoto, TipStatus
from portal.models.types import utcnow
from portal.services import receipts
from portal.services import tips as tip_service
from portal.tips import views as tip_views
from tests.conftest import make_app
from tests.test_uploads import APP1, jpeg_markers, jpeg_with_metadata
from tests.tip_helpers import page, photo_file, send_photo, short_form, translated


def send_tip(client, lang: str = "en", **overrides) -> str:
    response = client.post(f"/{lang}/tips/new", data=short_form(**overrides))
    assert response.status_code == 201
    return page(response).by_id("receipt-code").text.strip()


def look_up(client, code: str, lang: str = "en", **extra):
    return client.post(f"/{lang}/tips/status", data={"receipt": code, "action": "lookup", **extra})


def the_tip(app) -> Tip:
    with app.app_context():
        session = new_session()
        try:
            return session.scalars(select(Tip).options(selectinload(Tip.messages).selectinload(TipMessage.photos),
                                                       selectinload(Tip.photos))).one()
        finally:
            session.close()


def set_status(app, status: TipStatus, outcome: TipOutcome | None = None, staff_message: str = "") -> None:
    with app.app_context():
        session = new_session()
        try:
            with write_transaction(session):
                tip = session.scalars(select(Tip)).one()
                tip.status = status
                tip.outcome = outcome
                if staff_message:
                    session.add(TipMessage(tip=tip, author_kind=AuthorKind.STAFF, body=staff_message,
                                           created_at=utcnow()))
        finally:
            session.close()


def wrong_code() -> str:
    return receipts.generate()  # well formed, checks out, belongs to no tip


# -- looking up --------------------------------------------------------------------------------

def test_the_follow_up_page_asks_for_the_code_in_a_post_form(client):
    response = client.get("/km/tips/status")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    html = page(response)
    form = html.all("form", class_="lookup-form")[0]
    assert form.get("method") == "post"
    assert "?" not in form.get("action")
    field = html.by_id("receipt")
    assert field.get("autocomplete") == "off"


def test_the_right_code_shows_the_status_and_no_details_of_the_tipster(client, app):
    code = send_tip(client, contact_name="Sokha Secret", consent="y", contact_phone="012 345 678")
    response = look_up(client, code)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    html = page(response)
    assert html.by_id("tip-status") is not None
    assert translated(app, "en", tip_service.PUBLIC_STATES[TipStatus.NEW].label) in html.by_id("tip-status").text
    assert "Sokha Secret" not in html.html
    assert "012 345 678" not in html.html
    assert code not in html.html
    assert code.replace("-", "") not in html.html


@pytest.mark.parametrize("typed", ["{lower}", "{plain}", " {spaced} "])
def test_the_code_may_be_typed_loosely(client, typed):
    code = send_tip(client)
    variants = {"lower": code.lower(), "plain": code.replace("-", ""), "spaced": code.replace("-", " ")}
    assert look_up(client, typed.format(**variants)).status_code == 200


def test_wrong_codes_all_get_the_same_answer(client, app):
    send_tip(client)
    answers = []
    for code in (wrong_code(), wrong_code(), wrong_code()):
        response = look_up(client, code)
        assert response.status_code == 422
        answers.append(re.sub(r'value="[^"]*"', "", response.get_data(as_text=True)))
        assert page(response).error_for("receipt") == translated(app, "en", tip_views.WRONG_RECEIPT)
    assert answers[0] == answers[1] == answers[2]


def test_a_typing_mistake_is_pointed_out_without_looking_anything_up(client, app):
    code = send_tip(client)
    last = code[-1]
    typo = code[:-1] + ("2" if last != "2" else "3")
    html = page(look_up(client, typo))
    assert html.error_for("receipt") == translated(app, "en", tip_views.RECEIPT_PROBLEMS["checksum"])
    assert html.field_value("receipt") == typo  # kept to correct


def test_characters_never_used_in_codes_are_named(client):
    html = page(look_up(client, "K7QM-4XRT-9HPA-3ZW0"))
    assert "0" in html.error_for("receipt")


def test_an_empty_code_is_asked_for(client):
    html = page(look_up(client, ""))
    assert html.error_for("receipt")


def test_a_receipt_never_appears_in_a_url(client):
    code = send_tip(client)
    response = look_up(client, code)
    for form in page(response).all("form"):
        assert code not in form.get("action")
        assert "receipt" not in form.get("action")
    assert code not in response.headers.get("Location", "")


# -- what the tipster sees for each state (CONVENTIONS.md) -------------------------------------

@pytest.mark.parametrize(("status", "label"), [
    (TipStatus.NEW, "Received"),
    (TipStatus.IN_REVIEW, "Being checked"),
    (TipStatus.VERIFIED, "Being checked"),
    (TipStatus.PASSED_TO_TEAM, "Passed to a search team"),
    (TipStatus.CLOSED, "Closed"),
    (TipStatus.REJECTED, "Closed — thank you"),
    (TipStatus.DUPLICATE, "Closed — thank you"),
])
def test_each_internal_state_is_shown_as_the_conventions_say(client, app, status, label):
    code = send_tip(client)
    set_status(app, status, TipOutcome.NOTHING_FOUND if status == TipStatus.CLOSED else None)
    html = page(look_up(client, code))
    assert html.with_class("status-label")[0].text.strip() == label


def test_a_closed_tip_tells_the_outcome_in_plain_words(client, app):
    code = send_tip(client)
    set_status(app, TipStatus.CLOSED, TipOutcome.REMAINS_RECOVERED)
    text = page(look_up(client, code)).by_id("tip-status").text
    assert translated(app, "en", tip_service.OUTCOMES[TipOutcome.REMAINS_RECOVERED]) in text


def test_a_rejected_tip_gives_no_reason(client, app):
    code = send_tip(client)
    set_status(app, TipStatus.REJECTED)
    with app.app_context():
        session = new_session()
        with write_transaction(session):
            session.scalars(select(Tip)).one().rejection_reason = "The neighbour Sok says it is a lie"
        session.close()
    html = page(look_up(client, code)).html
    assert "neighbour" not in html
    assert "Sok" not in html


def test_every_internal_state_has_a_public_face():
    assert set(tip_service.PUBLIC_STATES) == set(TipStatus)


# -- messages and replies ----------------------------------------------------------------------

def test_staff_messages_are_shown_in_the_thread(client, app):
    code = send_tip(client, lang="km")
    set_status(app, TipStatus.IN_REVIEW, staff_message="How far is the place from the road?")
    html = page(look_up(client, code, lang="km"))
    thread = html.by_id("thread")
    assert thread is not None
    assert "How far is the place from the road?" in html.html
    assert html.with_class("message-staff")


def test_a_reply_reaches_the_tip(client, app):
    code = send_tip(client, lang="vi")
    status_page = page(look_up(client, code, lang="vi"))
    token = status_page.field_value("followup")
    assert token
    assert code not in token
    assert code.replace("-", "") not in token

    response = client.post("/vi/tips/status", data={"action": "reply", "followup": token,
                                                     "body": "Cách đường lớn khoảng 2 km."})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    html = page(response)
    assert html.by_id("sent-notice") is not None
    assert "Cách đường lớn khoảng 2 km." in html.by_id("thread").text
    tip = the_tip(app)
    [message] = tip.messages
    assert message.author_kind == AuthorKind.TIPSTER
    assert message.body == "Cách đường lớn khoảng 2 km."
    assert "cach duong lon" in tip.search_text


def test_tipster_text_is_escaped_and_keeps_its_line_breaks(client):
    code = send_tip(client)
    token = page(look_up(client, code)).field_value("followup")
    html = client.post("/en/tips/status", data={"action": "reply", "followup": token,
                                                "body": "<b>first</b>\nsecond"}).get_data(as_text=True)
    assert "&lt;b&gt;first&lt;/b&gt;<br>" in html
    assert "<b>first</b>" not in html


def test_more_photos_can_be_added_from_the_status_page_and_are_cleaned(client, app):
    code = send_tip(client)
    status = look_up(client, code)
    assert "0 photos received so far" in page(status).by_id("photo-count").text
    response = send_photo(client, status, jpeg_with_metadata(), "grave.jpg")
    assert response.status_code == 201
    tip = the_tip(app)
    [photo] = tip.photos
    assert photo.tip_id == tip.id and photo.message_id is None
    with app.app_context():
        session = new_session()
        data = session.scalars(select(TipPhoto.data)).one()
        session.close()
    assert APP1 not in jpeg_markers(data)
    assert "1 photo received so far" in page(response).by_id("photo-count").text
    assert "1 photo received so far" in page(look_up(client, code)).by_id("photo-count").text


def test_an_empty_reply_is_refused_and_the_thread_stays_visible(client, app):
    code = send_tip(client)
    token = page(look_up(client, code)).field_value("followup")
    response = client.post("/en/tips/status", data={"action": "reply", "followup": token, "body": ""})
    assert response.status_code == 422
    html = page(response)
    assert html.error_for("body")
    assert html.by_id("tip-status") is not None
    assert the_tip(app).messages == []


def test_a_refused_photo_is_named_and_the_form_offered_again(client, app):
    code = send_tip(client)
    response = send_photo(client, look_up(client, code), b"<svg/>", "map.svg")
    assert response.status_code == 400
    html = page(response)
    assert "map.svg" in html.error_for("photo")
    assert html.by_id("photo-form") is not None
    assert the_tip(app).photos == []


def test_a_photo_form_left_open_too_long_asks_for_the_code_and_keeps_the_report(client, app, monkeypatch):
    code = send_tip(client)
    status = look_up(client, code)
    with monkeypatch.context() as later:
        later.setattr(tip_views, "FOLLOWUP_MAX_AGE", -1)
        response = send_photo(client, status, jpeg_with_metadata(), "grave.jpg")
    assert response.status_code == 400
    assert "enter your receipt code" in response.get_data(as_text=True).lower()
    assert the_tip(app).photos == []


def test_the_same_photo_sent_twice_is_stored_once(client, app):
    code = send_tip(client)
    status = look_up(client, code)
    first = send_photo(client, status, jpeg_with_metadata(), "grave.jpg")
    again = send_photo(client, status, jpeg_with_metadata(), "grave.jpg")
    assert first.status_code == again.status_code == 201
    assert "already arrived" in again.get_data(as_text=True)
    assert len(the_tip(app).photos) == 1


def test_a_reply_needs_words_now_that_photos_have_their_own_form(client, app):
    code = send_tip(client)
    token = page(look_up(client, code)).field_value("followup")
    response = client.post("/en/tips/status", content_type="multipart/form-data",
                           data={"action": "reply", "followup": token, "body": "",
                                 "photos": [photo_file(jpeg_with_metadata(), "grave.jpg")]})
    assert response.status_code == 422
    assert page(response).error_for("body")
    assert the_tip(app).messages == [] and the_tip(app).photos == []


def test_sending_the_same_reply_twice_stores_it_once(client, app):
    code = send_tip(client)
    token = page(look_up(client, code)).field_value("followup")
    data = {"action": "reply", "followup": token, "body": "The tree was cut down."}
    assert client.post("/en/tips/status", data=data).status_code == 200
    assert client.post("/en/tips/status", data=data).status_code == 200
    assert len(the_tip(app).messages) == 1


def test_an_expired_page_asks_for_the_code_again_and_keeps_the_message(client, app, monkeypatch):
    code = send_tip(client)
    token = page(look_up(client, code)).field_value("followup")

    with monkeypatch.context() as later:
        later.setattr(tip_views, "FOLLOWUP_MAX_AGE", -1)  # the page has been open too long
        response = client.post("/en/tips/status", data={"action": "reply", "followup": token,
                                                         "body": "More information"})
    assert response.status_code == 422
    html = page(response)
    assert html.by_id("form-notice").text.strip() == translated(app, "en", tip_views.FOLLOWUP_EXPIRED)
    assert html.field_value("body") == "More information"
    assert html.by_id("receipt") is not None
    assert the_tip(app).messages == []

    again = client.post("/en/tips/status", data={"action": "reply", "followup": "", "receipt": code,
                                                  "body": "More information"})
    assert again.status_code == 200
    assert [m.body for m in the_tip(app).messages] == ["More information"]


def test_a_forged_token_reaches_nothing(client, app):
    send_tip(client)
    tip = the_tip(app)
    forged = URLSafeTimedSerializer("not-the-secret", salt=tip_views.FOLLOWUP_SALT).dumps(tip.receipt_hash)
    response = client.post("/en/tips/status", data={"action": "reply", "followup": forged, "body": "spam"})
    assert response.status_code == 422
    assert the_tip(app).messages == []


def test_a_wrong_code_with_a_reply_keeps_the_reply(client, app):
    send_tip(client)
    response = client.post("/en/tips/status", data={"action": "reply", "receipt": wrong_code(),
                                                     "body": "My words"})
    html = page(response)
    assert html.error_for("receipt") == translated(app, "en", tip_views.WRONG_RECEIPT)
    assert html.field_value("body") == "My words"


# -- CSRF and rate limits ------------------------------------------------------------------------

def test_a_lookup_without_a_csrf_token_is_not_acted_on(csrf_app):
    client = csrf_app.test_client()
    with csrf_app.app_context():
        session = new_session()
        submitted = tip_service.submit_tip(session, tip_service.TipInput(language="en", what_seen="x",
                                                                         province_code="17"),
                                           receipt_key=csrf_app.config["RECEIPT_KEY"])
        session.close()
    response = look_up(client, submitted.receipt)
    assert response.status_code == 422
    html = page(response)
    assert html.by_id("csrf-error") is not None
    assert html.by_id("tip-status") is None
    assert html.field_value("receipt") == submitted.receipt


def test_a_reply_without_a_csrf_token_keeps_the_text_and_stores_nothing(csrf_app):
    client = csrf_app.test_client()
    with csrf_app.app_context():
        session = new_session()
        submitted = tip_service.submit_tip(session, tip_service.TipInput(language="en", what_seen="x",
                                                                         province_code="17"),
                                           receipt_key=csrf_app.config["RECEIPT_KEY"])
        session.close()
    lookup_page = page(client.get("/en/tips/status"))
    status_page = page(look_up(client, submitted.receipt, csrf_token=lookup_page.field_value("csrf_token")))
    token = status_page.field_value("followup")
    response = client.post("/en/tips/status", data={"action": "reply", "followup": token, "body": "Kept"})
    assert response.status_code == 422
    html = page(response)
    assert html.by_id("csrf-error") is not None
    assert html.field_value("body") == "Kept"
    assert the_tip(csrf_app).messages == []


@pytest.fixture
def limited_app(database_url, tmp_path):
    app = make_app(database_url, tmp_path, RATELIMIT_ENABLED=True, RECEIPT_RATE_LIMIT="2/hour",
                   TIP_RATE_LIMIT="100/hour")
    yield app
    app.extensions["portal.engine"].dispose()


def test_wrong_codes_are_rate_limited_with_a_translated_page_keeping_the_code(limited_app):
    client = limited_app.test_client()
    code = send_tip(client, lang="km")
    assert look_up(client, wrong_code(), lang="km").status_code == 422
    assert look_up(client, wrong_code(), lang="km").status_code == 422
    response = look_up(client, code, lang="km")
    assert response.status_code == 429
    assert response.headers["Cache-Control"] == "no-store"
    html = page(response)
    assert html.by_id("form-notice").text.strip() == translated(limited_app, "km", tip_views.RECEIPT_RATE_LIMITED)
    assert html.field_value("receipt") == code


def test_right_codes_do_not_use_up_the_limit(limited_app):
    client = limited_app.test_client()
    code = send_tip(client)
    for _ in range(4):
        assert look_up(client, code).status_code == 200


def test_typing_mistakes_do_not_use_up_the_limit(limited_app):
    client = limited_app.test_client()
    code = send_tip(client)
    for _ in range(4):
        assert look_up(client, "K7QM-4XRT-9HPA-3ZW0").status_code == 422
    assert look_up(client, code).status_code == 200


# -- demo content --------------------------------------------------------------------------------

def test_sample_tips_are_labelled_and_their_printed_codes_work(client, app):
    with app.app_context():
        session = new_session()
        summary = load_demo_tips(session)
        session.commit()
        again = load_demo_tips(session)
        tips = list(session.scalars(select(Tip)))
        session.close()
    assert "already" in again
    assert tips
    assert all(t.place_description.startswith("[Sample]") and t.what_seen.startswith("[Sample]") for t in tips)
    codes = re.findall(r"[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}", summary)
    assert len(codes) == len(tips)
    assert look_up(client, codes[0]).status_code == 200


def test_a_photo_needs_the_forms_csrf_token(csrf_app):
    """The photo form is checked like every form: a cross-site POST that somehow had the page's
    report token still adds nothing without the session's CSRF token."""
    client = csrf_app.test_client()
    form = page(client.get("/en/tips/new"))
    receipt = client.post("/en/tips/new", data={**short_form(), "csrf_token": form.field_value("csrf_token")})
    assert receipt.status_code == 201
    token = page(receipt).field_value("followup")
    forged = client.post("/en/tips/photos", content_type="multipart/form-data",
                         data={"followup": token, "photo": photo_file(jpeg_with_metadata(), "grave.jpg")})
    assert forged.status_code == 400
    assert page(forged).by_id("csrf-error") is not None
    assert the_tip(csrf_app).photos == []
    sent = send_photo(client, receipt, jpeg_with_metadata(), "grave.jpg")
    assert sent.status_code == 201
    assert len(the_tip(csrf_app).photos) == 1
