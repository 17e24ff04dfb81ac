"""Query names that ``url_for`` reserves, and numbers too long for ``int()``, never crash a page.

Every GET route of the URL map is fetched — anonymously, and signed in as an administrator for the
staff pages — with each of ``lang``, ``endpoint``, ``_external``, ``_anchor``, ``_scheme`` and
``_method`` in its query. The answer is 2xx, 3xx or 4xx, with the security headers; the app runs with
``PROPAGATE_EXCEPTIONS`` so a crash fails here instead of becoming a polite 500 page.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from tests.conftest import make_app
from tests.staff_fixtures import create_staff, login
from tests.test_staff_access_table import SAMPLE_ARGS
from tests.tip_factory import make_tip

RESERVED = ("lang", "endpoint", "_external", "_anchor", "_scheme", "_method")
HOSTILE_VALUES = ("xx", "https", "staff.queue")
# Not pages: files and feeds whose answer does not depend on the query.
NOT_PAGES = {"static", "assets.static_file"}


@pytest.fixture
def crash_app(database_url, tmp_path) -> Flask:
    return make_app(database_url, tmp_path, PROPAGATE_EXCEPTIONS=True)


def _get_urls(app: Flask, ctx: dict[str, Any]) -> list[str]:
    urls = []
    adapter = app.url_map.bind("localhost")
    for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule):
        if "GET" not in (rule.methods or ()) or rule.endpoint in NOT_PAGES:
            continue
        values: dict[str, Any] = {}
        for argument in rule.arguments:
            if argument == "lang":
                values[argument] = "vi"
                continue
            sample = SAMPLE_ARGS.get(argument, {"slug": "x", "code": "03", "filename": "css/site.css"}.get(argument))
            values[argument] = sample(ctx) if callable(sample) else sample
        urls.append(adapter.build(rule.endpoint, values))
    return urls


def test_reserved_query_names_never_crash_a_page(crash_app):
    tip_id = make_tip(crash_app, photos=1).tip_id
    from sqlalchemy import select

    from portal.models.tip import TipPhoto

    session = crash_app.extensions["portal.sessionmaker"]()
    photo_id = session.scalar(select(TipPhoto.id).where(TipPhoto.tip_id == tip_id))
    session.close()
    admin = create_staff(crash_app, "admin")
    ctx = {"app": crash_app, "target": create_staff(crash_app, "moderator"), "tip": (tip_id, photo_id)}
    anonymous, staff = crash_app.test_client(), crash_app.test_client()
    login(staff, admin, lang="vi")
    tried = 0
    for url in _get_urls(crash_app, ctx):
        if url.endswith(("/staff/logout", "/staff/sign-out-everywhere")):
            continue
        client = staff if "/staff/" in url else anonymous
        for name in RESERVED:
            for value in HOSTILE_VALUES:
                response = client.get(url, query_string={name: value, "q": "x"})
                tried += 1
                assert response.status_code < 500, (url, name, value)
                assert response.headers["X-Content-Type-Options"] == "nosniff", (url, name)
                assert "script-src 'self'" in response.headers["Content-Security-Policy"], (url, name)
    assert tried > 200


def test_the_language_switcher_keeps_the_query_beside_a_reserved_name(client):
    html = client.get("/km/monuments/", query_string={"lang": "xx", "q": "đài"}).get_data(as_text=True)
    assert 'href="/vi/monuments/?q=%C4%91%C3%A0i"' in html  # public links keep what the page reads


def test_a_page_with_lang_in_its_query_is_not_a_500(client):
    response = client.get("/vi/monuments/?lang=xx")
    assert response.status_code == 200
    assert '<html lang="vi">' in response.get_data(as_text=True)


@pytest.mark.parametrize("digits", [5000, 20, 11])
def test_huge_numbers_in_the_audit_search_are_no_crash(crash_app, digits):
    admin = create_staff(crash_app, "admin")
    staff = crash_app.test_client()
    login(staff, admin)
    response = staff.get("/en/staff/audit", query_string={"q": "9" * digits})
    assert response.status_code == 200
    response = staff.get("/en/staff/audit", query_string={"q": "#" + "1" * digits, "before": "7" * digits})
    assert response.status_code == 200


def test_a_tip_number_still_finds_its_history(crash_app):
    tip_id = make_tip(crash_app).tip_id
    admin = create_staff(crash_app, "admin")
    staff = crash_app.test_client()
    login(staff, admin)
    html = staff.get("/en/staff/audit", query_string={"q": f"#{tip_id}"}).get_data(as_text=True)
    assert f"/en/staff/tips/{tip_id}" in html


@pytest.mark.parametrize("text", ["", "0", "-1", "1.5", "٣", "1" * 11, "9" * 5000, str(2**31)])
def test_parse_id_refuses_what_no_row_has(text):
    from portal.models.types import parse_id

    assert parse_id(text) is None


def test_parse_id_reads_a_row_number():
    from portal.models.types import MAX_ID, parse_id

    assert parse_id("42") == 42
    assert parse_id(str(MAX_ID)) == MAX_ID
