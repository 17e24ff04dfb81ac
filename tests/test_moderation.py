"""A tip's page for moderators, and every action on it, with its audit entry."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from portal.models.audit import AuditEntry
from portal.models.tip import Tip, TipStatus
from tests.staff_fixtures import login
from tests.tip_factory import make_tip

CONTACT = {"contact_name": "Sok Dara", "contact_phone": "+855 12 345 678"}


@pytest.fixture
def tip(app):
    return make_tip(app, province_code="03", what_seen="Ba ngôi mộ gần chùa cũ", photos=1,
                    latitude=11.99, longitude=105.46, uncertainty_m=200, **CONTACT)


@pytest.fixture
def signed_in(client, moderator):
    login(client, moderator, lang="en")
    return client


def _audit(db_session, action, tip_id):
    db_session.rollback()
    return db_session.scalars(select(AuditEntry).where(AuditEntry.action == action,
                                                       AuditEntry.tip_id == tip_id)).all()


def _tip(db_session, tip_id):
    db_session.expire_all()
    return db_session.get(Tip, tip_id)


def _tipster_view(client, receipt, lang="en"):
    response = client.post(f"/{lang}/tips/status", data={"receipt": receipt, "action": "lookup"})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_tip_page_shows_the_report_but_hides_the_contact(signed_in, tip):
    response = signed_in.get(f"/en/staff/tips/{tip.tip_id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert "Ba ngôi mộ gần chùa cũ" in html
    assert "11.99000, 105.46000" in html
    assert "Sok Dara" not in html
    assert "+855 12 345 678" not in html
    assert "Show contact details" in html


def test_contact_is_shown_on_request_and_each_look_is_audited(signed_in, db_session, tip, moderator):
    for look in (1, 2):
        html = signed_in.post(f"/en/staff/tips/{tip.tip_id}/contact").get_data(as_text=True)
        assert "Sok Dara" in html
        assert len(_audit(db_session, "tip.contact_viewed", tip.tip_id)) == look
    entry = _audit(db_session, "tip.contact_viewed", tip.tip_id)[0]
    assert entry.actor_name == moderator.username
    assert "Sok Dara" not in str(entry.detail)


def test_photos_are_served_to_staff_only_and_never_cached(app, signed_in, db_session, tip):
    photo_id = _tip(db_session, tip.tip_id).photos[0].id
    url = f"/en/staff/tips/{tip.tip_id}/photos/{photo_id}"
    response = signed_in.get(url)
    assert response.status_code == 200
    assert response.mimetype == "image/jpeg"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.get_data()[:2] == b"\xff\xd8"
    anonymous = app.test_client().get(url)
    assert anonymous.status_code == 302
    assert "/staff/login" in anonymous.headers["Location"]
    other = make_tip(app, photos=1)
    assert signed_in.get(f"/en/staff/tips/{other.tip_id}/photos/{photo_id}").status_code == 404


def test_moving_a_tip_through_the_page(signed_in, db_session, tip):
    response = signed_in.post(f"/en/staff/tips/{tip.tip_id}/move", data={"target": "in_review"})
    assert response.status_code == 303
    assert _tip(db_session, tip.tip_id).status == TipStatus.IN_REVIEW
    assert len(_audit(db_session, "tip.transition", tip.tip_id)) == 1


def test_an_invalid_move_is_refused_with_a_message(signed_in, db_session, tip):
    response = signed_in.post(f"/en/staff/tips/{tip.tip_id}/move", data={"target": "closed"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "This tip cannot move from “New” to “Closed”." in html
    assert _tip(db_session, tip.tip_id).status == TipStatus.NEW
    assert _audit(db_session, "tip.transition", tip.tip_id) == []


def test_rejecting_needs_a_reason_and_keeps_it_from_the_tipster(signed_in, client, db_session, tip):
    response = signed_in.post(f"/en/staff/tips/{tip.tip_id}/move", data={"target": "rejected"})
    assert response.status_code == 400
    assert "Please write why the tip is rejected." in response.get_data(as_text=True)
    signed_in.post(f"/en/staff/tips/{tip.tip_id}/move",
                   data={"target": "rejected", "reason": "Known hoax from the same caller"})
    assert _tip(db_session, tip.tip_id).status == TipStatus.REJECTED
    html = _tipster_view(client.application.test_client(), tip.receipt)
    assert "Known hoax" not in html
    assert "Closed — thank you" in html


def test_messages_reach_the_tipster_and_notes_do_not(app, signed_in, db_session, tip):
    signed_in.post(f"/en/staff/tips/{tip.tip_id}/messages",
                   data={"message-body": "Can you tell us which side of the pagoda?"})
    signed_in.post(f"/en/staff/tips/{tip.tip_id}/notes", data={"note-body": "Caller sounded credible"})
    staff_html = signed_in.get(f"/en/staff/tips/{tip.tip_id}").get_data(as_text=True)
    assert "Can you tell us which side of the pagoda?" in staff_html
    assert "Caller sounded credible" in staff_html
    tipster_html = _tipster_view(app.test_client(), tip.receipt)
    assert "Can you tell us which side of the pagoda?" in tipster_html
    assert "Caller sounded credible" not in tipster_html
    assert len(_audit(db_session, "tip.message_sent", tip.tip_id)) == 1
    assert len(_audit(db_session, "tip.note_added", tip.tip_id)) == 1


def test_an_empty_note_is_refused_beside_its_field(signed_in, tip):
    response = signed_in.post(f"/en/staff/tips/{tip.tip_id}/notes", data={"note-body": "   "})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert re.search(r'<span class="field-error" id="note-body-error">', html)


def test_assignment_is_saved_and_audited(signed_in, db_session, tip, moderator):
    signed_in.post(f"/en/staff/tips/{tip.tip_id}/assign", data={"assignee": str(moderator.id)})
    assert _tip(db_session, tip.tip_id).assignee_id == moderator.id
    entry = _audit(db_session, "tip.assigned", tip.tip_id)[0]
    assert entry.detail == {"assignee": moderator.username}
    response = signed_in.post(f"/en/staff/tips/{tip.tip_id}/assign", data={"assignee": "9999"})
    assert response.status_code == 400


def _redact(client, tip_id, field, item=""):
    """The second step: the confirmation page's "Remove" button."""
    return client.post(f"/en/staff/tips/{tip_id}/redact", data={"field": field, "item": item, "confirm": "remove"})


def test_redaction_removes_the_original_and_is_audited(signed_in, db_session, tip):
    for field in ("contact_phone", "what_seen", "coordinates"):
        assert _redact(signed_in, tip.tip_id, field).status_code == 303
    stored = _tip(db_session, tip.tip_id)
    assert stored.contact_phone is None
    assert stored.what_seen == "[…]"
    assert stored.latitude is None
    assert "chua" not in stored.search_text
    fields = [e.detail["field"] for e in _audit(db_session, "tip.redacted", tip.tip_id)]
    assert sorted(fields) == ["contact_phone", "coordinates", "what_seen"]
    refused = _redact(signed_in, tip.tip_id, "receipt_hash")
    assert refused.status_code == 303
    assert _tip(db_session, tip.tip_id).receipt_hash  # only listed fields can be redacted


def test_audit_log_is_for_admins_and_searchable(app, client, db_session, tip, admin, moderator):
    login(client, moderator, lang="en")
    client.post(f"/en/staff/tips/{tip.tip_id}/move", data={"target": "in_review"})
    assert client.get("/en/staff/audit").status_code == 403
    admin_client = app.test_client()
    login(admin_client, admin, lang="en")
    html = admin_client.get(f"/en/staff/audit?q=%23{tip.tip_id}").get_data(as_text=True)
    assert "tip.transition" in html
    assert "tip.received" in html
    html = admin_client.get("/en/staff/audit?q=staff.sign_in_failed").get_data(as_text=True)
    assert "tip.transition" not in html


def test_tip_page_for_unknown_tip_is_404(signed_in):
    assert signed_in.get("/en/staff/tips/999999").status_code == 404


def test_staff_actions_need_a_csrf_token(csrf_app, tip, moderator):
    client = csrf_app.test_client()
    login(client, moderator, lang="en")
    response = client.post(f"/en/staff/tips/{tip.tip_id}/move", data={"target": "in_review"})
    assert response.status_code == 400
    session = csrf_app.extensions["portal.sessionmaker"]()
    assert session.get(Tip, tip.tip_id).status == TipStatus.NEW
    session.close()


def test_staff_enter_a_tip_received_by_phone(app, signed_in, db_session):
    page = signed_in.get("/en/staff/tips/new")
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    stepped = signed_in.post("/en/staff/tips/new", data={"province": "09", "action": "place",
                                                         "what_seen": "Told by phone: graves near the river"})
    assert 'name="district"' in stepped.get_data(as_text=True)
    assert "Told by phone: graves near the river" in stepped.get_data(as_text=True)
    response = signed_in.post("/en/staff/tips/new", data={
        "channel": "phone", "province": "09", "what_seen": "Told by phone: graves near the river",
        "contact_phone": "+855 11 222 333", "consent": "y", "submission_id": "staff-entry-1", "action": "submit"})
    html = response.get_data(as_text=True)
    assert response.status_code == 201
    code = re.search(r'id="receipt-code"[^>]*>([^<]+)<', html).group(1)
    tip_id = int(re.search(r"Tip #(\d+) saved", html).group(1))
    tip = _tip(db_session, tip_id)
    assert tip.channel.value == "phone"
    assert tip.province_code == "09"
    assert tip.contact_phone == "+855 11 222 333"
    queue_html = signed_in.get("/en/staff/queue").get_data(as_text=True)
    assert f"#{tip.id}<" in queue_html
    tipster_html = _tipster_view(app.test_client(), code)
    assert "Received" in tipster_html


@pytest.mark.parametrize(("photo", "said"), [
    ("with GPS", "The position stored in a photo was used for this tip."),
    ("without", "No photo carried a position in Cambodia: the tip was saved without one."),
])
def test_staff_are_told_whether_a_photos_position_was_used(signed_in, db_session, photo, said):
    from io import BytesIO

    from tests.test_uploads import jpeg_with_metadata, plain_jpeg

    data = jpeg_with_metadata() if photo == "with GPS" else plain_jpeg()
    response = signed_in.post("/en/staff/tips/new", content_type="multipart/form-data", data={
        "channel": "paper", "province": "12", "what_seen": "A drawing of the place, with a photo",
        "use_photo_location": "y", "submission_id": f"staff-photo-{photo[:4]}", "action": "submit",
        "photos": [(BytesIO(data), "place.jpg", "image/jpeg")]})
    assert response.status_code == 201
    assert said in response.get_data(as_text=True)
    tip_id = int(re.search(r"Tip #(\d+) saved", response.get_data(as_text=True)).group(1))
    assert (_tip(db_session, tip_id).latitude is not None) == (photo == "with GPS")


def test_staff_entered_tip_needs_a_channel_and_what_was_told(signed_in):
    response = signed_in.post("/en/staff/tips/new", data={"channel": "web", "action": "submit",
                                                          "submission_id": "x"})
    html = response.get_data(as_text=True)
    assert 'id="channel-error"' in html
    assert 'id="what_seen-error"' in html


# -- issue #13, item 19: redaction asks first ---------------------------------------------------------


def test_redact_asks_first_naming_what_goes_and_only_the_confirmation_removes_it(signed_in, db_session, tip):
    base = f"/en/staff/tips/{tip.tip_id}"
    tip_page = signed_in.get(base).get_data(as_text=True)
    # The Redact control on the tip page only leads to the question (a link: no form posts from here).
    assert f'href="{base}/redact?field=what_seen' in tip_page
    assert f'action="{base}/redact"' not in tip_page
    question = signed_in.get(f"{base}/redact?field=contact_phone")
    html = question.get_data(as_text=True)
    assert question.status_code == 200 and question.headers["Cache-Control"] == "no-store"
    assert "Phone" in html and "+855" in html
    assert "+855 12 345 678" not in html  # shown masked: looking at contact details is audited elsewhere
    assert "only way to reach the tipster" not in html  # a name is given too
    assert re.search(rf'<form method="post" action="{base}/redact"', html)
    assert re.search(r'<button[^>]*name="confirm"[^>]*value="remove"', html)
    assert f'href="{base}#contact-heading"' in html  # Cancel
    assert _tip(db_session, tip.tip_id).contact_phone == "+855 12 345 678"
    # The old one-tap POST (no confirmation) only asks the question too.
    again = signed_in.post(f"{base}/redact", data={"field": "contact_phone"})
    assert again.status_code == 200 and "Phone" in again.get_data(as_text=True)
    assert _tip(db_session, tip.tip_id).contact_phone == "+855 12 345 678"
    assert _audit(db_session, "tip.redacted", tip.tip_id) == []
    assert _redact(signed_in, tip.tip_id, "contact_phone").status_code == 303
    db_session.rollback()
    assert _tip(db_session, tip.tip_id).contact_phone is None
    assert [e.detail["field"] for e in _audit(db_session, "tip.redacted", tip.tip_id)] == ["contact_phone"]


def test_redacting_the_only_contact_says_so(app, signed_in, db_session):
    only = make_tip(app, what_seen="Mộ ở gần giếng", contact_email="dara@example.org").tip_id
    html = signed_in.get(f"/en/staff/tips/{only}/redact?field=contact_email").get_data(as_text=True)
    assert "E-mail" in html and "dara@example.org" not in html
    assert "only way to reach the tipster" in html


def test_the_redact_question_names_a_text_a_photo_and_a_message(signed_in, db_session, tip):
    base = f"/en/staff/tips/{tip.tip_id}"
    html = signed_in.get(f"{base}/redact?field=what_seen").get_data(as_text=True)
    assert "What they saw or heard" in html and "Ba ngôi mộ gần chùa cũ" in html
    html = signed_in.get(f"{base}/redact?field=coordinates").get_data(as_text=True)
    assert "11.99000, 105.46000" in html
    photo_id = _tip(db_session, tip.tip_id).photos[0].id
    html = signed_in.get(f"{base}/redact?field=photo&item={photo_id}").get_data(as_text=True)
    assert f'src="{base}/photos/{photo_id}"' in html
    assert _tip(db_session, tip.tip_id).photos
    for bad in ("field=receipt_hash", "field=photo&item=999999", "field=", "field=message&item=x"):
        response = signed_in.get(f"{base}/redact?{bad}")
        assert response.status_code == 303, bad
    assert _audit(db_session, "tip.redacted", tip.tip_id) == []


def test_the_redact_confirmation_needs_a_csrf_token(csrf_app, moderator):
    tip_id = make_tip(csrf_app, what_seen="Hai ngôi mộ", contact_phone="+855 99 000 111").tip_id
    client = csrf_app.test_client()
    login(client, moderator, lang="en")
    question = client.get(f"/en/staff/tips/{tip_id}/redact?field=contact_phone").get_data(as_text=True)
    refused = client.post(f"/en/staff/tips/{tip_id}/redact", data={"field": "contact_phone", "confirm": "remove"})
    assert refused.status_code == 400
    session = csrf_app.extensions["portal.sessionmaker"]()
    try:
        assert session.get(Tip, tip_id).contact_phone == "+855 99 000 111"
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', question) or \
            re.search(r'name="csrf_token" value="([^"]+)"', question)
        done = client.post(f"/en/staff/tips/{tip_id}/redact",
                           data={"field": "contact_phone", "confirm": "remove", "csrf_token": token.group(1)})
        assert done.status_code == 303
        session.rollback()
        assert session.get(Tip, tip_id).contact_phone is None
    finally:
        session.close()


# -- issue #13, item 15: no third party learns an unpublished site; times are not a fingerprint --------


def test_the_staff_tip_page_fetches_no_map_tiles_by_default(signed_in, tip):
    html = signed_in.get(f"/en/staff/tips/{tip.tip_id}").get_data(as_text=True)
    assert "data-tile-url" not in html and "tile.openstreetmap.org" not in html
    assert "js/map.js" not in html


def test_the_thread_keeps_the_order_messages_were_written_in(app, signed_in, db_session, tip):
    from portal.services.tips import add_followup

    signed_in.post(f"/en/staff/tips/{tip.tip_id}/messages", data={"message-body": "Which side of the pagoda?"})
    with app.app_context():
        add_followup(db_session, tip.tip_id, "The east side, by the well")
    html = signed_in.get(f"/en/staff/tips/{tip.tip_id}").get_data(as_text=True)
    assert html.index("Which side of the pagoda?") < html.index("The east side, by the well")
    history = html[html.index('id="history"'):]
    assert history.index("tip.followup") < history.index("tip.message_sent")  # newest first
