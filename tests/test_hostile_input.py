"""Hostile input: every public form and query parameter, and the queue's filters, never crash.

Hypothesis sends random Unicode (Khmer, Vietnamese combining marks, control characters, NUL
bytes, bidi overrides), huge values, wrong types, missing and repeated fields and broken
bodies. The app runs with ``PROPAGATE_EXCEPTIONS=True``, so an exception raises here instead
of turning into a polite 500 page. Every answer must be 2xx, 3xx or 4xx; every 4xx page is in
the URL's language (``<html lang>``), says what went wrong, and shows no untranslated English
default message of WTForms or Flask-WTF on a Vietnamese or Khmer page.

Uploads that are not photos — polyglots, SVG with a script, HTML, ZIP, a truncated JPEG, a
40,000 × 40,000 PNG, files over the limit, path-traversal names — are refused with a clear
message (or, for a real JPEG with something appended, stored re-encoded without it), and
nothing typed is lost where the app can keep it.

The example counts come from the Hypothesis profile (tests/conftest.py): fixed and derandomised unless
``HYPOTHESIS_PROFILE=random`` asks for a long random run; the figures of a run go to
``test-artifacts/hostile-input-*.json``.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from PIL import Image
from sqlalchemy import func, select

from portal import migrate
from portal.db import make_engine, new_session
from portal.errors import CSRF_MESSAGE, MESSAGES
from portal.models.tip import Tip, TipPhoto
from portal.sanitize import clean_text
from portal.tips.views import followup_token
from portal.uploads import DamagedImage, NotAnImage, PhotoTooLarge, TooManyPixels, UnsupportedFormat
from tests.conftest import make_app
from tests.gunicorn_server import multipart, write_figures
from tests.staff_fixtures import create_staff, csrf_token, login
from tests.tip_factory import make_tip
from tests.tip_helpers import Page, short_form, translated

# The example count and whether examples are random come from the Hypothesis profile (tests/conftest.py):
# fixed and derandomised in the README's test command, random and many with HYPOTHESIS_PROFILE=random.
HOSTILE = settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

LANGS = ("vi", "km", "en")
FIGURES: Counter[str] = Counter()
TITLE = re.compile(r"<h1[^>]*>(.*?)</h1>", re.S)
MAX_PHOTO_MB = 1


# -- the app, built once for the module ---------------------------------------------------------

@pytest.fixture(scope="module")
def hostile_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The app on a migrated SQLite file of its own; crashes propagate; small photo limit."""
    directory = tmp_path_factory.mktemp("hostile")
    url = f"sqlite:///{directory / 'hostile.sqlite3'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    app = make_app(url, directory, PROPAGATE_EXCEPTIONS=True, MAX_PHOTO_MB=MAX_PHOTO_MB,
                   UPLOAD_DIR=str(directory / "uploads"))
    yield app
    app.extensions["portal.engine"].dispose()
    write_figures("hostile-input", {"inputs_tried": FIGURES["inputs"], "server_errors_500": FIGURES["500"],
                                    **{k: v for k, v in FIGURES.items() if k.startswith("status_")}})


@pytest.fixture(scope="module")
def tip(hostile_app: Flask) -> dict[str, Any]:
    """A tip with a photo, and a fresh follow-up token for its status page."""
    submitted = make_tip(hostile_app, photos=1)
    with hostile_app.app_context():
        session = new_session()
        stored = session.get(Tip, submitted.tip_id)
        with hostile_app.test_request_context("/en/tips/status"):
            token = followup_token(stored)
        session.close()
    return {"id": submitted.tip_id, "receipt": submitted.receipt, "token": token}


@pytest.fixture(scope="module")
def moderator_client(hostile_app: Flask) -> FlaskClient:
    client = hostile_app.test_client()
    login(client, create_staff(hostile_app, "moderator", username="hostile-moderator"))
    return client


@pytest.fixture(scope="module")
def admin_client(hostile_app: Flask) -> FlaskClient:
    client = hostile_app.test_client()
    login(client, create_staff(hostile_app, "admin", username="hostile-admin"))
    return client


# -- what every answer must be ------------------------------------------------------------------

def _wtforms_messages() -> list[tuple[str, str | None, re.Pattern[str]]]:
    """Every message WTForms and Flask-WTF may produce (from WTForms' own .pot), as patterns."""
    import wtforms

    pot = (Path(wtforms.__file__).parent / "locale" / "wtforms.pot").read_text()
    found = []
    for singular, plural in re.findall(r'msgid "(.+)"\n(?:msgid_plural "(.+)"\n)?', pot):
        for text in filter(None, (singular, plural)):
            pattern = re.escape(text.replace('\\"', '"'))
            pattern = re.sub(r"%\\\(\w+\\\)[sd]|%s", ".+?", pattern)
            found.append((singular, plural or None, re.compile(pattern)))
    found += [(text, None, re.compile(re.escape(text))) for text in
              ("The CSRF token is missing.", "The CSRF token is invalid.", "The CSRF token has expired.")]
    return found


WTFORMS_MESSAGES = _wtforms_messages()


def untranslated_defaults(app: Flask, lang: str, text: str) -> list[str]:
    """WTForms' English messages on a page that did not come from the portal's catalog."""
    from flask_babel import force_locale, get_translations

    leaked = []
    for singular, plural, pattern in WTFORMS_MESSAGES:
        if not pattern.search(text):
            continue
        with app.test_request_context(f"/{lang}/"), force_locale(lang):
            catalog = get_translations()
            in_catalog = catalog.ungettext(singular, plural, 2) != plural if plural else \
                catalog.ugettext(singular) != singular
        if in_catalog:  # the portal has a translation, yet the English one was shown
            leaked.append(singular)
    return leaked


def check(app: Flask, response: Any, lang: str | None) -> None:
    """2xx/3xx/4xx only. An HTML page is in the URL's language, and WTForms' own messages on it
    went through the portal's catalog; a 4xx page says what went wrong."""
    FIGURES["inputs"] += 1
    FIGURES[f"status_{response.status_code}"] += 1
    if response.status_code >= 500:
        FIGURES["500"] += 1
    assert response.status_code < 500, response.get_data(as_text=True)[:2000]
    if response.status_code in (301, 302, 303, 307, 308) or response.mimetype != "text/html":
        return
    html = response.get_data(as_text=True)
    if lang is None:  # a URL without a language: the visitor's own, whichever it is
        lang = re.search(r'<html lang="(vi|km|en)">', html).group(1)  # type: ignore[union-attr]
    assert f'<html lang="{lang}">' in html, html[:500]
    page = Page(html)
    if lang != "en":
        assert untranslated_defaults(app, lang, page.text) == []
    if response.status_code < 400:
        return
    if page.with_class("error-page"):
        title = TITLE.search(html)
        assert title is not None
        expected = {translated(app, lang, MESSAGES[code][0]) for code in MESSAGES}
        expected.add(translated(app, lang, CSRF_MESSAGE[0]))
        assert title.group(1).strip() in expected, title.group(1)
        if response.status_code in MESSAGES and response.status_code != 400:
            assert title.group(1).strip() == translated(app, lang, MESSAGES[response.status_code][0])
    else:
        said = [e.text.strip() for e in page.with_class("field-error") + page.with_class("notice")
                + page.all("h1")]
        assert any(said), f"a {response.status_code} page that says nothing: {page.text[:400]}"


# -- strategies ---------------------------------------------------------------------------------

KHMER = st.characters(min_codepoint=0x1780, max_codepoint=0x17FF)
VIETNAMESE = st.sampled_from("aăâeêioôơuưyđAĂÂĐƠƯ\u0300\u0301\u0303\u0309\u0323\u0302\u0306\u031b")
CONTROL = st.characters(min_codepoint=0, max_codepoint=0x1F) | st.characters(min_codepoint=0x7F,
                                                                             max_codepoint=0x9F)
ANY_CHAR = st.characters(exclude_categories=("Cs",))
TRICKS = st.sampled_from([
    "\x00", "\u200b", "\u200c", "\u200d", "\ufeff", "\u202e", "\u2028", "\u00ad", "\r\n", "\t",
    "%00", "../", "..\\", "<script>alert(1)</script>", "' OR 1=1 --", "{{7*7}}", "%s", "%(name)s",
    "NaN", "-1", "0", "99999999999999999999999", "1e309", "²", "١٢", "១២៣", "   ", "𝟗", "Ⅻ",
])
TEXT = st.lists(st.one_of(KHMER, VIETNAMESE, CONTROL, ANY_CHAR, TRICKS), max_size=40).map("".join)
# What can travel in a header at all (no line breaks); sent as UTF-8 bytes read as Latin-1.
HEADER_TEXT = TEXT.map(lambda text: "".join(c for c in text if c not in "\r\n\x00"))
HUGE = st.builds(lambda char, size: char * size, st.sampled_from(["ក", "ệ", "9", "\x00", "a\u0301"]),
                 st.sampled_from([5_000, 70_000]))
VALUE = st.one_of(TEXT, TEXT, TEXT, HUGE, st.integers().map(str), st.sampled_from(
    ["", "y", "03", "0305", "030501", "03050101", "17", "saw", "told", "200", "12.05, 105.45", "submit",
     "place", "reply", "vi", "km", "en", "new", "oldest", "2024-02-30", "1-1"]))
# A field sent once, several times, or not at all (a missing field is a key left out).
FIELD_VALUE = st.one_of(VALUE, st.lists(VALUE, min_size=2, max_size=3))


def form_data(fields: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    names = st.sampled_from([*fields, "junk", "csrf_token", "", "\x00", "photos"])
    return st.dictionaries(names, FIELD_VALUE, max_size=len(fields) + 3)


def as_query(data: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in data.items()}


def post(client: FlaskClient, path: str, data: dict[str, Any], as_multipart: bool = False) -> Any:
    """A form POST, urlencoded or multipart; repeated fields for list values. Multipart bodies
    are built here, in memory: the test client spools a large one to a temporary file that it
    never closes."""
    if not as_multipart:
        return client.post(path, data=data)
    pairs = [(name, item) for name, value in data.items()
             for item in (value if isinstance(value, list) else [value])]
    body, content_type = multipart(pairs)
    return client.post(path, data=body, content_type=content_type)


TIP_FIELDS = ["submission_id", "province", "district", "commune", "village", "place_description",
              "local_name", "coordinates", "location_source", "uncertainty", "what_seen", "how_known",
              "period", "estimated_graves", "fallen_names", "fallen_unit", "fallen_hometown",
              "use_photo_location", "anonymous", "contact_name", "contact_phone", "contact_email",
              "contact_messaging", "contact_language", "on_behalf", "on_behalf_relationship",
              "consent", "website", "action"]


# -- public forms --------------------------------------------------------------------------------

@HOSTILE
@given(lang=st.sampled_from(LANGS), data=form_data(TIP_FIELDS), multipart=st.booleans())
def test_the_tip_form_survives_anything(hostile_app, lang, data, multipart):
    response = post(hostile_app.test_client(), f"/{lang}/tips/new", data, multipart)
    check(hostile_app, response, lang)


@HOSTILE
@given(lang=st.sampled_from(LANGS), data=form_data(TIP_FIELDS))
def test_a_nearly_valid_tip_with_one_hostile_field_keeps_what_was_typed(hostile_app, lang, data):
    """A real form with hostile values mixed in: stored, or shown again with the text kept."""
    form = {**short_form(submission_id=""), "what_seen": "ផ្នូរ mộ liệt sĩ", **data}
    response = hostile_app.test_client().post(f"/{lang}/tips/new", data=form)
    check(hostile_app, response, lang)
    # Stored (201), or shown again with what was typed. Only a body over the form memory limit
    # (413) is refused before it is read: the browser still holds the text then.
    if response.status_code not in (201, 413):
        typed = form["what_seen"][0] if isinstance(form["what_seen"], list) else form["what_seen"]
        assert Page(response.get_data(as_text=True)).field_value("what_seen") == clean_text(typed)


@HOSTILE
@given(lang=st.sampled_from(LANGS), data=form_data(["receipt", "website", "action"]))
def test_the_receipt_look_up_survives_anything(hostile_app, lang, data):
    response = hostile_app.test_client().post(f"/{lang}/tips/status", data=data)
    check(hostile_app, response, lang)


@HOSTILE
@given(lang=st.sampled_from(LANGS), data=form_data(["followup", "receipt", "body", "website"]),
       real_token=st.booleans(), multipart=st.booleans())
def test_the_follow_up_reply_survives_anything(hostile_app, tip, lang, data, real_token, multipart):
    form = {**data, "action": "reply"}
    if real_token:
        form["followup"] = tip["token"]
    response = post(hostile_app.test_client(), f"/{lang}/tips/status", form, multipart)
    check(hostile_app, response, lang)


@HOSTILE
@given(lang=st.sampled_from(LANGS), query=form_data(["q", "province", "page"]))
def test_the_monument_search_survives_anything(hostile_app, lang, query):
    response = hostile_app.test_client().get(f"/{lang}/monuments/", query_string=as_query(query))
    check(hostile_app, response, lang)


@HOSTILE
@given(lang=st.sampled_from(LANGS), query=form_data(["season", "province", "page"]),
       path=st.sampled_from(["statistics/", "news/", "", "privacy", "help", "repatriation/", "tips/new",
                             "tips/status", "news/feed.xml"]))
def test_every_public_page_survives_any_query(hostile_app, lang, query, path):
    response = hostile_app.test_client().get(f"/{lang}/{path}", query_string=as_query(query))
    check(hostile_app, response, lang)


@HOSTILE
@given(lang=st.sampled_from(LANGS), value=VALUE,
       where=st.sampled_from(["tips/places/", "monuments/", "news/", "staff/setup/"]))
def test_path_segments_survive_anything(hostile_app, lang, value, where):
    response = hostile_app.test_client().get(f"/{lang}/{where}{quote(value[:300], safe='')}")
    check(hostile_app, response, lang)


@HOSTILE
@given(number=st.one_of(st.integers(min_value=0), st.sampled_from([2**31, 2**63, 10**30])),
       where=st.sampled_from(["/monuments/photos/{n}", "/vi/staff/tips/{n}", "/vi/staff/tips/1/photos/{n}",
                              "/vi/staff/accounts/{n}"]))
def test_any_number_in_a_url_is_found_or_not_found(hostile_app, admin_client, number, where):
    """Numbers beyond what the database holds are a 404, not an overflow in the driver."""
    response = admin_client.get(where.format(n=number))
    check(hostile_app, response, None if where.startswith("/monuments") else "vi")
    assert response.status_code in (200, 404)


@HOSTILE
@given(accept=HEADER_TEXT, cookie=HEADER_TEXT)
def test_the_language_choice_survives_any_header(hostile_app, accept, cookie):
    client = hostile_app.test_client()
    client.set_cookie("portal_lang", cookie.encode("utf-8", "replace").decode("latin-1")[:100])
    response = client.get("/", headers={"Accept-Language": accept.encode("utf-8").decode("latin-1")[:300]})
    FIGURES["inputs"] += 1
    assert response.status_code == 302
    assert re.fullmatch(r"/(vi|km|en)/", response.location)


# -- staff sign-in and the queue ------------------------------------------------------------------

@HOSTILE
@given(lang=st.sampled_from(LANGS), data=form_data(["username", "password"]))
def test_the_staff_sign_in_survives_anything(hostile_app, lang, data):
    response = hostile_app.test_client().post(f"/{lang}/staff/login", data=data)
    check(hostile_app, response, lang)
    assert response.status_code in (200, 302, 400, 413)


@HOSTILE
@given(lang=st.sampled_from(LANGS), data=form_data(["code"]))
def test_the_second_step_survives_anything(hostile_app, lang, data):
    client = hostile_app.test_client()
    account = _code_account(hostile_app)
    page = client.get(f"/{lang}/staff/login")
    client.post(f"/{lang}/staff/login", data={"username": account.username, "password": account.password,
                                               **csrf_token(page.text)})
    response = client.post(f"/{lang}/staff/login/code", data=data)
    check(hostile_app, response, lang)


_accounts: dict[str, Any] = {}


def _code_account(app: Flask) -> Any:
    if "code" not in _accounts:
        _accounts["code"] = create_staff(app, "editor", username="hostile-code")
    return _accounts["code"]


QUEUE_FIELDS = ["status", "province", "district", "created_from", "created_to", "mine", "has_photos",
                "has_contact", "q", "sort", "after"]


@HOSTILE
@given(lang=st.sampled_from(LANGS), query=form_data(QUEUE_FIELDS))
def test_the_queue_filters_survive_anything(hostile_app, moderator_client, lang, query):
    response = moderator_client.get(f"/{lang}/staff/queue", query_string=as_query(query))
    check(hostile_app, response, lang)
    assert response.status_code == 200


@HOSTILE
@given(lang=st.sampled_from(LANGS), query=form_data(["q", "before"]))
@example(lang="vi", query={"q": "9" * 5000})           # found by a random run: int() refuses 4,300+ digits
@example(lang="km", query={"q": "#" + "1" * 5000, "before": "7" * 5000})
def test_the_audit_search_survives_anything(hostile_app, admin_client, lang, query):
    response = admin_client.get(f"/{lang}/staff/audit", query_string=as_query(query))
    check(hostile_app, response, lang)
    assert response.status_code == 200


@HOSTILE
@given(lang=st.sampled_from(LANGS),
       action=st.sampled_from(["move", "assign", "notes", "messages", "redact", "contact"]),
       data=form_data(["target", "reason", "duplicate_of", "outcome", "team", "searched_on", "remains_count",
                       "assignee", "note-body", "message-body", "field", "item"]))
def test_the_moderators_forms_survive_anything(hostile_app, moderator_client, tip, lang, action, data):
    response = moderator_client.post(f"/{lang}/staff/tips/{tip['id']}/{action}", data=data)
    check(hostile_app, response, lang)


# -- broken bodies --------------------------------------------------------------------------------

BOUNDARY = "xYzZy"


def _part(name: str, value: bytes, filename: str | None = None) -> bytes:
    disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
    return f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\n\r\n".encode() + value + b"\r\n"


MALFORMED = {
    "no boundary": ("multipart/form-data", _part("what_seen", b"x")),
    "wrong boundary": ("multipart/form-data; boundary=other", _part("what_seen", b"x") + b"--xYzZy--\r\n"),
    "no closing boundary": (f"multipart/form-data; boundary={BOUNDARY}", _part("what_seen", b"x")),
    "cut in a part": (f"multipart/form-data; boundary={BOUNDARY}", _part("what_seen", b"abc")[:-9]),
    "part without disposition": (f"multipart/form-data; boundary={BOUNDARY}",
                                 f"--{BOUNDARY}\r\nX: y\r\n\r\nvalue\r\n--{BOUNDARY}--\r\n".encode()),
    "header without colon": (f"multipart/form-data; boundary={BOUNDARY}",
                             f"--{BOUNDARY}\r\nbroken header\r\n\r\nvalue\r\n--{BOUNDARY}--\r\n".encode()),
    "invalid UTF-8 everywhere": (f"multipart/form-data; boundary={BOUNDARY}",
                                 _part("what_seen", b"\xff\xfe\xc3\x28\xed\xa0\x80")
                                 + _part("\xff", b"\x80") + f"--{BOUNDARY}--\r\n".encode()),
    "file part in a text field": (f"multipart/form-data; boundary={BOUNDARY}",
                                  _part("what_seen", b"\x89PNG", filename="a.png") + f"--{BOUNDARY}--\r\n".encode()),
    "text in the photo field": (f"multipart/form-data; boundary={BOUNDARY}",
                                _part("photos", b"not a file") + _part("what_seen", b"x")
                                + f"--{BOUNDARY}--\r\n".encode()),
    "RFC 2231 name": (f"multipart/form-data; boundary={BOUNDARY}",
                      f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"photos\"; "
                      f"filename*=UTF-8''..%2F..%2Fetc%2Fpasswd%00.jpg\r\n\r\n\xff\xd8\r\n--{BOUNDARY}--\r\n"
                      .encode("latin-1")),
    "nested multipart": (f"multipart/form-data; boundary={BOUNDARY}",
                         f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"x\"\r\n"
                         f"Content-Type: multipart/mixed; boundary=inner\r\n\r\n--inner\r\n\r\nv\r\n--inner--\r\n"
                         f"--{BOUNDARY}--\r\n".encode()),
    "a thousand and one parts": (f"multipart/form-data; boundary={BOUNDARY}",
                                 b"".join(_part(f"f{i}", b"v") for i in range(1001))
                                 + f"--{BOUNDARY}--\r\n".encode()),
    "a field over the form memory limit": (f"multipart/form-data; boundary={BOUNDARY}",
                                           _part("what_seen", b"x" * (1024 * 1024 + 10))
                                           + f"--{BOUNDARY}--\r\n".encode()),
    "urlencoded invalid UTF-8": ("application/x-www-form-urlencoded", b"what_seen=%ff%fe%00&province=%C3%28&=&&=x"),
    "urlencoded over the memory limit": ("application/x-www-form-urlencoded",
                                         b"what_seen=" + b"x" * (1024 * 1024 + 10)),
    "JSON instead of a form": ("application/json", b'{"what_seen": ["x"], "province": {"$ne": 1}}'),
    "charset utf-7": ("application/x-www-form-urlencoded; charset=utf-7", b"what_seen=+ADw-script+AD4-"),
    "empty body": (f"multipart/form-data; boundary={BOUNDARY}", b""),
}


@pytest.mark.parametrize("path", ["tips/new", "tips/status", "staff/login"])
@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_broken_bodies_are_refused_politely(hostile_app, case, path):
    content_type, body = MALFORMED[case]
    lang = ("vi", "km", "en")[len(case) % 3]
    response = hostile_app.test_client().post(f"/{lang}/{path}", data=body, content_type=content_type)
    check(hostile_app, response, lang)


def test_a_body_shorter_than_its_length_is_refused_politely(hostile_app):
    body = _part("what_seen", b"x") + f"--{BOUNDARY}--\r\n".encode()
    response = hostile_app.test_client().post(
        "/km/tips/new", input_stream=io.BytesIO(body), content_type=f"multipart/form-data; boundary={BOUNDARY}",
        headers={"Content-Length": str(len(body) + 500)})
    check(hostile_app, response, "km")


# -- uploads --------------------------------------------------------------------------------------

def jpeg(size: tuple[int, int] = (40, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "olive").save(buffer, "JPEG")
    return buffer.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """A tiny valid PNG whose header says width × height (IHDR patched, CRC recomputed)."""
    buffer = io.BytesIO()
    Image.new("1", (1, 1)).save(buffer, "PNG")
    data = bytearray(buffer.getvalue())
    ihdr = data.index(b"IHDR")
    data[ihdr + 4:ihdr + 12] = struct.pack(">II", width, height)
    crc = zlib.crc32(bytes(data[ihdr:ihdr + 17])) & 0xFFFFFFFF
    data[ihdr + 17:ihdr + 21] = struct.pack(">I", crc)
    return bytes(data)


def zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("evil.html", "<script>alert(1)</script>")
    return buffer.getvalue()


SVG = (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
       b'<script>alert(1)</script><rect width="10" height="10"/></svg>')
REFUSED = {
    "GIF with JavaScript": (b"GIF89a/*\x01\x00\x01\x00\x00\x00\x00*/=1;alert(1)//;", UnsupportedFormat),
    "SVG with a script": (SVG, NotAnImage),
    "HTML": (b"<!doctype html><html><body><script>alert(1)</script></body></html>", NotAnImage),
    "ZIP": (zip_bytes(), NotAnImage),
    "truncated JPEG": (jpeg((400, 300))[:600], DamagedImage),
    "40,000 × 40,000 PNG": (png_claiming(40_000, 40_000), TooManyPixels),
    "JPEG header claiming 60,000 × 60,000": (None, TooManyPixels),
    "empty file": (b"", NotAnImage),
    "over the photo limit": (b"\xff\xd8\xff" + b"\x00" * (MAX_PHOTO_MB * 1024 * 1024), PhotoTooLarge),
}


def post_tip(client: FlaskClient, lang: str, fields: dict[str, str], photos: list[tuple[str, bytes]]) -> Any:
    """A tip as a browser sends it: the written report, then each photo on its own through the photo
    form of the page before. Returns the last answer (bodies built here, in memory: the test client
    would spool a large one to a temporary file it never closes)."""
    body, content_type = multipart(list(fields.items()))
    response = client.post(f"/{lang}/tips/new", data=body, content_type=content_type)
    for name, data in photos:
        assert response.status_code in (201, 400), response.status_code
        token = Page(response.get_data(as_text=True)).field_value("followup") or ""
        file = ("photo", name.replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A"), data, "image/jpeg")
        body, content_type = multipart([("followup", token)], [file])
        response = client.post(f"/{lang}/tips/photos", data=body, content_type=content_type)
    return response


def _jpeg_claiming(width: int, height: int) -> bytes:
    data = bytearray(jpeg())
    sof = data.index(b"\xff\xc0")
    data[sof + 5:sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def _tips(app: Flask) -> tuple[int, int]:
    with app.app_context():
        session = new_session()
        try:
            return (session.scalar(select(func.count(Tip.id))) or 0,
                    session.scalar(select(func.count(TipPhoto.id))) or 0)
        finally:
            session.close()


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_files_that_are_not_photos_are_refused_and_the_text_is_kept(hostile_app, case):
    content, error = REFUSED[case]
    if content is None:
        content = _jpeg_claiming(60_000, 60_000)
    before = _tips(hostile_app)
    lang = ("vi", "km", "en")[len(case) % 3]
    what = f"ផ្នូរបី — ba ngôi mộ ({case})"
    response = post_tip(hostile_app.test_client(), lang, short_form(submission_id="", what_seen=what),
                        [("evil.jpg", content)])
    check(hostile_app, response, lang)
    assert response.status_code == 400
    page = Page(response.get_data(as_text=True))
    message = page.error_for("photo")
    reason = error.message % {"mb": MAX_PHOTO_MB} if error is PhotoTooLarge else error.message
    assert translated(hostile_app, lang, reason) in message
    assert "evil.jpg" in message
    assert page.by_id("photo-form") is not None  # another photo, or the same again
    assert _tips(hostile_app) == (before[0] + 1, before[1])  # the words are stored; the file is not


def test_a_jpeg_with_a_zip_appended_is_stored_without_it(hostile_app):
    """A real picture with an archive hidden after it (a polyglot): the picture is re-encoded from
    its pixels, so nothing of the archive is stored."""
    polyglot = jpeg() + zip_bytes()
    response = post_tip(hostile_app.test_client(), "en", short_form(submission_id=""), [("holiday.jpg", polyglot)])
    check(hostile_app, response, "en")
    assert response.status_code == 201
    with hostile_app.app_context():
        session = new_session()
        data = session.scalar(select(TipPhoto.data).order_by(TipPhoto.id.desc()).limit(1))
        session.close()
    assert data.startswith(b"\xff\xd8")
    assert data.endswith(b"\xff\xd9")
    assert b"PK\x03\x04" not in data
    assert b"<script" not in data


TRAVERSAL_NAMES = ["../../../../etc/passwd", "..\\..\\..\\windows\\win.ini", "/etc/shadow", "photo.jpg\x00.php",
                   "<script>alert(1)</script>.jpg", "CON", "ảnh ក្រុង " * 200, ".htaccess", "~/.ssh/id_rsa"]


@pytest.mark.parametrize("name", TRAVERSAL_NAMES, ids=range(len(TRAVERSAL_NAMES)))
def test_path_traversal_names_are_only_names(hostile_app, tmp_path, name):
    """The name of an upload is never used as a path: a real photo is stored in the database
    under no name at all; a refused file is named by its last part only, escaped."""
    upload_dir = Path(hostile_app.config["UPLOAD_DIR"])
    before = sorted(p for p in Path(hostile_app.instance_path).rglob("*"))
    client = hostile_app.test_client()
    good = post_tip(client, "vi", short_form(submission_id=""), [(name, jpeg())])
    check(hostile_app, good, "vi")
    assert good.status_code == 201
    bad = post_tip(client, "km", short_form(submission_id=""), [(name, b"<html>")])
    check(hostile_app, bad, "km")
    assert bad.status_code == 400
    message = Page(bad.get_data(as_text=True)).error_for("photo")
    assert "/" not in message.split("“", 1)[-1].split("”", 1)[0]
    assert "<script>" not in bad.get_data(as_text=True)
    assert not upload_dir.exists() or not any(upload_dir.iterdir())
    assert sorted(p for p in Path(hostile_app.instance_path).rglob("*")) == before
    assert not Path("/etc/passwd.jpg").exists()


def test_a_photo_over_the_limit_keeps_every_typed_word(hostile_app):
    """One photo too large, its request still under the limit: every typed word is stored before
    the photo travels, and the photo is named."""
    form = {**short_form(submission_id="", what_seen="Mộ ở sau chùa, ផ្នូរបី"), "period": "1979"}
    before = _tips(hostile_app)
    response = post_tip(hostile_app.test_client(), "vi", form,
                        [("big.jpg", b"\xff\xd8" + b"0" * (MAX_PHOTO_MB * 1024 * 1024 + 1))])
    check(hostile_app, response, "vi")
    assert response.status_code == 400
    assert "big.jpg" in Page(response.get_data(as_text=True)).error_for("photo")
    assert _tips(hostile_app) == (before[0] + 1, before[1])
    with hostile_app.app_context():
        session = new_session()
        stored = session.scalars(select(Tip).order_by(Tip.id.desc()).limit(1)).one()
        assert (stored.what_seen, stored.period) == ("Mộ ở sau chùa, ផ្នូរបី", "1979")
        session.close()


def test_a_request_over_the_limit_gets_a_page_that_explains_what_to_do(hostile_app):
    """Beyond MAX_CONTENT_LENGTH nothing of the body is read (so it cannot be shown again): the
    answer is a translated 413 page that says to go back, where the browser kept the text."""
    too_much = b"\xff\xd8" + b"0" * (hostile_app.config["MAX_CONTENT_LENGTH"] + 1)
    for lang in LANGS:
        response = post_tip(hostile_app.test_client(), lang, short_form(submission_id=""), [("huge.jpg", too_much)])
        check(hostile_app, response, lang)
        assert response.status_code == 413
        assert response.headers["Cache-Control"] == "no-store"


@HOSTILE
@given(content=st.one_of(st.binary(max_size=2000), st.binary(max_size=2000).map(lambda b: jpeg()[:200] + b),
                         st.binary(max_size=400).map(lambda b: b"\x89PNG\r\n\x1a\n" + b),
                         st.binary(max_size=400).map(lambda b: b"RIFF\x00\x00\x00\x00WEBPVP8 " + b)),
       name=TEXT, lang=st.sampled_from(LANGS))
def test_random_bytes_as_a_photo_never_crash(hostile_app, content, name, lang):
    response = post_tip(hostile_app.test_client(), lang, short_form(submission_id=""), [(name or "x", content)])
    check(hostile_app, response, lang)
    assert response.status_code in (201, 400)





def test_wtforms_own_messages_go_through_the_portals_catalog(hostile_app, monkeypatch):
    """WTForms has no Vietnamese or Khmer. Its default messages (kept by a few staff forms) are
    looked up in the portal's catalogs: here a catalog that marks its answers proves the route."""

    class Marking:
        def ugettext(self, text: str) -> str:
            return "ខ្មែរ: " + text

        def ungettext(self, singular: str, plural: str, n: int) -> str:
            return "ខ្មែរ: " + (singular if n == 1 else plural)

    monkeypatch.setattr("portal.forms.get_translations", lambda: Marking())
    response = hostile_app.test_client().post("/km/staff/login", data={"username": "x" * 61, "password": "y"})
    assert "ខ្មែរ: Field cannot be longer than 60 characters." in Page(response.get_data(as_text=True)).text
