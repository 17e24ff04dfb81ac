"""Language routing: every page under /<lang>/, the root redirect, the switcher, hreflang."""

from __future__ import annotations

import re

import pytest

from portal.i18n import LANGUAGE_COOKIE


@pytest.mark.parametrize(("accept", "expected"), [
    ("km-KH,km;q=0.9", "/km/"),
    ("en-US,en;q=0.8", "/en/"),
    ("vi-VN", "/vi/"),
    ("fr-FR,fr;q=0.9", "/vi/"),
    ("", "/vi/"),
    ("de;q=0.9, km_KH;q=0.5", "/km/"),
])
def test_root_redirects_by_accept_language(client, accept, expected):
    response = client.get("/", headers={"Accept-Language": accept} if accept else {})
    assert response.status_code == 302
    assert response.headers["Location"] == expected
    assert "Accept-Language" in response.headers["Vary"]


def test_saved_choice_wins_over_accept_language(client):
    client.get("/en/")  # visiting a language's page saves it
    response = client.get("/", headers={"Accept-Language": "km-KH,km;q=0.9"})
    assert response.headers["Location"] == "/en/"


def test_default_language_is_a_setting(database_url, tmp_path):
    from tests.conftest import make_app

    app = make_app(database_url, tmp_path, DEFAULT_LANGUAGE="km")
    assert app.test_client().get("/").headers["Location"] == "/km/"


@pytest.mark.parametrize("lang", ["vi", "km", "en"])
def test_page_declares_its_language_and_alternates(client, lang):
    html = client.get(f"/{lang}/privacy").get_data(as_text=True)
    assert f'<html lang="{lang}">' in html
    for other in ("vi", "km", "en"):
        assert f'<link rel="alternate" hreflang="{other}" href="http://localhost/{other}/privacy">' in html
    assert '<link rel="alternate" hreflang="x-default" href="http://localhost/vi/privacy">' in html


def test_switcher_keeps_path_and_the_query_the_page_reads(client):
    html = client.get("/km/monuments/?q=t%C6%B0%E1%BB%A3ng+%C4%91%C3%A0i&page=2&fbclid=x").get_data(as_text=True)
    switcher = html[html.index('class="lang-switch"'):]
    links = {lang: href for href, lang in re.findall(r'<a href="([^"]+)" hreflang="(\w+)"', switcher)}
    for lang in ("vi", "en", "km"):
        assert links[lang].startswith(f"/{lang}/monuments/?")
        assert "page=2" in links[lang]
        assert "q=t%C6%B0%E1%BB%A3ng+%C4%91%C3%A0i" in links[lang]
        assert "fbclid" not in links[lang]  # a parameter no public page reads is not copied (page cache)
    assert 'aria-current="true">ខ្មែរ' in switcher


def test_visiting_a_page_saves_the_language(client):
    response = client.get("/km/")
    cookie = response.headers.get("Set-Cookie", "")
    assert cookie.startswith(f"{LANGUAGE_COOKIE}=km")
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


@pytest.mark.parametrize("path", ["/xx/", "/fr/privacy", "/km/no-such-page", "/vi/tips/nothing"])
def test_unknown_urls_are_404(client, path):
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("lang", ["vi", "km", "en"])
def test_404_page_is_in_the_urls_language(client, lang):
    response = client.get(f"/{lang}/no-such-page", headers={"Accept-Language": "en"})
    html = response.get_data(as_text=True)
    assert response.status_code == 404
    assert f'<html lang="{lang}">' in html
    assert f'href="/{lang}/"' in html  # the way back is in the same language


def test_sitemap_lists_every_public_page_in_every_language(client):
    xml = client.get("/sitemap.xml").get_data(as_text=True)
    for lang in ("vi", "km", "en"):
        assert f"<loc>http://localhost/{lang}/</loc>" in xml
        assert f"<loc>http://localhost/{lang}/privacy</loc>" in xml


def test_robots_txt_keeps_crawlers_out_of_staff_pages(client):
    text = client.get("/robots.txt").get_data(as_text=True)
    for lang in ("vi", "km", "en"):
        assert f"Disallow: /{lang}/staff/" in text
    assert "Sitemap: http://localhost/sitemap.xml" in text
