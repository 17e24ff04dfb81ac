"""Anonymous public pages are served from a cache, revalidated with ETags, and refreshed on edits."""

from __future__ import annotations

import pytest

from portal.db import write_transaction
from portal.page_cache import bump_content_version
from tests.conftest import make_app


@pytest.fixture
def cached_app(database_url, tmp_path):
    return make_app(database_url, tmp_path, PAGE_CACHE_DISABLED=False)


def _visitor(app, lang="vi"):
    client = app.test_client()
    client.get(f"/{lang}/")  # the first visit saves the language choice (a cookie)
    client.application.extensions["portal.page_cache"].clear()
    return client


def test_second_visit_is_served_from_the_cache_with_the_same_body(cached_app):
    client = _visitor(cached_app)
    first = client.get("/vi/privacy")
    cache = cached_app.extensions["portal.page_cache"]
    assert cache.get(f"id {'/vi/privacy?'}", cache._version[1]) is not None
    second = client.get("/vi/privacy")
    assert second.get_data() == first.get_data()
    assert second.headers["ETag"] == first.headers["ETag"]
    assert second.headers["Content-Security-Policy"].startswith("default-src 'self'")


def test_etag_answers_304(cached_app):
    client = _visitor(cached_app, "km")
    etag = client.get("/km/privacy").headers["ETag"]
    response = client.get("/km/privacy", headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert response.get_data() == b""


def test_pages_for_signed_in_visitors_are_never_cached(cached_app):
    client = _visitor(cached_app)
    client.set_cookie(cached_app.config["SESSION_COOKIE_NAME"], "anything")
    client.get("/vi/privacy")
    assert cached_app.extensions["portal.page_cache"]._pages == {}


def test_a_first_visit_without_the_language_cookie_is_served_from_the_cache_and_gets_the_cookie(cached_app):
    returning = _visitor(cached_app, "km")
    stored = returning.get("/km/privacy")
    assert "Set-Cookie" not in stored.headers
    first_time = cached_app.test_client()
    response = first_time.get("/km/privacy")
    assert response.get_data() == stored.get_data()
    assert response.headers["ETag"] == stored.headers["ETag"]
    assert response.headers["Set-Cookie"].startswith("portal_lang=km;")
    assert first_time.get_cookie("portal_lang").value == "km"


def test_a_page_is_only_served_to_the_host_it_was_rendered_for(cached_app):
    client = _visitor(cached_app, "en")
    assert b"attacker.example" in client.get("/en/privacy", headers={"Host": "attacker.example"}).get_data()
    response = client.get("/en/privacy")
    assert b"attacker.example" not in response.get_data()


def test_editing_content_makes_cached_pages_stale(cached_app):
    client = _visitor(cached_app, "en")
    client.get("/en/privacy")
    cache = cached_app.extensions["portal.page_cache"]
    assert len(cache._pages) == 1
    with cached_app.app_context():
        session = cached_app.extensions["portal.sessionmaker"]()
        with write_transaction(session):
            bump_content_version(session)
        session.close()
    cache._version = None  # as if the one-second check interval had passed
    client.get("/en/privacy")
    versions = {page.version for page in cache._pages.values()}
    assert versions == {1}
