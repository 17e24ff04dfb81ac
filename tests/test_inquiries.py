"""Families ask about a relative (issue #19): the form, the receipt and the follow-up, matching,
the moderator's decisions, contact details and retention, and what a family may read."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.db import new_session
from portal.families.views import NOT_CONVERTED, WRONG_RECEIPT
from portal.models.audit import AuditEntry
from portal.models.inquiry import Inquiry, InquiryLink, InquiryStatus, TipMatchKey
from portal.models.site import SiteStatus
from portal.models.staff import StaffUser
from portal.models.tip import TipStatus
from portal.models.types import utcnow
from portal.services import inquiries, inquiry_matching, moderation, receipts, retention, sites, workflow
from portal.services.inquiries import InquiryInput
from portal.services.site_workflow import SITE_STATUSES
from tests.site_helpers import make_team, site_from_tips
from tests.staff_fixtures import login
from tests.tip_factory import make_tip
from tests.tip_helpers import page, translated

FAMILY = {
    "fallen_name": "Nguyễn Văn Hùng", "birth_year": "1958", "unit": "Trung đoàn 88, Sư đoàn 302",
    "hometown_written": "xã Quỳnh Đôi, huyện Quỳnh Lưu, tỉnh Nghệ Tĩnh", "hometown_province": "40",
    "death_date": "tháng 3 năm 1979", "death_place": "Svay Rieng", "death_province": "20",
    "family_knows": "Bác đi bộ đội năm 1977. Thư cuối cùng gửi từ mặt trận 479.", "dna_sample": "yes",
    "relationship_to_fallen": "Cháu gọi bằng bác", "contact_name": "Nguyễn Thị Mai",
    "contact_phone": "0912 345 678", "contact_email": "mai@example.org", "contact_language": "vi",
    "consent": "y", "action": "submit",
}


def _ask(client, lang="vi", **overrides):
    data = {**FAMILY, "submission_id": f"family-submission-{lang}-000001", **overrides}
    return client.post(f"/{lang}/inquiries/new", data={k: v for k, v in data.items() if v is not None})


def _receipt(response) -> str:
    element = page(response).by_id("receipt-code")
    assert element is not None, response.text[:500]
    return element.text.strip()


def _inquiry(app, inquiry_id=1) -> Inquiry:
    with app.app_context():
        session = new_session()
        inquiry = inquiries.get(session, inquiry_id)
        session.expunge_all()
        session.close()
    assert inquiry is not None
    return inquiry


def _count_inquiries(app) -> int:
    with app.app_context():
        session = new_session()
        try:
            return len(session.scalars(select(Inquiry.id)).all())
        finally:
            session.close()


def _actor(session, account) -> StaffUser:
    actor = session.get(StaffUser, account.id)
    assert actor is not None
    return actor


# -- the form ------------------------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["vi", "km", "en"])
def test_every_error_is_shown_again_in_the_familys_language_and_nothing_typed_is_lost(app, client, lang):
    response = _ask(client, lang, fallen_name="", birth_year="năm 58", contact_email="mai-at-example",
                    contact_phone="số của tôi", consent=None, death_province="99", dna_sample="maybe")
    assert response.status_code == 422
    shown = page(response)
    expected = {
        "fallen_name": "Please write the name of the person you are looking for.",
        "birth_year": "Please write the year with four digits, for example 1958, or leave this empty.",
        "contact_email": "This does not look like an e-mail address. Please check it.",
        "contact_phone": "Please write the phone number with digits only, for example +855 12 345 678.",
        "consent": "To keep your contact details we need your agreement: please tick this box, or remove the "
                   "details.",
        "death_province": "Please choose this again from the list.",
    }
    for field, message in expected.items():
        assert shown.error_for(field) == translated(app, lang, _l(message)), field
    assert shown.field_value("family_knows") == FAMILY["family_knows"]
    assert shown.field_value("unit") == FAMILY["unit"]
    assert shown.field_value("hometown_province") == "40"
    assert _count_inquiries(app) == 0
    if lang != "en":
        assert "Please write the name" not in response.text


def test_the_province_step_lists_todays_communes_and_stores_nothing(app, client):
    response = _ask(client, action="place", fallen_name="")
    assert response.status_code == 200
    communes = page(response).options("hometown_commune")
    assert "17176" in communes and len(communes) > 100  # Xã Quỳnh Anh, Nghệ An
    assert "error-summary" not in response.text
    assert _count_inquiries(app) == 0


def test_an_old_district_era_address_is_read_into_todays_province_and_commune(app, client):
    response = _ask(client, action="convert", hometown_province="", hometown_written=FAMILY["hometown_written"])
    assert response.status_code == 200
    shown = page(response)
    assert shown.field_value("hometown_province") == "40"  # Nghệ Tĩnh (1976–1991) lies in today's Nghệ An
    assert shown.field_value("hometown_commune") == "17176"  # Quỳnh Đôi merged into Xã Quỳnh Anh in 2025
    assert shown.by_id("converted-notice") is not None
    response = _ask(client, action="convert", hometown_province="", hometown_written="Không rõ")
    assert page(response).field_value("hometown_province") == ""
    assert page(response).by_id("converted-notice").text == translated(app, "vi", NOT_CONVERTED)


# -- receipt and follow-up -----------------------------------------------------------------------

def test_the_family_gets_a_receipt_and_follows_the_inquiry_with_it(app, client, moderator):
    response = _ask(client)
    assert response.status_code == 201
    assert response.headers["Cache-Control"].startswith("no-store")
    code = _receipt(response)
    again = _ask(client)  # the same form sent twice: the same code, one inquiry
    assert _receipt(again) == code
    with app.app_context():
        session = new_session()
        stored = session.scalars(select(Inquiry)).all()
        assert len(stored) == 1
        assert stored[0].death_year == 1979 and stored[0].birth_year == 1958
        assert code.replace("-", "") not in str([getattr(stored[0], c.key) for c in Inquiry.__table__.columns])
        session.close()

    status = client.post("/vi/inquiries/status", data={"receipt": code.lower().replace("-", " "), "action": "lookup"})
    assert status.status_code == 200
    text = page(status).by_id("inquiry-status").text
    assert translated(app, "vi", inquiries.FAMILY_STATUS_WORDS[InquiryStatus.RECEIVED]) in text
    assert "ngày ngày" not in status.text  # "Nhận ngày" + a date that already says "ngày"

    wrong = client.post("/vi/inquiries/status", data={"receipt": receipts.generate(), "action": "lookup"})
    assert wrong.status_code == 422
    assert page(wrong).error_for("receipt") == translated(app, "vi", WRONG_RECEIPT)

    login(client, moderator, lang="vi")
    sent = client.post("/vi/staff/inquiries/1/messages", data={"message-body": "Chào chị Mai, chúng tôi đã nhận."})
    assert sent.status_code == 303
    client.get("/vi/staff/logout")
    status = client.post("/km/inquiries/status", data={"receipt": code, "action": "lookup"})
    thread = page(status).by_id("thread")
    assert thread is not None and "Chào chị Mai, chúng tôi đã nhận." in thread.text
    token = page(status).field_value("followup")
    reply = client.post("/km/inquiries/status", data={"followup": token, "body": "Cảm ơn.", "action": "reply"})
    assert reply.status_code == 200 and page(reply).by_id("sent-notice") is not None
    assert _inquiry(app).messages[-1].body == "Cảm ơn." and not _inquiry(app).messages[-1].from_staff


def test_a_tips_follow_up_page_has_no_doubled_day_word_either(app, client):
    submitted = make_tip(app, language="vi")
    status = client.post("/vi/tips/status", data={"receipt": submitted.receipt, "action": "lookup"})
    assert status.status_code == 200 and "ngày ngày" not in status.text


def test_a_tips_page_token_never_opens_an_inquiry(app, client):
    submitted = make_tip(app, language="vi")
    code = _receipt(_ask(client))
    tip_page = client.post("/vi/tips/status", data={"receipt": submitted.receipt, "action": "lookup"})
    token = page(tip_page).field_value("followup")
    reply = client.post("/vi/inquiries/status", data={"followup": token, "body": "Xin chào", "action": "reply"})
    assert reply.status_code == 422
    assert not _inquiry(app).messages
    assert code  # the inquiry exists and kept no message


# -- matching ------------------------------------------------------------------------------------

def _inquiry_input(**values) -> InquiryInput:
    base = {"language": "vi", "fallen_name": "Nguyễn Văn Hùng", "unit": "Trung đoàn 88",
            "death_date": "1979", "death_province_code": "20", "hometown_province_code": "40"}
    return InquiryInput(**{**base, **values})


def _file(app, data: InquiryInput) -> int:
    with app.app_context():
        session = new_session()
        submitted = inquiries.submit_inquiry(session, data, receipt_key=app.config["RECEIPT_KEY"])
        session.close()
    return submitted.inquiry_id


def _proposals(app, inquiry_id: int) -> list[inquiry_matching.Proposal]:
    with app.app_context():
        session = new_session()
        inquiry = inquiries.get(session, inquiry_id)
        assert inquiry is not None
        found = inquiry_matching.propose(session, inquiry)
        session.close()
    return found


@pytest.mark.parametrize(("written", "reason"), [
    ("Nguyễn Văn Hùng", "name_same"),
    ("nguyen van hung", "name_folded"),
    ("NGUYEN VAN HUNG", "name_folded"),
    ("Hùng Nguyễn Văn", "name_order"),
    ("liệt sĩ Trần Đình Nam, anh Nguyễn Văn Hùng", "name_same"),
])
def test_a_name_is_found_with_or_without_diacritics_and_in_another_order(app, written, reason):
    wanted = make_tip(app, fallen_names=written, province_code="20").tip_id
    make_tip(app, fallen_names="Trần Văn Hùng", province_code="20")  # another Hùng
    make_tip(app, fallen_names="Nguyễn Văn Hưng")  # one letter apart
    proposals = _proposals(app, _file(app, _inquiry_input()))
    assert proposals[0].tip_id == wanted
    assert reason in {r.code for r in proposals[0].reasons}


@pytest.mark.parametrize(("theirs", "ours", "shared"), [
    ("E88", "Trung đoàn 88", "E88"),
    ("e 88 / f302", "Trung đoàn 88, Sư đoàn 302", "E88"),
    ("c2 d3", "Đại đội 2, Tiểu đoàn 3", "C2"),
    ("Sư đoàn 5", "F5", "F5"),
])
def test_a_unit_written_two_ways_is_one_unit(app, theirs, ours, shared):
    wanted = make_tip(app, fallen_unit=theirs, fallen_names="").tip_id
    make_tip(app, fallen_unit="E99", fallen_names="")
    proposals = _proposals(app, _file(app, _inquiry_input(fallen_name="Lê Văn Tám", unit=ours, death_date="",
                                                           death_province_code=None)))
    assert [p.tip_id for p in proposals] == [wanted]
    assert inquiry_matching.Reason("unit_same", shared) in proposals[0].reasons


def test_hometown_time_and_area_rank_the_likelier_tip_first(app):
    vague = make_tip(app, fallen_names="Nguyễn Văn Hùng").tip_id
    likely = make_tip(app, fallen_names="Nguyen Van Hung", fallen_hometown="quê Nghệ Tĩnh", period="mùa khô 1979",
                      province_code="20").tip_id
    proposals = _proposals(app, _file(app, _inquiry_input(unit="")))
    assert [p.tip_id for p in proposals] == [likely, vague]
    codes = {r.code for r in proposals[0].reasons}
    assert {"home_province", "time", "area"} <= codes
    assert proposals[0].score > proposals[1].score


def test_rejected_and_dismissed_tips_are_not_proposed_and_a_sites_tip_proposes_the_site(app, moderator):
    rejected = make_tip(app, fallen_names="Nguyễn Văn Hùng").tip_id
    dismissed = make_tip(app, fallen_names="Nguyễn Văn Hùng", fallen_unit="E88").tip_id
    in_site = make_tip(app, fallen_names="Hùng Nguyễn Văn").tip_id
    site_id = site_from_tips(app, moderator.id, [in_site])
    inquiry_id = _file(app, _inquiry_input())
    with app.app_context():
        session = new_session()
        actor = _actor(session, moderator)
        workflow.move_tip(session, rejected, TipStatus.IN_REVIEW, actor)
        workflow.move_tip(session, rejected, TipStatus.REJECTED, actor, reason="Not credible")
        inquiries.decide(session, inquiry_id, dismissed, inquiry_matching.LinkDecision.DISMISSED, actor)
        session.close()
    proposals = _proposals(app, inquiry_id)
    assert [(p.tip_id, p.site_id) for p in proposals] == [(in_site, site_id)]


def test_a_redacted_name_can_no_longer_be_found(app, moderator):
    tip_id = make_tip(app, fallen_names="Nguyễn Văn Hùng").tip_id
    inquiry_id = _file(app, _inquiry_input())
    assert [p.tip_id for p in _proposals(app, inquiry_id)] == [tip_id]
    with app.app_context():
        session = new_session()
        moderation.redact_tip(session, tip_id, "fallen_names", None, _actor(session, moderator))
        assert session.scalars(select(TipMatchKey.key).where(TipMatchKey.tip_id == tip_id)).all() == []
        session.close()
    assert _proposals(app, inquiry_id) == []


# -- decisions, both sides, audit ----------------------------------------------------------------

def test_confirm_and_dismiss_are_audited_and_the_link_shows_on_both_sides(app, client, moderator):
    tip_id = make_tip(app, fallen_names="nguyen van hung", fallen_unit="E88").tip_id
    other = make_tip(app, fallen_names="Nguyễn Văn Hùng", fallen_unit="E99").tip_id
    inquiry_id = _file(app, _inquiry_input())
    login(client, moderator, lang="vi")
    listing = client.get(f"/vi/staff/inquiries/{inquiry_id}")
    proposals = page(listing).by_id("proposal-list")
    assert proposals is not None and "E88" in proposals.text
    assert client.post(f"/vi/staff/inquiries/{inquiry_id}/links",
                       data={"tip": tip_id, "decision": "confirmed", "to_site": "y"}).status_code == 303
    assert client.post(f"/vi/staff/inquiries/{inquiry_id}/links",
                       data={"tip": other, "decision": "dismissed"}).status_code == 303
    again = client.post(f"/vi/staff/inquiries/{inquiry_id}/links", data={"tip": tip_id, "decision": "confirmed"})
    assert again.status_code == 422
    missing = client.post(f"/vi/staff/inquiries/{inquiry_id}/links", data={"tip": 9999, "decision": "confirmed"})
    assert missing.status_code == 422 and page(missing).error_for("tip")
    with app.app_context():
        session = new_session()
        entries = session.scalars(select(AuditEntry).where(AuditEntry.subject == f"inquiry:{inquiry_id}")
                                  .order_by(AuditEntry.id)).all()
        actions = [e.action for e in entries]
        assert actions == ["inquiry.received", "inquiry.link_confirmed", "inquiry.transition",
                           "inquiry.link_dismissed"] or actions == [
            "inquiry.received", "inquiry.link_confirmed", "inquiry.link_dismissed"]
        confirmed = next(e for e in entries if e.action == "inquiry.link_confirmed")
        assert confirmed.actor_id == moderator.id and confirmed.detail["tip"] == tip_id
        assert "name_folded" in confirmed.detail["reasons"] and "unit_same" in confirmed.detail["reasons"]
        assert session.get(Inquiry, inquiry_id).status == InquiryStatus.LOOKING
        session.close()
    inquiry_page = page(client.get(f"/vi/staff/inquiries/{inquiry_id}"))
    assert f"#{tip_id}" in inquiry_page.by_id("confirmed-links").text
    assert inquiry_page.by_id("proposal-list") is None  # both decided: nothing left to propose
    tip_page = page(client.get(f"/vi/staff/tips/{tip_id}"))
    assert tip_page.by_id("family-links") is not None
    assert "Nguyễn Văn Hùng" in tip_page.html
    assert page(client.get(f"/vi/staff/tips/{other}")).by_id("family-links") is None
    history = inquiry_page.html
    assert translated(app, "vi", _l("Dismissed %(target)s: it does not concern the person the family asks about."),
                      target=translated(app, "vi", _l("tip #%(number)s"), number=str(other))) in history


# -- contact details and retention ---------------------------------------------------------------

def test_the_familys_contact_is_shown_to_staff_only_on_request_and_each_look_is_audited(app, client, moderator):
    _ask(client)
    assert client.get("/vi/staff/inquiries/1").status_code == 302  # not signed in: the sign-in page
    login(client, moderator, lang="vi")
    hidden = client.get("/vi/staff/inquiries/1")
    assert "0912 345 678" not in hidden.text and "mai@example.org" not in hidden.text
    shown = client.post("/vi/staff/inquiries/1/contact")
    details = page(shown).by_id("contact-details")
    assert details is not None and "0912 345 678" in details.text and "Nguyễn Thị Mai" in details.text
    with app.app_context():
        session = new_session()
        looks = session.scalars(select(AuditEntry).where(AuditEntry.action == "inquiry.contact_viewed")).all()
        assert [(e.actor_id, e.subject) for e in looks] == [(moderator.id, "inquiry:1")]
        session.close()


def test_retention_removes_the_familys_contact_once_the_inquiry_is_closed_long_enough(app, moderator):
    kept_open = _file(app, _inquiry_input(contact_name="Mai", contact_phone="0912 345 678"))
    closed = _file(app, _inquiry_input(contact_name="Lan", contact_phone="0987 654 321",
                                       relationship_to_fallen="con gái"))
    with app.app_context():
        session = new_session()
        inquiries.move(session, closed, InquiryStatus.CLOSED, _actor(session, moderator))
        days = int(app.config["RETENTION_DAYS"])
        early = retention.purge(session, days)
        assert early.inquiry_ids == []
        report = retention.purge(session, days, now=utcnow() + timedelta(days=days + 1))
        assert report.inquiry_ids == [closed]
        session.expire_all()
        gone = session.get(Inquiry, closed)
        assert (gone.contact_name, gone.contact_phone, gone.relationship_to_fallen) == (None, None, None)
        assert gone.fallen_name == "Nguyễn Văn Hùng"  # what the family told of the fallen stays
        assert session.get(Inquiry, kept_open).contact_phone == "0912 345 678"
        assert session.scalar(select(AuditEntry.action).where(AuditEntry.subject == f"inquiry:{closed}")
                              .order_by(AuditEntry.id.desc())) == "inquiry.purged"
        session.close()


# -- what the family reads -----------------------------------------------------------------------

def test_the_family_reads_what_became_of_a_linked_site_and_nothing_of_any_tip(app, client, moderator):
    tip = make_tip(app, fallen_names="Nguyen Van Hung", fallen_unit="E88", what_seen="Ông Sok thấy ba ngôi mộ",
                   local_name="Gò Mả Bộ Đội", contact_name="Sok Chan", contact_phone="097 111 2222",
                   province_code="17", district_code="1701", commune_code="170101", village_code="17010101",
                   latitude=13.361234, longitude=103.861234)
    team_id = make_team(app)
    site_id = site_from_tips(app, moderator.id, [tip.tip_id], "Staff-only site name")
    code = _receipt(_ask(client))
    with app.app_context():
        session = new_session()
        actor = _actor(session, moderator)
        inquiries.decide(session, 1, tip.tip_id, inquiry_matching.LinkDecision.CONFIRMED, actor)
        sites.plan_site(session, site_id, team_id, date(2026, 1, 1), actor)
        sites.record_visit(session, site_id, sites.VisitInput(date(2026, 2, 3), team_id,
                                                              sites.VisitFinding.REMAINS_RECOVERED, 2,
                                                              "Staff-only visit notes"), actor)
        link = session.scalar(select(InquiryLink))
        assert link is not None and link.site_id == site_id and link.tip_id is None
        session.close()
    status = client.post("/vi/inquiries/status", data={"receipt": code, "action": "lookup"})
    news = page(status).by_id("news-1")
    assert news is not None
    assert translated(app, "vi", SITE_STATUSES[SiteStatus.REMAINS_RECOVERED].family) in news.text
    for secret in ("Sok Chan", "097 111 2222", "Ông Sok thấy", "Gò Mả Bộ Đội", "Staff-only", "13.36", "103.86",
                   "Nguyen Van Hung", "E88", f"#{tip.tip_id}", "Siem", "Xiêm"):
        assert secret not in status.text, secret


@pytest.mark.parametrize("lang", ["vi", "km", "en"])
def test_the_help_page_says_how_relatives_give_dna_with_its_sources_and_the_form_links_to_it(client, lang):
    from portal.public.views import DNA_SOURCES

    help_page = page(client.get(f"/{lang}/help"))
    section = help_page.by_id("dna")
    assert section is not None
    links = [a.get("href") for a in help_page.all("a") if a.get("href") in {s.url for s in DNA_SOURCES}]
    assert sorted(links) == sorted(s.url for s in DNA_SOURCES)
    for number in range(1, len(DNA_SOURCES) + 1):  # each cited paragraph points at its source
        assert help_page.all("a", href=f"#dna-source-{number}") and help_page.by_id(f"dna-source-{number}")
    assert help_page.all("a", href=f"/{lang}/inquiries/new")
    form = page(client.get(f"/{lang}/inquiries/new"))
    assert form.all("a", href=f"/{lang}/help#dna")


def test_family_inquiries_are_in_the_staff_menu_of_moderators(app, client, moderator, editor):
    """Registered under an endpoint that did not exist, the section was in no menu."""
    login(client, moderator, lang="vi")
    home = client.get("/vi/staff/").get_data(as_text=True)
    assert 'href="/vi/staff/inquiries"' in home
    other = app.test_client()
    login(other, editor, lang="vi")
    assert 'href="/vi/staff/inquiries"' not in other.get("/vi/staff/").get_data(as_text=True)
