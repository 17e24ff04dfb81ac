"""The tip form: complete without JavaScript, in three languages, and nothing typed is ever lost."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import selectinload

from portal.db import new_session
from portal.geo import CoordinatesError, parse_coordinates
from portal.logfilters import LimiterTipFilter, WerkzeugTipFilter
from portal.models.tip import HowKnown, LocationSource, Tip, TipChannel, TipPhoto, TipStatus
from portal.services import receipts
from portal.tips import views as tip_views
from tests.conftest import make_app
from tests.gunicorn_server import multipart
from tests.staff_fixtures import login
from tests.test_uploads import APP1, APP2, jpeg_markers, jpeg_with_metadata, plain_jpeg, png_bytes
from tests.tip_helpers import full_form, page, photo_file, send_tip_with_photos, short_form, translated

RECEIPT = re.compile(r"^[2-9A-HJKMNP-Z]{4}(-[2-9A-HJKMNP-Z]{4}){3}$")


def tips_in(app):
    with app.app_context():
        session = new_session()
        try:
            return list(session.scalars(select(Tip).order_by(Tip.id).options(selectinload(Tip.photos))))
        finally:
            session.close()


def count_tips(app) -> int:
    with app.app_context():
        session = new_session()
        try:
            return session.scalar(select(func.count(Tip.id))) or 0
        finally:
            session.close()


# -- the empty form ----------------------------------------------------------------------------

@pytest.mark.parametrize(("lang", "province_name"), [
    ("vi", "Kông Pông Chàm"), ("km", "កំពង់ចាម"), ("en", "Kampong Cham"),
])
def test_the_form_opens_in_each_language_with_province_names_in_that_language(client, lang, province_name):
    response = client.get(f"/{lang}/tips/new")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    html = page(response)
    assert html.by_id("province") is not None
    assert province_name in html.html
    assert f'<html lang="{lang}">' in html.html
    # Only the province is offered at first: never a select of every village.
    assert html.by_id("district").get("name") == "district"
    assert len(html.options("province")) == 26
    assert html.options("village") == [""]
    form = html.by_id("tip-form")
    assert form.get("method") == "post"
    assert form.get("enctype") == "multipart/form-data"


@pytest.mark.parametrize("url", ["/km/tips/new", "/vi/staff/tips/new"])
def test_the_tipster_can_choose_the_language_we_write_to_them_in(client, moderator, url):
    """The select had lost its options (an assignment left after a return): nobody could choose."""
    if "/staff/" in url:
        login(client, moderator, lang="vi")
    html = page(client.get(url))
    assert html.options("contact_language") == ["", "vi", "km", "en"]


def test_every_field_has_a_label_and_a_length_limit(client):
    html = page(client.get("/en/tips/new"))
    fields = [e for e in html.elements if e.tag in ("input", "textarea", "select")
              and e.get("type") not in ("hidden", "submit")]
    labels = {e.get("for") for e in html.all("label")}
    for element in fields:
        assert element.get("id") in labels, f"{element.get('name')} has no <label for>"
        if element.tag in ("textarea",) or element.get("type") in ("text", "email", "tel"):
            assert element.get("maxlength"), f"{element.get('name')} has no maxlength"


def test_each_form_gets_its_own_submission_key(client):
    first = page(client.get("/en/tips/new")).field_value("submission_id")
    second = page(client.get("/en/tips/new")).field_value("submission_id")
    assert first
    assert second
    assert first != second


def test_optional_sections_are_closed_until_they_hold_something(client):
    html = page(client.get("/en/tips/new"))
    assert all("open" not in d.attrs for d in html.all("details"))


# -- choosing the place step by step, without JavaScript ----------------------------------------

def test_next_shows_the_districts_of_the_chosen_province_and_keeps_everything_typed(client, app):
    typed = short_form(province="03", what_seen="Ba nấm mộ sau chùa", period="1979",
                       contact_name="Trần Thị B", action="place")
    response = client.post("/vi/tips/new", data=typed)
    assert response.status_code == 200
    html = page(response)
    districts = html.options("district")
    assert "0305" in districts
    assert all(code.startswith("03") for code in districts if code)
    assert "autofocus" in html.by_id("district").attrs
    assert html.field_value("what_seen") == "Ba nấm mộ sau chùa"
    assert html.field_value("period") == "1979"
    assert html.field_value("contact_name") == "Trần Thị B"
    assert html.by_id("error-summary") is None
    assert count_tips(app) == 0


def test_stepping_down_to_the_village(client):
    data = short_form(province="03", action="place")
    html = page(client.post("/km/tips/new", data=data))
    assert "0305" in html.options("district")
    html = page(client.post("/km/tips/new", data={**data, "district": "0305"}))
    assert "030501" in html.options("commune")
    html = page(client.post("/km/tips/new", data={**data, "district": "0305", "commune": "030501"}))
    villages = html.options("village")
    assert "03050101" in villages
    assert len(villages) < 40
    assert "បឹងកុកទី" in html.html  # village names in Khmer on the Khmer page


def test_changing_the_province_drops_a_district_that_no_longer_fits(client):
    html = page(client.post("/en/tips/new", data=short_form(province="17", district="0305", action="place")))
    assert html.field_value("district") == ""
    assert "0305" not in html.options("district")


def test_the_report_form_sends_words_only_and_says_photos_follow(client, app):
    """A large photo on a slow link must never hold the written report back (issue #14)."""
    html = page(client.get("/en/tips/new"))
    assert html.all("input", type="file") == []
    assert "right after you send your report" in html.by_id("photos-after").text
    # An old page that still sends a photo with the report: the words are stored, the photo ignored.
    data = {**short_form(), "photos": [photo_file(plain_jpeg())]}
    response = client.post("/en/tips/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 201
    [tip] = tips_in(app)
    assert tip.photos == []
    assert page(response).by_id("photo-form") is not None


def test_the_places_endpoint_gives_children_in_the_page_language(client):
    response = client.get("/vi/tips/places/03")
    assert response.status_code == 200
    assert "max-age" in response.headers["Cache-Control"]
    data = response.get_json()
    assert data["level"] == "district"
    assert {"code": "0305", "name": "Kampong Cham"} in data["places"]
    khmer = client.get("/km/tips/places/030501").get_json()
    assert khmer["level"] == "village"
    assert any(place["name"].startswith("បឹងកុក") for place in khmer["places"])
    assert client.get("/en/tips/places/99").status_code == 404
    assert client.get("/en/tips/places/03050101").status_code == 404
    assert client.get("/en/tips/places/abc").status_code == 404


# -- a full submission in each language ---------------------------------------------------------

@pytest.mark.parametrize("lang", ["vi", "km", "en"])
def test_a_full_submission_is_stored_and_acknowledged_with_a_receipt(client, app, lang):
    data = full_form(lang)
    response = client.post(f"/{lang}/tips/new", data=data)

    assert response.status_code == 201
    assert response.headers["Cache-Control"] == "no-store"
    html = page(response)
    assert f'<html lang="{lang}">' in html.html
    code = html.by_id("receipt-code").text.strip()
    assert RECEIPT.match(code), code
    assert code not in response.headers.get("Location", "")

    [tip] = tips_in(app)
    assert tip.receipt_hash == receipts.receipt_hash(code, app.config["RECEIPT_KEY"])
    assert tip.status == TipStatus.NEW
    assert tip.channel == TipChannel.WEB
    assert tip.language == lang
    assert (tip.province_code, tip.district_code, tip.commune_code, tip.village_code) == \
        ("03", "0305", "030501", "03050101")
    assert tip.what_seen == data["what_seen"]
    assert tip.place_description == data["place_description"]
    assert tip.local_name == data["local_name"]
    assert (tip.latitude, tip.longitude, tip.uncertainty_m) == (12.05, 105.45, 200)
    assert tip.location_source == LocationSource.TYPED
    assert tip.how_known == HowKnown.TOLD
    assert tip.period == data["period"]
    assert tip.estimated_graves == 3
    assert tip.fallen_names == data["fallen_names"]
    assert tip.contact_name == data["contact_name"]
    assert tip.contact_phone == "+855 12 345 678"
    assert tip.contact_email == "tipster@example.org"
    assert tip.contact_messaging == "@tipster"
    assert tip.contact_language == lang
    assert tip.on_behalf
    assert tip.on_behalf_relationship == data["on_behalf_relationship"]
    assert tip.consent
    assert not tip.anonymous
    assert tip.created_at.tzinfo is not None
    # Folded for search, with the place's names in every language; no contact details.
    assert "kong pong cham" in tip.search_text
    assert "កំពង់ចាម" in tip.search_text
    assert "tipster@example.org" not in tip.search_text


def test_the_least_a_tipster_must_give_is_enough(client, app):
    response = client.post("/km/tips/new", data=short_form())
    assert response.status_code == 201
    [tip] = tips_in(app)
    assert tip.contact_name is None
    assert tip.latitude is None
    assert tip.photos == []


def test_a_description_alone_says_where(client, app):
    response = client.post("/en/tips/new", data=short_form(province="", place_description="By the river"))
    assert response.status_code == 201


def test_the_receipt_page_gives_advice_and_the_way_back(client):
    html = page(client.post("/en/tips/new", data=short_form()))
    assert html.by_id("copy-receipt") is not None
    assert html.by_id("print-receipt") is not None
    assert html.by_id("receipt-actions").get("hidden") == ""  # shown by JavaScript only
    assert "/en/tips/status" in html.text
    card = html.with_class("receipt-card")
    assert card, "a printable receipt card"


def test_staying_anonymous_stores_no_contact(client, app):
    response = client.post("/en/tips/new", data=short_form(anonymous="y"))
    assert response.status_code == 201
    [tip] = tips_in(app)
    assert tip.anonymous
    assert tip.contact_name is None
    assert tip.contact_language is None


# -- the same form sent twice ------------------------------------------------------------------

def test_a_double_post_creates_one_tip(client, app):
    data = full_form("vi")
    first = client.post("/vi/tips/new", data=data)
    second = client.post("/vi/tips/new", data=data)
    assert first.status_code == 201
    assert second.status_code == 200
    # The tipster whose first answer never arrived (a broken connection) still gets the same code.
    assert page(second).by_id("receipt-code").text == page(first).by_id("receipt-code").text
    assert "receipt-page" in second.get_data(as_text=True)  # the "already received" page
    assert second.headers["Cache-Control"] == "no-store"
    assert count_tips(app) == 1


def test_the_database_keeps_neither_the_receipt_nor_the_submission_id(client, app):
    data = full_form("en")
    code = page(client.post("/en/tips/new", data=data)).by_id("receipt-code").text.strip()
    session = app.extensions["portal.sessionmaker"]()
    stored = session.execute(text("SELECT receipt_hash, idempotency_key FROM tips")).one()
    session.close()
    assert data["submission_id"] not in stored
    assert code.replace("-", "") not in "".join(stored)


def test_a_form_without_a_submission_key_still_works(client, app):
    response = client.post("/en/tips/new", data=short_form(submission_id=""))
    assert response.status_code == 201


# -- every validation error beside its field, nothing lost --------------------------------------

ERROR_CASES = [
    ("what_seen", {"what_seen": ""}),
    ("what_seen", {"what_seen": "x" * 4001}),
    ("place_description", {"province": "", "district": "", "commune": "", "village": "",
                           "place_description": "", "coordinates": ""}),
    ("place_description", {"place_description": "x" * 2001}),
    ("local_name", {"local_name": "x" * 201}),
    ("coordinates", {"coordinates": "somewhere near the river"}),
    ("coordinates", {"coordinates": "21.03, 105.85"}),
    ("uncertainty", {"uncertainty": "7"}),
    ("how_known", {"how_known": "guessed"}),
    ("period", {"period": "x" * 201}),
    ("estimated_graves", {"estimated_graves": "many"}),
    ("estimated_graves", {"estimated_graves": "3 or 4"}),
    ("fallen_names", {"fallen_names": "x" * 2001}),
    ("fallen_unit", {"fallen_unit": "x" * 301}),
    ("fallen_hometown", {"fallen_hometown": "x" * 301}),
    ("contact_name", {"contact_name": "x" * 201}),
    ("contact_phone", {"contact_phone": "call me"}),
    ("contact_email", {"contact_email": "not-an-address"}),
    ("contact_messaging", {"contact_messaging": "x" * 201}),
    ("contact_language", {"contact_language": "fr"}),
    ("on_behalf_relationship", {"on_behalf_relationship": "x" * 201}),
    ("anonymous", {"anonymous": "y"}),
    ("consent", {"consent": None}),
    ("province", {"province": "99", "district": "", "commune": "", "village": ""}),
]


@pytest.mark.parametrize(("field_id", "overrides"), ERROR_CASES,
                         ids=[f"{f}-{i}" for i, (f, _o) in enumerate(ERROR_CASES)])
@pytest.mark.parametrize("lang", ["km"])
def test_each_error_is_shown_beside_its_field_and_everything_typed_is_kept(client, app, lang, field_id,
                                                                          overrides):
    data = full_form(lang, **overrides)
    response = client.post(f"/{lang}/tips/new", data=data)
    assert response.status_code == 422
    assert response.headers["Cache-Control"] == "no-store"
    html = page(response)
    assert html.error_for(field_id)
    summary = html.by_id("error-summary")
    assert summary is not None
    assert f'href="#{field_id}"' in html.html
    assert html.field_value("submission_id") == data["submission_id"]
    for name in ("what_seen", "place_description", "period", "contact_name", "fallen_names"):
        if name not in overrides:
            assert html.field_value(name) == data[name], name
    assert count_tips(app) == 0


def test_an_error_opens_the_section_it_is_in(client):
    html = page(client.post("/en/tips/new", data=short_form(estimated_graves="many")))
    opened = [d for d in html.all("details") if "open" in d.attrs]
    assert opened, "the section with the error is open"
    assert "estimated_graves" in html.html


def test_error_messages_are_translated(client, app):
    html = page(client.post("/vi/tips/new", data=short_form(what_seen="")))
    from portal.tips.forms import TipForm

    expected = translated(app, "vi", TipForm.what_seen.kwargs["validators"][0].message)
    assert html.error_for("what_seen") == expected


def test_khmer_digits_count_as_numbers(client, app):
    response = client.post("/km/tips/new", data=short_form(estimated_graves="ប្រហែល ១២",
                                                           coordinates="១២.៥, ១០៤.៩"))
    assert response.status_code == 201
    [tip] = tips_in(app)
    assert tip.estimated_graves == 12
    assert (tip.latitude, tip.longitude) == (12.5, 104.9)


# -- the honeypot ------------------------------------------------------------------------------

def test_the_honeypot_stores_nothing_and_shows_the_form_again(client, app):
    data = short_form(website="http://spam.example", what_seen="Ba nấm mộ")
    response = client.post("/vi/tips/new", data=data)
    assert response.status_code == 422
    html = page(response)
    assert html.field_value("what_seen") == "Ba nấm mộ"
    assert html.field_value("website") == ""
    assert html.by_id("form-notice") is not None
    assert count_tips(app) == 0
    honeypot = html.by_id("website")
    assert honeypot.get("tabindex") == "-1"


# -- CSRF ----------------------------------------------------------------------------------------

def test_a_post_without_a_csrf_token_is_not_acted_on_and_loses_nothing(csrf_app):
    client = csrf_app.test_client()
    response = client.post("/km/tips/new", data=short_form(what_seen="ផ្នូរបី"))
    assert response.status_code == 422
    html = page(response)
    assert html.by_id("csrf-error") is not None
    assert html.field_value("what_seen") == "ផ្នូរបី"
    assert count_tips(csrf_app) == 0
    token = html.field_value("csrf_token")
    assert token
    again = client.post("/km/tips/new", data={**short_form(what_seen="ផ្នូរបី"), "csrf_token": token})
    assert again.status_code == 201
    assert count_tips(csrf_app) == 1


# -- the rate limit ----------------------------------------------------------------------------

@pytest.fixture
def limited_app(database_url, tmp_path):
    app = make_app(database_url, tmp_path, RATELIMIT_ENABLED=True, TIP_RATE_LIMIT="1/hour",
                   RECEIPT_RATE_LIMIT="2/hour")
    yield app
    app.extensions["portal.engine"].dispose()


def test_the_rate_limit_shows_the_form_again_translated_with_everything_typed(limited_app):
    client = limited_app.test_client()
    assert client.post("/vi/tips/new", data=short_form(submission_id="first-submission-0001")).status_code == 201

    second = full_form("vi", submission_id="second-submission-0002")
    response = client.post("/vi/tips/new", data=second)

    assert response.status_code == 429
    assert response.headers["Cache-Control"] == "no-store"
    html = page(response)
    assert '<html lang="vi">' in html.html
    notice = html.by_id("form-notice").text.strip()
    assert notice == translated(limited_app, "vi", tip_views.RATE_LIMITED)
    for name in ("what_seen", "place_description", "period", "contact_name", "province", "district"):
        assert html.field_value(name) == second[name], name
    assert html.field_value("submission_id") == "second-submission-0002"
    assert count_tips(limited_app) == 1


def test_choosing_the_place_and_fixing_mistakes_do_not_use_up_the_limit(limited_app):
    client = limited_app.test_client()
    assert client.post("/en/tips/new", data=short_form(action="place")).status_code == 200
    assert client.post("/en/tips/new", data=short_form(action="place", district="1702")).status_code == 200
    assert client.post("/en/tips/new", data=short_form(what_seen="")).status_code == 422
    assert client.post("/en/tips/new", data=short_form()).status_code == 201
    assert client.post("/en/tips/new", data=short_form(action="place")).status_code == 200


def test_the_rate_limit_counts_by_a_hash_of_the_address_not_the_address(limited_app):
    with limited_app.test_request_context("/en/tips/new", environ_base={"REMOTE_ADDR": "203.0.113.9"}):
        key = tip_views.client_key()
    assert "203.0.113.9" not in key
    assert len(key) == 32


# -- photos through the form -------------------------------------------------------------------

def test_a_photo_is_stored_clean_and_its_location_fills_the_report_when_asked(client, app):
    receipt, [response] = send_tip_with_photos(client, short_form(), [(jpeg_with_metadata(), "IMG_0001.JPG",
                                                                       "image/jpeg")], use_photo_location="y")
    assert receipt.status_code == 201
    assert response.status_code == 201
    assert "location stored in your photo was added" in response.get_data(as_text=True)
    [tip] = tips_in(app)
    assert tip.location_source == LocationSource.PHOTO
    assert tip.latitude == pytest.approx(11.55650, abs=1e-4)
    assert tip.longitude == pytest.approx(104.92806, abs=1e-4)
    with app.app_context():
        session = new_session()
        stored = session.scalars(select(TipPhoto.data)).one()
        session.close()
    markers = jpeg_markers(stored)
    assert APP1 not in markers
    assert APP2 not in markers


def test_typed_coordinates_win_over_the_photo(client, app):
    data = {**short_form(use_photo_location="y", coordinates="13.1, 103.2"),
            "photos": [photo_file(jpeg_with_metadata())]}
    assert client.post("/en/tips/new", data=data, content_type="multipart/form-data").status_code == 201
    [tip] = tips_in(app)
    assert (tip.latitude, tip.longitude, tip.location_source) == (13.1, 103.2, LocationSource.TYPED)


def test_a_png_named_jpg_is_accepted_as_the_png_it_is(client, app):
    _receipt, [answer] = send_tip_with_photos(client, short_form(), [(png_bytes("RGBA"), "holiday.jpg", "image/jpeg")])
    assert answer.status_code == 201
    [tip] = tips_in(app)
    [photo] = tip.photos
    assert photo.mime_type == "image/png"
    with app.app_context():
        session = new_session()
        stored = session.scalars(select(TipPhoto.data)).one()
        session.close()
    assert stored.startswith(b"\x89PNG")


@pytest.mark.parametrize(("name", "content"), [
    ("drawing.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
    ("page.jpg", b"<!doctype html><script>alert(1)</script>"),
])
def test_a_refused_photo_is_named_and_costs_neither_the_report_nor_the_other_photos(client, app, name, content):
    receipt, (good, refused) = send_tip_with_photos(
        client, full_form("en"), [(plain_jpeg(), "good.jpg", "image/jpeg"), (content, name, "image/jpeg")])
    assert receipt.status_code == 201 and good.status_code == 201
    assert refused.status_code == 400
    html = page(refused)
    error = html.error_for("photo")
    assert name in error
    assert "good.jpg" not in error
    assert html.by_id("photo-form") is not None  # try again, or another photo
    [tip] = tips_in(app)
    assert tip.what_seen == full_form("en")["what_seen"]
    assert len(tip.photos) == 1


def test_more_than_five_photos_are_refused(client, app):
    photos = [(plain_jpeg(color=(10 * i, 40, 90)), f"p{i}.jpg", "image/jpeg") for i in range(6)]
    _receipt, answers = send_tip_with_photos(client, short_form(), photos)
    assert [a.status_code for a in answers] == [201] * 5 + [400]
    assert "already has 5 photos" in page(answers[-1]).by_id("photo-notice").text
    assert page(answers[4]).by_id("photo-form") is None  # the fifth page offers no more
    [tip] = tips_in(app)
    assert len(tip.photos) == 5


def test_an_oversized_request_gets_a_page_that_explains_what_to_do(database_url, tmp_path):
    app = make_app(database_url, tmp_path, MAX_PHOTO_MB=1)
    client = app.test_client()
    body, content_type = multipart(list(short_form().items()), [("photos", "big.jpg", b"x" * 3 * 2**20, "image/jpeg")])
    response = client.post("/en/tips/new", data=body, content_type=content_type)
    assert response.status_code == 413  # refused from its length: a report is words
    assert "Back" in response.get_data(as_text=True)
    assert count_tips(app) == 0
    receipt = client.post("/en/tips/new", data=short_form())
    form = page(receipt)
    body, content_type = multipart([("followup", form.field_value("followup") or "")],
                                   [("photo", "big.jpg", b"x" * (2 * 2**20 + 10), "image/jpeg")])
    response = client.post("/en/tips/photos", data=body, content_type=content_type)
    assert response.status_code == 413
    assert "Your report and the photos sent before are safe" in response.get_data(as_text=True)
    assert count_tips(app) == 1
    app.extensions["portal.engine"].dispose()


# -- privacy: no address, no plain receipt ------------------------------------------------------

def _database_bytes(app) -> bytes:
    path = Path(app.config["DATABASE_URL"].removeprefix("sqlite:///"))
    data = path.read_bytes()
    wal = path.with_name(path.name + "-wal")
    if wal.exists():
        data += wal.read_bytes()
    return data


def test_the_plain_receipt_is_absent_from_the_sqlite_file_and_its_wal(client, app):
    if not app.config["DATABASE_URL"].startswith("sqlite"):
        pytest.skip("reads the SQLite files")
    response = client.post("/en/tips/new", data=full_form("en"),
                           environ_base={"REMOTE_ADDR": "203.0.113.77"})
    code = page(response).by_id("receipt-code").text.strip()
    [tip] = tips_in(app)

    stored = _database_bytes(app)
    assert tip.receipt_hash.encode() in stored, "the files read are the ones holding the tip"
    for form in (code, code.replace("-", ""), code.lower(), code.replace("-", "").lower()):
        assert form.encode() not in stored
        assert form.encode("utf-16-le") not in stored
    assert b"203.0.113.77" not in stored


def test_no_client_address_is_logged_for_tip_urls():
    werkzeug_record = logging.LogRecord("werkzeug", logging.INFO, __file__, 1,
                                        '203.0.113.5 - - [01/Jan/2026 10:00:00] "%s" %s %s',
                                        ("POST /km/tips/new HTTP/1.1", "201", "-"), None)
    WerkzeugTipFilter().filter(werkzeug_record)
    assert "203.0.113.5" not in werkzeug_record.getMessage()
    other = logging.LogRecord("werkzeug", logging.INFO, __file__, 1,
                              '203.0.113.5 - - [01/Jan/2026 10:00:00] "%s" %s %s',
                              ("GET /km/ HTTP/1.1", "200", "-"), None)
    WerkzeugTipFilter().filter(other)
    assert "203.0.113.5" in other.getMessage()
    limiter_record = logging.LogRecord("flask-limiter", logging.INFO, __file__, 1,
                                       "ratelimit %s (%s) exceeded at endpoint: %s",
                                       ("1 per 1 hour", "203.0.113.5", "tips.new:submit"), None)
    LimiterTipFilter().filter(limiter_record)
    assert "203.0.113.5" not in limiter_record.getMessage()


def test_the_log_filters_are_installed_with_the_app(app):
    assert any(isinstance(f, WerkzeugTipFilter) for f in logging.getLogger("werkzeug").filters)
    assert any(isinstance(f, LimiterTipFilter) for f in logging.getLogger("flask-limiter").filters)


def test_the_app_logs_no_address_when_a_tip_is_rate_limited(limited_app, caplog):
    client = limited_app.test_client()
    with caplog.at_level(logging.INFO):
        client.post("/en/tips/new", data=short_form(submission_id="first-submission-0001"),
                    environ_base={"REMOTE_ADDR": "198.51.100.23"})
        client.post("/en/tips/new", data=short_form(submission_id="second-submission-0002"),
                    environ_base={"REMOTE_ADDR": "198.51.100.23"})
    assert "198.51.100.23" not in caplog.text


def test_the_privacy_page_says_what_is_kept_who_sees_it_and_for_how_long(client, app):
    response = client.get("/en/privacy")
    text = page(response).text
    assert "internet address" in text
    assert str(app.config["RETENTION_DAYS"]) in text.replace(",", "")
    assert "anonymous" in text
    assert page(client.get("/km/privacy")).by_id("anonymous") is not None


# -- coordinates, decimal and degrees-minutes-seconds -------------------------------------------

@pytest.mark.parametrize(("typed", "expected"), [
    ("11.5564, 104.9282", (11.5564, 104.9282)),
    ("11.5564 104.9282", (11.5564, 104.9282)),
    ("11.5564;104.9282", (11.5564, 104.9282)),
    ("104.9282, 11.5564", (11.5564, 104.9282)),
    ("11,5564 104,9282", (11.5564, 104.9282)),
    ("11°33'23\"N 104°55'41\"E", (11.556389, 104.928056)),
    ("11° 33′ 23″ N, 104° 55′ 41″ E", (11.556389, 104.928056)),
    ("N 11°33.383' E 104°55.683'", (11.556383, 104.92805)),
    ("104°55'41\"E 11°33'23\"N", (11.556389, 104.928056)),
    ("11 33 23 104 55 41", (11.556389, 104.928056)),
    ("១១.៥៥៦៤, ១០៤.៩២៨២", (11.5564, 104.9282)),
    ("11°33'23''N 104°55'41''E", (11.556389, 104.928056)),
])
def test_coordinates_are_read_in_every_common_form(typed, expected):
    latitude, longitude = parse_coordinates(typed)
    assert latitude == pytest.approx(expected[0], abs=1e-5)
    assert longitude == pytest.approx(expected[1], abs=1e-5)


@pytest.mark.parametrize(("typed", "reason"), [
    ("near the pagoda", "unreadable"),
    ("11.5", "unreadable"),
    ("11°75'00\"N 104°55'41\"E", "unreadable"),
    ("21.0285, 105.8542", "outside"),      # Hà Nội
    ("11°33'23\"S 104°55'41\"E", "outside"),
    ("0, 0", "outside"),
])
def test_unreadable_or_faraway_coordinates_are_refused(typed, reason):
    with pytest.raises(CoordinatesError) as caught:
        parse_coordinates(typed)
    assert caught.value.reason == reason


# -- times that cannot be matched to an access-log line (issue #13, item 15) ---------------------


def _on_the_hour(moment) -> bool:
    return moment.minute == 0 and moment.second == 0 and moment.microsecond == 0


def test_tipster_side_times_are_stored_to_the_hour(app, client):
    from portal.models.audit import AuditEntry
    from portal.models.tip import TipMessage
    from portal.services.tips import add_followup
    from tests.tip_factory import make_tip, photo

    response = client.post("/en/tips/new", data=full_form("en"))
    assert response.status_code == 201
    [tip] = tips_in(app)
    assert _on_the_hour(tip.created_at) and _on_the_hour(tip.updated_at) and _on_the_hour(tip.status_changed_at)
    pictured = make_tip(app, photos=1).tip_id
    with app.app_context():
        session = new_session()
        try:
            add_followup(session, pictured, "One more thing: the mound is by the well", [photo("navy")])
            photos = session.scalars(select(TipPhoto).where(TipPhoto.tip_id == pictured)).all()
            assert len(photos) == 2 and all(_on_the_hour(p.created_at) for p in photos)
            [reply] = session.scalars(select(TipMessage).where(TipMessage.tip_id == pictured)).all()
            assert _on_the_hour(reply.created_at)
            assert _on_the_hour(session.get(Tip, pictured).updated_at)
            tipster_rows = session.scalars(select(AuditEntry).where(
                AuditEntry.action.in_(("tip.received", "tip.followup")))).all()
            assert len(tipster_rows) == 3 and all(_on_the_hour(e.created_at) for e in tipster_rows)
        finally:
            session.close()


def _gunicorn_access_lines(tmp_path: Path, method: str, path: str) -> str:
    """What gunicorn writes for one request with the access-log format of scripts/run-site."""
    import datetime as dt
    import shlex
    from types import SimpleNamespace

    from gunicorn.config import Config
    from gunicorn.glogging import Logger

    command = (Path(__file__).parent.parent / "scripts" / "run-site").read_text(encoding="utf-8")
    words = shlex.split(command.split("exec ", 1)[1].replace("\\\n", " "))
    log_format = words[words.index("--access-logformat") + 1]
    assert "%(h)s" not in log_format
    log_file = tmp_path / f"access-{method}-{path.replace('/', '_')}.log"
    config = Config()
    config.set("accesslog", str(log_file))
    config.set("access_log_format", log_format)
    logger = Logger(config)
    environ = {"REQUEST_METHOD": method, "RAW_URI": path, "PATH_INFO": path, "QUERY_STRING": "",
               "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "203.0.113.9"}
    response = SimpleNamespace(status="201 CREATED", sent=120, headers=[])
    logger.access(response, SimpleNamespace(headers=[]), environ, dt.timedelta(milliseconds=12))
    for handler in logger.access_log.handlers:
        handler.flush()
    text = log_file.read_text(encoding="utf-8") if log_file.exists() else ""
    for handler in list(logger.access_log.handlers):
        handler.close()
        logger.access_log.removeHandler(handler)
    return text


@pytest.mark.parametrize("path", ["/km/tips/new", "/vi/tips/status", "/en/tips/new"])
def test_gunicorn_writes_no_access_line_for_a_tip_post(app, tmp_path, path):
    """The time of a ``POST /…/tips/…`` line would match the tip's stored time (issue #13)."""
    assert _gunicorn_access_lines(tmp_path, "POST", path) == ""
    written = _gunicorn_access_lines(tmp_path, "GET", path)
    assert f'"GET {path} HTTP/1.1" 201' in written and "203.0.113.9" not in written
    assert '"GET /km/ HTTP/1.1"' in _gunicorn_access_lines(tmp_path, "GET", "/km/")
    assert '"POST /km/staff/login HTTP/1.1"' in _gunicorn_access_lines(tmp_path, "POST", "/km/staff/login")


def test_no_log_holds_a_staff_set_up_token(app, tmp_path):
    """A set-up link read from an access log before its owner opened it would give away the account."""
    token = "Zx9-secret_set-up_token_42"
    written = _gunicorn_access_lines(tmp_path, "GET", f"/vi/staff/setup/{token}")
    assert '"GET /vi/staff/setup/… HTTP/1.1" 201' in written
    assert token not in written
    import logging

    from portal.logfilters import WerkzeugTipFilter

    record = logging.LogRecord("werkzeug", logging.INFO, __file__, 1, '%s - - "%s" %s %s',
                               ("127.0.0.1", f"GET /km/staff/setup/{token} HTTP/1.1", "302", "-"), None)
    record.args = (f"GET /km/staff/setup/{token}?x=1 HTTP/1.1", "302", "-")
    record.msg = '"%s" %s %s'
    WerkzeugTipFilter().filter(record)
    assert token not in record.getMessage()
    assert "/km/staff/setup/…?x=1" in record.getMessage()
