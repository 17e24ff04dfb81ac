"""Anonymous public pages are served from a cache, revalidated with ETags, and refreshed on edits."""

from __future__ import annotations

import random
import string

import pytest
from flask import request

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
    assert len(cache._pages) == 1
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


# --- Everything url_for uses is part of the key (#13, item 7) ---------------------------------


def _stored_bodies(app) -> list[bytes]:
    return [page.body for page in app.extensions["portal.page_cache"]._pages.values()]


def test_a_page_rendered_for_another_script_name_is_never_served_to_other_visitors(cached_app):
    """gunicorn takes SCRIPT_NAME from a header sent by a trusted address: ``GET //evil.example/vi/news/``
    with ``SCRIPT_NAME: //evil.example`` renders links and the stylesheet off-site."""
    client = _visitor(cached_app, "vi")
    poisoned = client.get("/vi/news/", environ_overrides={"SCRIPT_NAME": "//evil.example"})
    assert b'href="//evil.example/' in poisoned.get_data()  # what the attacker gets for themselves
    assert not any(b"evil.example" in body for body in _stored_bodies(cached_app))
    for _ in range(2):
        response = client.get("/vi/news/")
        assert response.status_code == 200
        assert b"evil.example" not in response.get_data()


def test_a_page_stored_for_one_scheme_and_port_is_not_served_for_another(cached_app):
    client = _visitor(cached_app, "en")
    https = client.get("/en/privacy", base_url="https://localhost:8443").get_data()
    assert b"https://localhost:8443/" in https
    plain = client.get("/en/privacy").get_data()
    assert b"localhost:8443" not in plain
    assert b"https://localhost:8443/" in client.get("/en/privacy", base_url="https://localhost:8443").get_data()


# --- Bounded by bytes; parameters a page does not read make no entry (#13, item 8) ------------


def _random_word(rng: random.Random, length: int = 12) -> str:
    return "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(length))


def test_a_scanner_keeps_the_cache_under_its_byte_limit(database_url, tmp_path):
    limit = 300 * 1024
    app = make_app(database_url, tmp_path, PAGE_CACHE_DISABLED=False, PAGE_CACHE_MAX_BYTES=limit)
    client = _visitor(app, "en")
    cache = app.extensions["portal.page_cache"]
    rng = random.Random(13)
    for i in range(10_000):
        if i % 10 == 0:  # a parameter the page reads: every value is a page of its own
            path = f"/en/monuments/?q={_random_word(rng)}"
        else:  # parameters no page reads
            path = f"/en/{rng.choice(['privacy', 'news/', 'monuments/'])}?{_random_word(rng, 6)}={_random_word(rng)}"
        assert client.get(path).status_code == 200
        assert cache.size_bytes <= limit
    assert cache.size_bytes == sum(cache.entry_size(key, page) for key, page in cache._pages.items())
    assert len(cache._pages) > 10  # it did cache


def test_parameters_a_page_does_not_read_make_no_new_entry(cached_app):
    client = _visitor(cached_app, "en")
    cache = cached_app.extensions["portal.page_cache"]
    first = client.get("/en/privacy")
    rng = random.Random(8)
    for _ in range(200):
        response = client.get(f"/en/privacy?{_random_word(rng, 5)}={_random_word(rng)}&utm_source=x")
        assert response.get_data() == first.get_data()
    assert len(cache._pages) == 1
    searched = client.get("/en/monuments/?q=angkor")
    assert len(cache._pages) == 2
    assert client.get("/en/monuments/?fbclid=abc&q=angkor").get_data() == searched.get_data()
    assert len(cache._pages) == 2
    assert client.get("/en/monuments/?q=other").get_data() != searched.get_data()
    assert len(cache._pages) == 3


def test_language_links_on_a_public_page_keep_only_the_parameters_it_reads(cached_app):
    client = _visitor(cached_app, "en")
    html = client.get("/en/monuments/?fbclid=tracking&q=angkor").get_data(as_text=True)
    assert 'href="/vi/monuments/?q=angkor"' in html
    assert "fbclid" not in html


@pytest.fixture
def echo_app(database_url, tmp_path):
    """An app with two test pages in the public blueprint: one reads a parameter only when another
    has a certain value, one copies the whole query into the page."""
    app = make_app(database_url, tmp_path, PAGE_CACHE_DISABLED=False)

    def conditional():
        mode = request.args.get("mode", "")
        extra = request.args.get("extra", "") if mode == "x" else "-"
        return f"mode={mode} extra={extra}"

    def whole_query():
        return "query=" + request.query_string.decode()

    app.add_url_rule("/test-conditional", "public.test_conditional", conditional)
    app.add_url_rule("/test-whole-query", "public.test_whole_query", whole_query)
    return app


def test_a_parameter_read_only_for_some_values_keeps_its_pages_apart(echo_app):
    client = _visitor(echo_app, "en")
    assert client.get("/test-conditional?mode=y&extra=1").text == "mode=y extra=-"
    assert client.get("/test-conditional?mode=y&extra=2").text == "mode=y extra=-"
    assert client.get("/test-conditional?mode=x&extra=1").text == "mode=x extra=1"
    assert client.get("/test-conditional?mode=x&extra=2").text == "mode=x extra=2"
    assert client.get("/test-conditional?extra=2&mode=x").text == "mode=x extra=2"
    assert client.get("/test-conditional?mode=x&extra=1").text == "mode=x extra=1"
    assert client.get("/test-conditional?mode=y&extra=3").text == "mode=y extra=-"
    assert len(echo_app.extensions["portal.page_cache"]._pages) == 3


def test_a_page_that_reads_the_whole_query_is_stored_only_without_one(echo_app):
    client = _visitor(echo_app, "en")
    assert client.get("/test-whole-query").text == "query="
    assert client.get("/test-whole-query?a=1").text == "query=a=1"
    assert client.get("/test-whole-query?b=2").text == "query=b=2"
    assert client.get("/test-whole-query").text == "query="
    assert len(echo_app.extensions["portal.page_cache"]._pages) == 1
