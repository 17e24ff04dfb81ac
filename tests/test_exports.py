"""Exports for the search teams: each file read back by a parser, contact details only when asked
for (and audited), field sheets, access and CSRF."""

from __future__ import annotations

import base64
import csv
import io
import json
import re
import xml.etree.ElementTree as ET

import pytest
from sqlalchemy import select

from portal import geo
from portal.db import new_session
from portal.models.audit import AuditEntry
from portal.services import exports
from portal.staff import export_views
from tests.staff_fixtures import create_staff, csrf_token, login
from tests.tip_factory import make_tip

GPX = "{http://www.topografix.com/GPX/1/1}"
KHMER = "ផ្នូរបីនៅជិតវត្តចាស់ ខាងកើតផ្លូវ"
VIETNAMESE = "Hai ngôi mộ liệt sĩ dưới gốc xoài, gần đường sắt"
PHONE, EMAIL, NAME = "+855 12 345 678", "tipster@example.org", "Sokha Chan"
XSS = '<script>alert(1)</script><img src=x onerror="alert(2)">'


@pytest.fixture
def tips(app) -> dict[str, int]:
    return {
        "siem_reap": make_tip(
            app, language="km", province_code="17", district_code="1701", commune_code="170101",
            village_code="17010101", latitude=13.361234, longitude=103.861234, uncertainty_m=50,
            what_seen=KHMER, place_description='=HYPERLINK("http://example.com/x","open")',
            local_name="@SUM(A1)", fallen_names="Nguyễn Văn An", fallen_unit="+E5", period="-1979",
            contact_name=NAME, contact_phone=PHONE, consent=True).tip_id,
        "no_point": make_tip(app, language="vi", province_code="17", what_seen=VIETNAMESE,
                             contact_email=EMAIL, consent=True).tip_id,
        "kampong_cham": make_tip(app, language="vi", province_code="03", latitude=12.0, longitude=105.4,
                                 what_seen="Another place").tip_id,
    }


def export(client, query: str = "", lang: str = "en", **data):
    page = client.get(f"/{lang}/staff/exports{query}")
    assert page.status_code == 200
    return client.post(f"/{lang}/staff/exports{query}",
                       data={"format": "csv", "language": lang, **data, **csrf_token(page.text)})


def audit_entries(app, action: str) -> list[AuditEntry]:
    with app.app_context():
        session = new_session()
        try:
            return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action)
                                        .order_by(AuditEntry.id)))
        finally:
            session.close()


def read_csv(response) -> list[dict[str, str]]:
    assert response.data.startswith(b"\xef\xbb\xbf"), "no byte-order mark: Excel would garble Khmer"
    return list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))


def assert_download(response, media_type: str, extension: str) -> None:
    assert response.status_code == 200, response.text[:500]
    assert response.headers["Content-Type"].startswith(media_type)
    assert re.fullmatch(rf'attachment; filename="friendship-portal-tips-\d{{8}}-\d{{4}}\.{extension}"',
                        response.headers["Content-Disposition"])
    assert response.headers["Cache-Control"] == "no-store"


def test_csv_keeps_khmer_and_vietnamese_neutralises_formulas_and_leaves_out_contacts(app, client, moderator, tips):
    login(client, moderator, lang="en")
    response = export(client, "?province=17")
    assert_download(response, "text/csv; charset=utf-8", "csv")
    rows = {int(row["Tip number"]): row for row in read_csv(response)}
    assert set(rows) == {tips["siem_reap"], tips["no_point"]}
    row = rows[tips["siem_reap"]]
    assert row["What they saw or heard"] == KHMER
    assert row["Names of the fallen"] == "Nguyễn Văn An"
    assert (row["Latitude"], row["Longitude"]) == ("13.361234", "103.861234")
    assert row["Village"] == "Prasat" and row["Province"] == "Siemreap"
    assert row["Description of the place"] == '\'=HYPERLINK("http://example.com/x","open")'
    assert row["Old or local name"] == "'@SUM(A1)"
    assert row["Unit"] == "'+E5" and row["When"] == "'-1979"
    assert rows[tips["no_point"]]["What they saw or heard"] == VIETNAMESE
    assert "Phone" not in row
    for secret in (PHONE, EMAIL, NAME):
        assert secret.encode() not in response.data

    (entry,) = audit_entries(app, "tips.exported")
    assert entry.actor_name == "moderator"
    assert entry.detail["format"] == "csv" and entry.detail["count"] == 2
    assert entry.detail["include_contact"] is False
    assert entry.detail["filters"]["province_code"] == "17"
    assert sorted(entry.detail["tip_ids"]) == sorted([tips["siem_reap"], tips["no_point"]])


def test_contact_details_come_only_when_ticked_and_the_choice_is_audited(app, client, moderator, tips):
    login(client, moderator, lang="en")
    response = export(client, "?province=17", include_contact="y")
    rows = {int(row["Tip number"]): row for row in read_csv(response)}
    assert rows[tips["siem_reap"]]["Phone"] == "'" + PHONE  # neutralised: it starts with +
    assert rows[tips["siem_reap"]]["Name"] == NAME
    assert rows[tips["no_point"]]["E-mail"] == EMAIL
    (entry,) = audit_entries(app, "tips.exported")
    assert entry.detail["include_contact"] is True
    assert PHONE not in json.dumps(entry.detail, ensure_ascii=False)
    assert EMAIL not in json.dumps(entry.detail, ensure_ascii=False)


def test_geojson_has_points_in_longitude_latitude_order_and_text_in_the_chosen_language(app, client, moderator,
                                                                                       tips):
    login(client, moderator, lang="en")
    response = export(client, "?province=17", format="geojson", language="km")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/geo+json"
    assert response.headers["Content-Disposition"].endswith('.geojson"')
    collection = json.loads(response.data)
    assert collection["type"] == "FeatureCollection"
    features = {feature["id"]: feature for feature in collection["features"]}
    point = features[tips["siem_reap"]]
    assert point["geometry"] == {"type": "Point", "coordinates": [103.861234, 13.361234]}
    assert point["properties"]["what_seen"] == KHMER
    assert point["properties"]["village"] == "ប្រាសាទ"
    assert point["properties"]["name"] == f"#{tips['siem_reap']} ប្រាសាទ"
    assert "contact_phone" not in point["properties"]
    assert features[tips["no_point"]]["geometry"] is None
    assert features[tips["no_point"]]["properties"]["what_seen"] == VIETNAMESE
    assert audit_entries(app, "tips.exported")[0].detail["format"] == "geojson"


def test_gpx_has_one_waypoint_per_located_tip_named_in_the_chosen_language(app, client, moderator, tips):
    login(client, moderator, lang="vi")
    response = export(client, "?province=17", lang="vi", format="gpx", language="vi")
    assert_download(response, "application/gpx+xml", "gpx")
    root = ET.fromstring(response.data)
    assert root.tag == f"{GPX}gpx" and root.get("version") == "1.1"
    (waypoint,) = root.findall(f"{GPX}wpt")
    assert (waypoint.get("lat"), waypoint.get("lon")) == ("13.361234", "103.861234")
    assert waypoint.findtext(f"{GPX}name") == f"#{tips['siem_reap']} Prasat"
    description = waypoint.findtext(f"{GPX}desc")
    assert KHMER in description and "Nguyễn Văn An" in description
    assert PHONE not in response.data.decode()


def test_gpx_escapes_markup_in_tipster_text(app, client, moderator):
    tip_id = make_tip(app, latitude=12.5, longitude=104.5, what_seen=XSS + " & <b>").tip_id
    login(client, moderator, lang="en")
    response = export(client, "", format="gpx", ids=str(tip_id))
    waypoint = ET.fromstring(response.data).find(f"{GPX}wpt")
    assert XSS + " & <b>" in waypoint.findtext(f"{GPX}desc")


def test_tip_numbers_choose_exactly_those_tips(app, client, moderator, tips):
    login(client, moderator, lang="en")
    response = export(client, "?province=17", ids=f"#{tips['kampong_cham']}, {tips['siem_reap']}")
    assert [int(row["Tip number"]) for row in read_csv(response)] == [tips["kampong_cham"], tips["siem_reap"]]
    assert audit_entries(app, "tips.exported")[0].detail["filters"]["ids"] == [tips["kampong_cham"],
                                                                              tips["siem_reap"]]


def test_tip_numbers_with_other_text_are_refused(app, client, moderator, tips):
    login(client, moderator, lang="en")
    response = export(client, "", ids="12; DROP TABLE tips")
    assert response.status_code == 400
    assert "Write only tip numbers" in response.text
    assert audit_entries(app, "tips.exported") == []


def test_an_export_is_capped_and_the_page_says_so(app, client, moderator, tips, monkeypatch):
    monkeypatch.setattr(export_views, "MAX_EXPORT", 2)
    login(client, moderator, lang="en")
    assert "More than 2 tips match" in client.get("/en/staff/exports").text
    rows = read_csv(export(client, ""))
    assert len(rows) == 2
    assert audit_entries(app, "tips.exported")[0].detail["capped"] is True


def test_the_queue_links_to_exports_with_its_filters(app, client, moderator, tips):
    login(client, moderator, lang="en")
    html = client.get("/en/staff/queue?province=17&status=new").text
    assert 'href="/en/staff/exports?province=17&amp;status=new"' in html
    page = client.get("/en/staff/exports?province=17&status=new").text
    assert "Tips matching the queue's filters: 2." in page
    assert geo.province("17").name_en in page


def field_sheet(client, tip_id: int, lang: str = "en", **data):
    """The field sheet as the tip page's button asks for it: a POST with the page's CSRF token."""
    tip_page = client.get(f"/{lang}/staff/tips/{tip_id}").text
    return client.post(f"/{lang}/staff/tips/{tip_id}/field-sheet", data={**data, **csrf_token(tip_page)})


def test_the_field_sheet_has_a_qr_code_of_the_coordinates_and_no_contact_details(app, client, moderator, tips):
    login(client, moderator, lang="en")
    tip_page = client.get(f"/en/staff/tips/{tips['siem_reap']}").text
    assert re.search(rf'<form method="post" action="/en/staff/tips/{tips["siem_reap"]}/field-sheet"', tip_page)
    response = field_sheet(client, tips["siem_reap"])
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    html = response.text
    assert "13.361234, 103.861234" in html and KHMER in html
    assert 'href="/static/css/print.css' in html
    qr = re.search(r'src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"', html)
    assert qr is not None and base64.b64decode(qr.group(1)).startswith(b"<svg")
    for secret in (PHONE, NAME):
        assert secret not in html
    (entry,) = audit_entries(app, "tip.exported")
    assert entry.tip_id == tips["siem_reap"]
    assert entry.detail == {"format": "sheets", "count": 1, "include_contact": False, "language": "en"}


def test_the_field_sheet_shows_contact_details_only_when_asked_and_audits_it(app, client, moderator, tips):
    login(client, moderator, lang="en")
    first = field_sheet(client, tips["siem_reap"])
    assert PHONE not in first.text
    response = client.post(f"/en/staff/tips/{tips['siem_reap']}/field-sheet",
                           data={"include_contact": "y", **csrf_token(first.text)})
    assert response.status_code == 200
    assert PHONE in response.text and NAME in response.text
    entries = audit_entries(app, "tip.exported")
    assert [e.detail["include_contact"] for e in entries] == [False, True]


def test_tipster_markup_is_inert_in_the_field_sheet(app, client, moderator):
    tip_id = make_tip(app, latitude=12.5, longitude=104.5, what_seen=XSS, fallen_names=XSS, local_name=XSS,
                      place_description=XSS).tip_id
    login(client, moderator, lang="en")
    html = field_sheet(client, tip_id).text
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_field_sheets_for_many_tips_in_the_chosen_language(app, client, moderator, tips):
    login(client, moderator, lang="en")
    response = export(client, "?province=17", format="sheets", language="km")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    html = response.text
    assert '<html lang="km">' in html
    assert html.count('class="field-sheet"') == 2
    assert KHMER in html and VIETNAMESE in html
    assert audit_entries(app, "tips.exported")[0].detail["format"] == "sheets"


@pytest.mark.parametrize(("lang", "message"), [("en", "Not a valid choice."), ("vi", "Lựa chọn không hợp lệ.")],
                         ids=["en", "vi"])
def test_an_unknown_format_is_refused_and_nothing_is_exported(app, client, moderator, tips, lang, message):
    login(client, moderator, lang=lang)
    response = export(client, "?province=17", lang=lang, format="pdf", language=lang)
    assert response.status_code == 400
    assert response.headers["Content-Type"].startswith("text/html")
    assert "Content-Disposition" not in response.headers
    assert message in response.text
    assert audit_entries(app, "tips.exported") == []
    with pytest.raises(exports.UnknownFormat):  # never a silent fallback to .html
        exports.export_format("pdf")


def test_every_format_is_offered_and_downloads_with_its_own_type_and_extension(app, client, moderator, tips):
    from portal import assets
    from portal.staff.export_forms import ExportForm

    login(client, moderator, lang="en")
    with app.test_request_context("/en/staff/exports"):
        offered = [(choice.value, str(choice.label)) for choice in ExportForm().format.iter_choices()]
    assert offered == [(fmt.key, str(fmt.label)) for fmt in exports.FORMATS.values()]
    for fmt in exports.FORMATS.values():
        assert exports.export_format(fmt.key) is fmt
        assert fmt.media_type.split(";")[0] in assets.COMPRESSIBLE, fmt.key
        response = export(client, "?province=17", format=fmt.key)
        if fmt.serialise is None:  # printed, not downloaded
            assert response.status_code == 200 and response.headers["Content-Type"] == fmt.media_type
            assert "Content-Disposition" not in response.headers
        else:
            assert_download(response, fmt.media_type, fmt.extension)
            assert response.headers["Content-Type"] == fmt.media_type
        assert audit_entries(app, "tips.exported")[-1].detail["format"] == fmt.key


def test_one_entry_in_the_registry_is_all_a_new_format_takes(app, client, moderator, tips, monkeypatch):
    def to_text(flat, locale, include_contact=False):
        return "\n".join(f"#{tip.id} {tip.place_name}" for tip in flat).encode("utf-8")

    text = exports.Format(key="txt", label="Plain text", extension="txt", media_type="text/plain; charset=utf-8",
                          serialise=to_text)
    monkeypatch.setitem(exports.FORMATS, text.key, text)
    login(client, moderator, lang="en")
    assert 'value="txt"' in client.get("/en/staff/exports").text
    response = export(client, "?province=17", format="txt")
    assert_download(response, "text/plain; charset=utf-8", "txt")
    assert f"#{tips['siem_reap']} " in response.text
    entry = audit_entries(app, "tips.exported")[0]
    assert entry.detail["format"] == "txt" and entry.subject == "export:txt"


@pytest.mark.parametrize("path", ["/en/staff/exports", "/en/staff/tips/{tip}/field-sheet"])
def test_exports_are_for_moderators_and_admins_only(app, tips, path):
    url = path.format(tip=tips["siem_reap"])
    anonymous = app.test_client().get(url)
    assert anonymous.status_code == 302 and "/staff/login" in anonymous.location
    for role, status in (("editor", 403), ("moderator", 200), ("admin", 200)):
        client = app.test_client()
        login(client, create_staff(app, role), lang="en")
        assert client.get(url).status_code == status, role
    assert audit_entries(app, "tip.exported") == []  # opening a page exports nothing


def test_an_export_post_without_a_csrf_token_is_not_acted_on(csrf_app, tips_csrf):
    client = csrf_app.test_client()
    login(client, create_staff(csrf_app, "moderator"), lang="en")
    response = client.post("/en/staff/exports", data={"format": "csv", "language": "en", "include_contact": "y"})
    assert response.status_code == 400
    assert response.headers["Content-Type"].startswith("text/html")
    assert "Content-Disposition" not in response.headers
    response = client.post(f"/en/staff/tips/{tips_csrf}/field-sheet", data={"include_contact": "y"})
    assert response.status_code == 400 and PHONE not in response.text
    assert audit_entries(csrf_app, "tips.exported") == []
    assert audit_entries(csrf_app, "tip.exported") == []


@pytest.fixture
def tips_csrf(csrf_app) -> int:
    return make_tip(csrf_app, latitude=12.5, longitude=104.5, contact_phone=PHONE, consent=True).tip_id


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_every_formula_start_is_neutralised(start):
    assert exports.neutralise(start + "1+1") == "'" + start + "1+1"
    assert exports.neutralise("1" + start) == "1" + start


# -- issue #13, item 14: every export in each tip's history; a link cannot forge one ----------------


def test_a_bulk_export_with_contact_details_is_in_each_tips_history(app, client, moderator, admin, tips):
    login(client, moderator, lang="en")
    export(client, "?province=17", include_contact="y")
    (summary,) = audit_entries(app, "tips.exported")
    per_tip = audit_entries(app, "tip.exported")
    assert sorted(e.tip_id for e in per_tip) == sorted([tips["siem_reap"], tips["no_point"]])
    for entry in per_tip:
        assert entry.actor_name == "moderator" and entry.subject == f"tip:{entry.tip_id}"
        assert entry.detail["include_contact"] is True and entry.detail["format"] == "csv"
        assert entry.detail["export"] == summary.id
        assert PHONE not in json.dumps(entry.detail, ensure_ascii=False)
    admin_client = app.test_client()
    login(admin_client, admin, lang="en")
    found = admin_client.get(f"/en/staff/audit?q=%23{tips['no_point']}").text
    assert "tip.exported" in found
    history = client.get(f"/en/staff/tips/{tips['siem_reap']}").text
    assert "tip.exported" in history


def test_an_export_without_contact_details_writes_one_row(app, client, moderator, tips):
    login(client, moderator, lang="en")
    export(client, "?province=17")
    assert len(audit_entries(app, "tips.exported")) == 1
    assert audit_entries(app, "tip.exported") == []


def test_opening_a_field_sheet_link_shows_and_audits_nothing_until_the_button_is_pressed(app, client, moderator,
                                                                                         tips):
    login(client, moderator, lang="en")
    url = f"/en/staff/tips/{tips['siem_reap']}/field-sheet"
    page = client.get(url)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert audit_entries(app, "tip.exported") == []
    assert KHMER not in page.text and "13.361234" not in page.text and 'class="field-sheet"' not in page.text
    assert re.search(rf'<form method="post" action="{url}"', page.text)
    response = client.post(url, data=csrf_token(page.text))
    assert response.status_code == 200 and KHMER in response.text
    assert [e.detail["include_contact"] for e in audit_entries(app, "tip.exported")] == [False]


def test_a_forged_field_sheet_post_is_refused_and_audits_nothing(csrf_app, tips_csrf):
    client = csrf_app.test_client()
    login(client, create_staff(csrf_app, "moderator"), lang="en")
    url = f"/en/staff/tips/{tips_csrf}/field-sheet"
    assert client.get(url).status_code == 200
    assert client.post(url, data={}).status_code == 400
    assert audit_entries(csrf_app, "tip.exported") == []
    response = client.post(url, data=csrf_token(client.get(url).text))
    assert response.status_code == 200 and 'class="field-sheet"' in response.text
    assert len(audit_entries(csrf_app, "tip.exported")) == 1


FINER_THAN_A_DAY = re.compile(r"\d{1,2}:\d{2}")


def test_exports_show_no_time_finer_than_the_day_a_tip_came(app, client, moderator, tips):
    login(client, moderator, lang="en")
    for fmt in ("csv", "geojson"):
        body = export(client, "?province=17", format=fmt, include_contact="y").data.decode("utf-8-sig")
        assert not FINER_THAN_A_DAY.search(body), fmt
    features = json.loads(export(client, "?province=17", format="geojson").data)["features"]
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", f["properties"]["received"]) for f in features)
