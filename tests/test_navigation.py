"""One registry of public pages (``portal.navigation.PAGES``) drives the menu, the sitemap and page editing."""

from __future__ import annotations

import re

from flask import url_for

from portal.navigation import EDITABLE_PAGES, MENU, PAGES, SITEMAP_ENDPOINTS
from tests.staff_fixtures import login


def _menu_urls(html: str) -> list[str]:
    nav = re.search(r'<nav class="site-nav".*?</nav>', html, re.S)
    assert nav is not None
    return re.findall(r'<a href="([^"]+)"', nav.group(0))


def test_every_declared_page_is_listed_as_declared(app, client, editor):
    with app.test_request_context("/en/"):
        urls = {page.endpoint: url_for(page.endpoint, lang="en") for page in PAGES}
        edit_urls = {slug: url_for("staff.page_edit", lang="en", page_slug=slug) for slug in EDITABLE_PAGES}

    # The menu: the pages marked in_menu, in the order declared.
    assert _menu_urls(client.get("/en/").get_data(as_text=True)) == [urls[page.endpoint] for page in MENU]
    assert [page.endpoint for page in MENU] == [page.endpoint for page in PAGES if page.in_menu]

    # The sitemap: exactly the pages marked in_sitemap (monuments and news items come on top).
    sitemap = client.get("/sitemap.xml").get_data(as_text=True)
    for page in PAGES:
        listed = f"<loc>http://localhost{urls[page.endpoint]}</loc>" in sitemap
        assert listed == page.in_sitemap, page.endpoint
    assert set(SITEMAP_ENDPOINTS) == {page.endpoint for page in PAGES if page.in_sitemap}

    # Editing: every editable page, and only those, in the staff content list and its editor,
    # which links back to the page's public address.
    login(client, editor)
    content_list = client.get("/en/staff/content/").get_data(as_text=True)
    assert {page.slug for page in PAGES if page.editable} == set(EDITABLE_PAGES) == {"repatriation", "help"}
    for slug, page in EDITABLE_PAGES.items():
        assert f'href="{edit_urls[slug]}">{page.editor_label}</a>' in content_list
        editor_page = client.get(edit_urls[slug])
        assert editor_page.status_code == 200
        assert f'href="{urls[page.endpoint]}"' in editor_page.get_data(as_text=True)
    assert client.get("/en/staff/content/pages/privacy").status_code == 404
