"""Likely duplicates: ranking on a hand-made set, the list on a tip's page, one-click marking."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.db import new_session
from portal.i18n import fold
from portal.models.audit import AuditEntry
from portal.models.tip import Tip, TipStatus
from portal.services import duplicates
from tests.staff_fixtures import csrf_token, login
from tests.tip_factory import make_tip

# Siem Reap (17) › Angkor Chum (1701) › Char Chhuk (170101) › Prasat (17010101)
PROVINCE, DISTRICT, COMMUNE, VILLAGE = "17", "1701", "170101", "17010101"
BASE_TEXT = "Hai ngôi mộ liệt sĩ dưới gốc cây me lớn, cạnh ao của chùa cũ"
KHMER = "ផ្នូរបីនៅជិតវត្តចាស់ ខាងកើតផ្លូវជាតិ"
KHMER_ZW = "ផ្នូរ\u200bបី\u200bនៅ\u200bជិត\u200bវត្ត\u200bចាស់ ខាង\u200bកើត\u200bផ្លូវ\u200cជាតិ"
METRES_PER_DEGREE = 111_195  # of latitude, on the sphere the haversine uses


def found(app, tip_id: int, radius_m: int = 500) -> list[duplicates.Candidate]:
    with app.app_context():
        session = new_session()
        try:
            return duplicates.likely_duplicates(session, session.get(Tip, tip_id), radius_m)
        finally:
            session.close()


def reasons(candidate: duplicates.Candidate) -> dict[str, float | None]:
    return {reason.code: reason.value for reason in candidate.reasons}


@pytest.fixture
def hand_made(app) -> dict[str, int]:
    """A tip and, around it, one candidate for each kind of evidence, one with all of them, one far away."""
    tip = make_tip
    return {
        "base": tip(app, language="vi", province_code=PROVINCE, district_code=DISTRICT, commune_code=COMMUNE,
                    village_code=VILLAGE, latitude=13.5, longitude=103.7, uncertainty_m=50,
                    what_seen=BASE_TEXT, fallen_names="Nguyễn Văn An").tip_id,
        # 300 m north, no place codes, other words
        "near": tip(app, language="km", latitude=13.5 + 300 / METRES_PER_DEGREE, longitude=103.7,
                    what_seen="ដីទួលមួយមានបង្គោលឈើ").tip_id,
        # the same village, no coordinates, other words
        "village": tip(app, language="en", province_code=PROVINCE, district_code=DISTRICT,
                       commune_code=COMMUNE, village_code=VILLAGE,
                       what_seen="People say soldiers were buried behind the school").tip_id,
        # the same report typed without Vietnamese diacritics, another district of the province
        "unaccented": tip(app, language="vi", province_code=PROVINCE, district_code="1702",
                          what_seen="hai ngoi mo liet si duoi goc cay me lon canh ao cua chua cu",
                          fallen_names="Nguyen Van An").tip_id,
        # everything at once: 80 m away, same village, similar words
        "all": tip(app, language="vi", province_code=PROVINCE, district_code=DISTRICT, commune_code=COMMUNE,
                   village_code=VILLAGE, latitude=13.5, longitude=103.7 + 80 / METRES_PER_DEGREE,
                   what_seen="Hai ngôi mộ liệt sĩ dưới cây me, cạnh ao chùa cũ").tip_id,
        # 50 km away, another district, nothing in common
        "far": tip(app, language="en", province_code=PROVINCE, district_code="1703", latitude=13.95,
                   longitude=103.7, what_seen="A bomb crater next to the rice field, filled with water").tip_id,
    }


def test_the_tip_with_every_kind_of_evidence_ranks_first_and_the_far_one_not_at_all(app, hand_made):
    ranked = [c.tip_id for c in found(app, hand_made["base"])]
    assert ranked[0] == hand_made["all"]
    assert set(ranked) == {hand_made[k] for k in ("all", "near", "village", "unaccented")}
    assert hand_made["far"] not in ranked
    assert hand_made["base"] not in ranked


def test_each_candidate_says_why(app, hand_made):
    by_id = {c.tip_id: reasons(c) for c in found(app, hand_made["base"])}
    near = by_id[hand_made["near"]]
    assert set(near) == {"near"} and 290 <= near["near"] <= 310  # type: ignore[operator]
    assert set(by_id[hand_made["village"]]) == {"village"}
    unaccented = by_id[hand_made["unaccented"]]
    assert unaccented["names"] == 1.0 and unaccented["text"] == 1.0
    assert "overlap" in by_id[hand_made["all"]] and "village" in by_id[hand_made["all"]]


def test_overlapping_circles_count_even_beyond_the_radius(app):
    base = make_tip(app, latitude=12.0, longitude=105.0, uncertainty_m=1000).tip_id
    wide = make_tip(app, latitude=12.0 + 1500 / METRES_PER_DEGREE, longitude=105.0, uncertainty_m=1000,
                    what_seen="Something else entirely").tip_id
    (candidate,) = found(app, base, radius_m=500)
    assert candidate.tip_id == wide and reasons(candidate).keys() == {"overlap"}


def test_the_same_khmer_text_with_and_without_zero_width_spaces_is_one_text(app):
    plain = make_tip(app, province_code="03", what_seen=KHMER).tip_id
    spaced = make_tip(app, province_code="03", what_seen=KHMER_ZW).tip_id
    other = make_tip(app, province_code="03", what_seen="ស្រះទឹកធំមួយនៅកណ្ដាលវាលស្រែ").tip_id
    (candidate,) = found(app, plain)
    assert candidate.tip_id == spaced and reasons(candidate) == {"text": 1.0}
    assert other not in [c.tip_id for c in found(app, spaced)]


def test_names_and_units_compare_across_spellings():
    assert duplicates.name_similarity(fold("Nguyễn Văn An, Lê Văn Bình"), fold("Le Van Binh; nguyen van an")) == 1.0
    assert duplicates.name_similarity(fold("Nguyễn Văn An"), fold("An Nguyen Van và Trần Văn Cường")) == 1.0
    assert duplicates.name_similarity(fold("Nguyễn Văn An"), fold("Nguyễn Văn Bình")) == 0.0
    assert duplicates.unit_similarity(fold("E 5 / F-330"), fold("e5 f330")) == 1.0
    assert duplicates.unit_similarity(fold("Trung đoàn 2"), fold("Trung Doan 2")) == 1.0
    assert duplicates.unit_similarity(fold("Trung đoàn 2"), fold("Trung đoàn 3")) == 0.0


def test_distances_are_great_circle_metres():
    assert duplicates.haversine_m(13.5, 103.7, 13.5, 103.7) == 0
    assert abs(duplicates.haversine_m(11.55, 104.92, 13.36, 103.86) - 233_000) < 2_000  # Phnom Penh–Siem Reap


def test_the_tip_page_lists_them_with_a_one_click_mark(app, client, moderator, hand_made):
    login(client, moderator, lang="en")
    html = client.get(f"/en/staff/tips/{hand_made['base']}").text
    assert "Likely duplicates" in html
    assert f'href="/en/staff/tips/{hand_made["all"]}"' in html
    assert f"Mark this tip as a duplicate of #{hand_made['all']}" in html
    assert f"/en/staff/tips/{hand_made['far']}\"" not in html
    assert "Same village" in html and "Near: 300 m apart" in html

    response = client.post(f"/en/staff/tips/{hand_made['base']}/move",
                           data={"target": "duplicate", "duplicate_of": hand_made["all"], **csrf_token(html)})
    assert response.status_code == 303
    with app.app_context():
        session = new_session()
        tip = session.get(Tip, hand_made["base"])
        assert tip.status == TipStatus.DUPLICATE and tip.duplicate_of_id == hand_made["all"]
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "tip.transition")).one()
        assert entry.detail["duplicate_of"] == hand_made["all"]
        session.close()
    # The other tip's page now says so, and offers no button to mark it back.
    html = client.get(f"/en/staff/tips/{hand_made['all']}").text
    assert "Already marked as a duplicate of this tip." in html


def test_each_tipster_still_sees_only_their_own_messages(app, client, moderator):
    first = make_tip(app, language="en", province_code="03", what_seen=KHMER)
    second = make_tip(app, language="en", province_code="03", what_seen=KHMER_ZW)
    login(client, moderator, lang="en")
    page = client.get(f"/en/staff/tips/{first.tip_id}").text
    client.post(f"/en/staff/tips/{first.tip_id}/messages",
                data={"message-body": "Only for the first tipster", **csrf_token(page)})
    page = client.get(f"/en/staff/tips/{second.tip_id}").text
    client.post(f"/en/staff/tips/{second.tip_id}/move",
                data={"target": "duplicate", "duplicate_of": first.tip_id, **csrf_token(page)})

    tipster = app.test_client()
    second_view = tipster.post("/en/tips/status", data={"receipt": second.receipt, "action": "lookup"}).text
    assert "Closed — thank you" in second_view
    assert "Only for the first tipster" not in second_view
    first_view = tipster.post("/en/tips/status", data={"receipt": first.receipt, "action": "lookup"}).text
    assert "Only for the first tipster" in first_view


def test_candidates_are_capped_per_query(app, monkeypatch):
    monkeypatch.setattr(duplicates, "CANDIDATES_PER_QUERY", 3)
    base = make_tip(app, province_code="03", what_seen=KHMER).tip_id
    copies = [make_tip(app, province_code="03", what_seen=KHMER).tip_id for _ in range(5)]
    ranked = [c.tip_id for c in found(app, base)]
    assert ranked == sorted(copies, reverse=True)[:3]  # the newest three, all equally alike
