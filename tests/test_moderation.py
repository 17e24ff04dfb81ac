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


def test_redaction_removes_the_original_and_is_audited(signed_in, db_session, tip):
    signed_in.post(f"/en/staff/tips/{tip.tip_id}/redact", data={"field": "contact_phone"})
    signed_in.post(f"/en/staff/tips/{tip.tip_id}/redact", data={"field": "what_seen"})
    signed_in.post(f"/en/staff/tips/{tip.tip_id}/redact", data={"field": "coordinates"})
    stored = _tip(db_session, tip.tip_id)
    assert stored.contact_phone is None
    assert stored.what_seen == "[…]"
    assert stored.latitude is None
    assert "chua" not in stored.search_text
    fields = [e.detail["field"] for e in _audit(db_session, "tip.redacted", tip.tip_id)]
    assert sorted(fields) == ["contact_phone", "coordinates", "what_seen"]
    refused = signed_in.post(f"/en/staff/tips/{tip.tip_id}/redact", data={"field": "receipt_hash"})
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


def test_staff_entered_tip_needs_a_channel_and_what_was_told(signed_in):
    response = signed_in.post("/en/staff/tips/new", data={"channel": "web", "action": "submit",
                                                          "submission_id": "x"})
    html = response.get_data(as_text=True)
    assert 'id="channel-error"' in html
    assert 'id="what_seen-error"' in html
