"""Static files: content-hashed URLs, long cache lives, compressed text."""

from __future__ import annotations

import gzip
import re


def _css_url(client) -> str:
    html = client.get("/vi/").get_data(as_text=True)
    return re.search(r'<link rel="stylesheet" href="([^"]+)"', html).group(1)


def test_static_urls_carry_a_hash_of_the_files_bytes(client, app):
    url = _css_url(client)
    assert re.fullmatch(r"/static/css/site\.css\?v=[0-9a-f]{12}", url)
    response = client.get(url)
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    response.close()


def test_static_file_with_a_stale_hash_is_not_cached_for_long(client):
    response = client.get("/static/css/site.css?v=000000000000")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=300"
    response.close()


def test_text_is_gzipped_for_clients_that_accept_it(client):
    url = _css_url(client)
    plain = client.get(url)
    plain_body = plain.get_data()
    plain.close()
    zipped = client.get(url, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped.headers["Vary"]
    assert gzip.decompress(zipped.get_data()) == plain_body
    assert len(zipped.get_data()) < len(plain_body) / 2
    page = client.get("/km/", headers={"Accept-Encoding": "gzip"})
    assert page.headers["Content-Encoding"] == "gzip"
    assert '<html lang="km">' in gzip.decompress(page.get_data()).decode()


def test_a_staff_page_is_compressed_fast_and_a_public_page_well(client, moderator):
    from tests.staff_fixtures import login

    public = client.get("/km/", headers={"Accept-Encoding": "gzip"})
    # Made per request too (its CSRF token), but for a phone on a slow link: every byte counts.
    tip_form = client.get("/km/tips/new", headers={"Accept-Encoding": "gzip"})
    assert "no-store" in tip_form.headers["Cache-Control"]
    assert tip_form.get_data()[8] == 0
    login(client, moderator)
    staff = client.get("/en/staff/", headers={"Accept-Encoding": "gzip"})
    assert "no-store" in staff.headers["Cache-Control"] and "no-store" not in public.headers.get("Cache-Control", "")
    assert staff.headers["Content-Encoding"] == public.headers["Content-Encoding"] == "gzip"
    # The gzip header's XFL byte: 4 for the fastest level, 0 for the levels between.
    assert staff.get_data()[8] == 4
    assert public.get_data()[8] == 0
    assert "<html" in gzip.decompress(staff.get_data()).decode()


def test_fonts_are_not_compressed_twice(client):
    response = client.get("/static/fonts/noto-sans-khmer-400-core.woff2",
                          headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert "Content-Encoding" not in response.headers
    response.close()


def test_fonts_named_in_the_stylesheet_carry_their_hash_and_are_cached_for_a_year(client):
    css = client.get(_css_url(client))
    fonts = re.findall(r"url\(\.\./(fonts/[^)?]+\.woff2)\?v=([0-9a-f]{12})\)", css.get_data(as_text=True))
    css.close()
    assert len(fonts) >= 5
    for path, version in fonts:
        response = client.get(f"/static/{path}?v={version}")
        assert response.status_code == 200, path
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        response.close()


def test_favicon_ico_is_answered_with_the_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert b"<svg" in response.get_data()
    response.close()
