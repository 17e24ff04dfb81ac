"""The layout's fixed parts are rendered once and reused (``portal.navigation.chrome``): what is
reused must never carry one page's, person's or language's content to another."""

from __future__ import annotations

import re

from portal.navigation import CHROME_KEPT
from tests.staff_fixtures import create_staff, login


def _staff_links(html: str) -> list[str]:
    block = re.search(r'<ul class="staff-links">(.*?)</ul>', html, re.S)
    assert block, html
    return re.findall(r'href="([^"]+)"', block.group(1))


def _language_links(html: str) -> list[str]:
    block = re.search(r'<nav class="lang-switch"[^>]*>(.*?)</nav>', html, re.S)
    assert block, html
    return re.findall(r'href="([^"]+)"', block.group(1))


def test_each_member_sees_their_own_menu_and_language(app):
    moderator = create_staff(app, "moderator", username="mod_km", language="km")
    admin = create_staff(app, "admin", username="admin_vi", language="vi")
    first, second = app.test_client(), app.test_client()
    login(first, moderator, lang="km")
    login(second, admin, lang="vi")

    km = first.get("/km/staff/queue").text
    vi = second.get("/vi/staff/queue").text
    km_again = first.get("/km/staff/queue").text

    assert '<html lang="km">' in km and '<html lang="vi">' in vi
    assert "mod_km" in km and "admin_vi" not in km
    assert "admin_vi" in vi and "mod_km" not in vi
    assert "/vi/staff/accounts/" in _staff_links(vi)
    assert not any("/staff/accounts" in href for href in _staff_links(km))
    assert all(href.startswith("/km/") for href in _staff_links(km))
    assert all(href.startswith("/vi/") for href in _staff_links(vi))
    with app.test_request_context("/km/"):
        from flask_babel import force_locale, gettext

        with force_locale("km"):
            home_km = gettext("Home")
        with force_locale("vi"):
            home_vi = gettext("Home")
    assert f'<a href="/km/">{home_km}</a>' in km and f'<a href="/vi/">{home_vi}</a>' in vi
    assert km_again == km  # CSRF is off here: the page is the same the second time


def test_two_roles_on_the_same_page_in_the_same_language_get_their_own_sections(app):
    moderator, editor = create_staff(app, "moderator"), create_staff(app, "editor")
    first, second = app.test_client(), app.test_client()
    login(first, moderator, lang="vi")
    login(second, editor, lang="vi")

    for _ in range(2):  # the second round is served from what the first kept
        as_moderator = _staff_links(first.get("/vi/staff/").text)
        as_editor = _staff_links(second.get("/vi/staff/").text)
        assert "/vi/staff/queue" in as_moderator and "/vi/staff/queue" not in as_editor
        assert "/vi/staff/content/" in as_editor or any("/staff/content" in href for href in as_editor)
        assert not any("/staff/content" in href for href in as_moderator)


def test_the_language_links_follow_the_query_and_the_app_root(app, moderator):
    client = app.test_client()
    login(client, moderator, lang="en")
    new = _language_links(client.get("/en/staff/queue?status=new").text)
    verified = _language_links(client.get("/en/staff/queue?status=verified").text)
    assert new == ["/vi/staff/queue?status=new", "/km/staff/queue?status=new", "/en/staff/queue?status=new"]
    assert verified[0] == "/vi/staff/queue?status=verified"

    page = client.get("/en/staff/queue", base_url="http://localhost/portal")
    assert page.status_code == 200
    assert _language_links(page.text)[0] == "/portal/vi/staff/queue"
    assert all(href.startswith("/portal/") for href in _staff_links(page.text))


def test_nothing_personal_is_kept(csrf_app):
    moderator = create_staff(csrf_app, "moderator")
    client = csrf_app.test_client()
    login(client, moderator, lang="en")
    page = client.get("/en/staff/queue").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]*)"', page).group(1)
    kept = csrf_app.extensions["portal.chrome"]
    assert kept
    for html in kept.values():
        assert moderator.username not in html
        assert token not in html
        assert "notice" not in html  # flashed messages stay outside


def test_what_is_kept_is_bounded(app, moderator):
    client = app.test_client()
    login(client, moderator, lang="en")
    for number in range(CHROME_KEPT // 3 + 20):  # three pieces a page
        assert client.get(f"/en/staff/queue?q=x{number}").status_code == 200
    assert len(app.extensions["portal.chrome"]) <= CHROME_KEPT


def test_a_piece_rendered_under_another_catalog_language_is_kept_apart(app):
    """``force_locale`` (field sheets, exports) translates in another language than the page's."""
    from flask import render_template_string
    from flask_babel import force_locale

    piece = '{% call chrome("words") %}{{ _("Home") }}{% endcall %}'
    with app.test_request_context("/vi/"):
        page_language = render_template_string(piece)
        with force_locale("km"):
            forced = render_template_string(piece)
        with force_locale("en"):
            english = render_template_string(piece)
        again = render_template_string(piece)
    assert english == "Home"
    assert len({page_language, forced, english}) == 3
    assert again == page_language


def test_each_receipt_shows_its_own_code_in_its_own_language(app):
    from flask_babel import lazy_gettext as _l

    from tests.tip_helpers import page, short_form, translated

    codes, intros = {}, {}
    for number, lang in enumerate(("km", "vi", "km", "en")):
        response = app.test_client().post(f"/{lang}/tips/new",
                                          data=short_form(submission_id=f"layout-cache-key-{number:04d}"))
        assert response.status_code == 201
        html = page(response)
        codes[number] = html.by_id("receipt-code").text.strip()
        intros[number] = html.with_class("lead")[0].text.strip()
        assert intros[number] == translated(app, lang, _l(
            "Here is your receipt code. Write it down or print this page now: it is the only way to follow up "
            "your report, and for your safety we cannot show it to you again."))
    assert len(set(codes.values())) == 4
    assert intros[0] == intros[2] and len({intros[0], intros[1], intros[3]}) == 3
    for html in app.extensions["portal.chrome"].values():
        assert not any(code in html for code in codes.values())


def test_each_photo_form_carries_its_own_report_and_a_refused_photo_shows_its_error(csrf_app):
    """The photo form's fixed parts are kept; its tokens and a field with an error are drawn anew."""
    from io import BytesIO

    from tests.tip_helpers import page, short_form

    tokens, csrf = set(), set()
    for number in range(2):
        client = csrf_app.test_client()
        form = page(client.get("/km/tips/new"))
        response = client.post("/km/tips/new", data=short_form(
            submission_id=f"photo-form-cache-{number:04d}", csrf_token=form.field_value("csrf_token")))
        assert response.status_code == 201
        receipt = page(response)
        tokens.add(receipt.field_value("followup"))
        csrf.add(receipt.by_id("photo-csrf-token").get("value"))
        assert receipt.by_id("photo").get("accept") == "image/jpeg,image/png,image/webp"
        refused = client.post("/km/tips/photos", content_type="multipart/form-data", data={
            "followup": receipt.field_value("followup"), "csrf_token": receipt.by_id("photo-csrf-token").get("value"),
            "photo": (BytesIO(b"<svg/>"), "map.svg")})
        assert refused.status_code == 400
        assert page(refused).error_for("photo")  # the error is shown, not a kept error-free field
    assert len(tokens) == 2 and len(csrf) == 2
    for html in csrf_app.extensions["portal.chrome"].values():
        assert not any(token in html for token in tokens | csrf)


def test_two_requests_under_one_app_context_each_get_their_own_layout(app):
    """A script or a test may push several requests inside one app context, where ``g`` outlives
    each of them: the second request's layout pieces must not be keyed by the first one's page."""
    from portal.navigation import chrome_key

    with app.app_context():
        with app.test_request_context("/vi/tips/new"):
            tip_form = chrome_key("site-header", ())
        with app.test_request_context("/vi/tips/status"):
            status = chrome_key("site-header", ())
    assert tip_form != status
    assert "tips.new" in tip_form and "tips.status" in status
