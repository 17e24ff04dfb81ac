"""The story, figures, help, news, feed, sitemap and sharing tags; the demo content with its sources."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date

import pytest

from portal.data.monuments import MONUMENTS
from portal.services import content as content_service
from tests.conftest import make_app
from tests.content_helpers import load_demo, make_figure, make_monument, make_news

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"
PUBLIC_PATHS = ["/{lang}/", "/{lang}/monuments/", "/{lang}/repatriation/", "/{lang}/statistics/", "/{lang}/help",
                "/{lang}/news/", "/{lang}/privacy", "/{lang}/monuments/takeo", "/{lang}/monuments/phnom-penh",
                "/{lang}/news/24th-meeting-specialised-committees"]
FACT_VALUES = {781, 2, 11, 4286, 160}  # every number in sources/FACTS.md that the figures table shows


@pytest.fixture
def demo(db_session):
    load_demo(db_session)
    return db_session


@pytest.mark.parametrize("lang", ["vi", "km", "en"])
@pytest.mark.parametrize("path", PUBLIC_PATHS)
def test_every_public_page_opens_in_every_language(client, demo, lang, path):
    response = client.get(path.format(lang=lang))
    assert response.status_code == 200
    assert f'<html lang="{lang}">' in response.get_data(as_text=True)


def test_demo_content_meets_the_issue(demo):
    from sqlalchemy import select

    from portal.models.content import Figure, Monument, NewsItem

    monuments = demo.scalars(select(Monument)).all()
    complete = [m for m in monuments if {t.lang for t in m.texts} == {"vi", "km", "en"}]
    assert len(complete) >= 15  # issue #15 item 7: at least 15 real monuments
    assert len({m.province_code for m in complete}) >= 15
    assert not any(m.is_sample for m in monuments)  # real monuments only, no invented ones
    assert all(m.published and m.sources for m in monuments)
    assert all(s.publisher and s.title and s.url.startswith(("http://", "https://")) and s.language
               for m in monuments for s in m.sources)
    figures = demo.scalars(select(Figure)).all()
    assert {f.value for f in figures} == FACT_VALUES
    assert all(f.source_publisher and f.source_title and f.is_official for f in figures)
    assert all({t.lang for t in f.texts} == {"vi", "km", "en"} for f in figures)
    news = demo.scalars(select(NewsItem)).all()
    assert len(news) == 2
    assert all(n.source_publisher and not n.is_sample for n in news)


def test_demo_loader_skips_what_is_already_there(demo):
    from sqlalchemy import func, select

    from portal.models.content import Figure, Monument, NewsItem, Page

    def counts():
        return [demo.scalar(select(func.count()).select_from(m)) for m in (Monument, Page, Figure, NewsItem)]

    before = counts()
    load_demo(demo)
    assert counts() == before


def test_home_shows_cited_facts_news_monuments_and_the_way_to_report(client, demo, app):
    html = client.get("/en/").get_data(as_text=True)
    assert "781 sets of remains" in html
    assert "11 search teams" in html
    assert html.count("Source: Việt Nam News (VNA/VNS)") == 2
    assert 'href="/en/news/24th-meeting-specialised-committees"' in html
    assert len(re.findall(r'class="monument-card"', html)) == 4
    if "tips.new" in app.view_functions:
        assert 'href="/en/tips/new"' in html


def test_home_in_khmer_writes_numbers_in_khmer_digits(client, demo):
    html = client.get("/km/").get_data(as_text=True)
    assert "៧៨១" in html
    assert "១១" in html


def test_repatriation_story_cites_its_sources(client, demo):
    html = client.get("/en/repatriation/").get_data(as_text=True)
    for fact in ("28 August 2000", "specialised committee", "dry season", "11 search and collection teams",
                 "781 sets", "4,286 sets", "Team K92", "160 sets in Koh Kong",
                 "Việt Nam News (VNA/VNS), report on the 24th meeting",
                 "Vietnamese press (TTXVN), report on the signing ceremony in Koh Kong, 6 October 2025"):
        assert fact in html
    vi = client.get("/vi/repatriation/").get_data(as_text=True)
    assert "28 tháng 8 năm 2000" in vi
    assert "4.286 bộ hài cốt" in vi
    km = client.get("/km/repatriation/").get_data(as_text=True)
    assert "២៨ ខែសីហា ឆ្នាំ២០០០" in km
    assert "៧៨១ សព" in km


def test_statistics_show_only_sourced_figures_in_a_table_and_a_chart(client, demo):
    html = client.get("/en/statistics/").get_data(as_text=True)
    cells = re.findall(r'<td data-label="Number" class="num">([\d,]+)</td>', html)
    assert {int(c.replace(",", "")) for c in cells} == FACT_VALUES
    assert html.count("Việt Nam News (VNA/VNS), Report on the 24th meeting") == 2
    assert html.count("TTXVN, Report on the signing ceremony") == 3
    vi = client.get("/vi/statistics/").get_data(as_text=True)
    assert vi.count('lang="vi">Việt Nam News (VNA/VNS), bài về Kỳ họp lần thứ XXIV') == 2  # described in Vietnamese
    km = client.get("/km/statistics/").get_data(as_text=True)
    assert km.count('lang="km">TTXVN, អត្ថបទអំពីពិធីចុះហត្ថលេខា') == 3
    assert "Report on the" not in km and "២០២៥" in km
    charts = re.findall(r"<svg .*?</svg>", html, re.S)
    assert len(charts) == 2  # sets of remains in 2024–2025 and all seasons together; teams only in the table
    for chart in charts:
        assert 'role="img"' in chart
        assert "<title id=" in chart
        assert "<desc id=" in chart
        assert "style" not in chart
    chart_values = {int(v.replace(",", "")) for c in charts
                    for v in re.findall(r'font-weight="700" fill="#1b1f23">([\d,]+)</text>', c)}
    assert chart_values == {781, 2, 4286, 160}


def test_statistics_with_no_figures_show_no_number(client):
    html = client.get("/en/statistics/").get_data(as_text=True)
    main = html.split('<main id="main"', 1)[1].split("</main>", 1)[0]
    assert "No official figure matches" in main
    assert "<svg" not in main
    assert "<table" not in main


def test_statistics_filter_by_season_and_province(client, demo):
    html = client.get("/en/statistics/?season=2024-2025").get_data(as_text=True)
    assert "Dry season 2024–2025" in html
    assert "Dry season 2025–2026" not in html
    html = client.get("/en/statistics/?province=09").get_data(as_text=True)
    cells = {int(c) for c in re.findall(r'class="num">(\d+)</td>', html)}
    assert cells == {2, 160}
    html = client.get("/en/statistics/?season=all").get_data(as_text=True)
    cells = {int(c.replace(",", "")) for c in re.findall(r'class="num">([\d,]+)</td>', html)}
    assert cells == {4286, 160}
    assert client.get("/en/statistics/?season=2024-2026&province=xx").status_code == 200


def test_figure_label_falls_back_with_its_lang(client, db_session):
    from portal.db import write_transaction
    from portal.services import content_editing

    with write_transaction(db_session):
        content_editing.save_figure(db_session, None, season="2024-2025", province_code=None, metric="m",
                                    unit="teams", value=5, source_publisher="P", source_title="T",
                                    source_year=None, texts={"vi": {"label": "Số đội"}})
    html = client.get("/km/statistics/").get_data(as_text=True)
    assert '<span lang="vi">Số đội</span>' in html


def test_portal_recorded_figures_are_shown_apart_and_labelled(client, demo, monkeypatch):
    provider = lambda _session: [content_service.PortalFigure("2024-2025", "09", "Remains recovered", 3)]  # noqa: E731
    monkeypatch.setattr(content_service, "PORTAL_FIGURE_PROVIDERS", [provider])
    html = client.get("/en/statistics/").get_data(as_text=True)
    section = html.split('class="portal-figures"', 1)[1]
    assert "Recorded through this portal" in section
    assert "not official statistics" in section
    assert 'class="num">3</td>' in section
    official = html.split('class="portal-figures"', 1)[0]
    assert 'class="num">3</td>' not in official


def test_help_page_shows_no_made_up_contacts(client, demo):
    html = client.get("/vi/help").get_data(as_text=True)
    contacts = html.split('class="contacts"', 1)[1]
    assert "000" not in contacts and "sample" not in contacts.lower().replace('class="sample-note"', "")
    assert contacts.count("Chưa thiết lập") == 3  # phone, Zalo and address: none invented
    assert "tel:" not in contacts
    assert "Ban Chuyên trách" in html  # the official channels, in Vietnamese


def test_help_page_shows_configured_contacts_without_sample_label(database_url, tmp_path):
    app = make_app(database_url, tmp_path, CONTACT_PHONE="+84 24 3825 0000", CONTACT_ZALO="0912345678",
                   CONTACT_ADDRESS="1 Example Street, Hà Nội")
    try:
        html = app.test_client().get("/en/help").get_data(as_text=True)
    finally:
        app.extensions["portal.engine"].dispose()
    contacts = html.split('class="contacts"', 1)[1]
    assert 'href="tel:+842438250000"' in contacts
    assert "sample-label" not in contacts


def test_news_is_newest_first_with_an_item_page(client, db_session):
    make_news(db_session, "older", date(2025, 10, 6))
    make_news(db_session, "newer", date(2025, 11, 20))
    make_news(db_session, "draft", date(2025, 12, 1), published=False)
    html = client.get("/en/news/").get_data(as_text=True)
    assert re.findall(r'href="/en/news/([a-z-]+)"', html) == ["newer", "older"]
    item = client.get("/km/news/older").get_data(as_text=True)
    assert "ព័ត៌មាន older" in item
    assert "<p>អត្ថបទ</p>" in item
    assert client.get("/en/news/draft").status_code == 404
    assert client.get("/en/news/nothing-here").status_code == 404


@pytest.mark.parametrize("lang", ["vi", "km", "en"])
def test_atom_feed_parses_and_is_in_its_language(client, demo, lang):
    response = client.get(f"/{lang}/news/feed.xml")
    assert response.mimetype == "application/atom+xml"
    root = ET.fromstring(response.data)  # noqa: S314  (the portal's own response)
    assert root.tag == f"{ATOM}feed"
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == lang
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 2
    for entry in entries:
        link = entry.find(f"{ATOM}link").get("href")
        assert link.startswith(f"http://localhost/{lang}/news/")
        assert entry.find(f"{ATOM}title").text
        assert entry.find(f"{ATOM}updated").text
        content = entry.find(f"{ATOM}content")
        assert content.get("type") == "html"
        assert content.text.startswith("<p>")
    titles = [e.find(f"{ATOM}title").text for e in entries]
    expected = {"vi": "Kỳ họp lần thứ XXIV", "km": "កិច្ចប្រជុំលើកទី២៤", "en": "Specialised committees hold"}
    assert any(t.startswith(expected[lang]) for t in titles)


def test_feed_escapes_markup_in_titles(client, db_session):
    make_news(db_session, "tricky", date(2025, 1, 1), texts={"en": {"title": "A <b> & </feed>", "body": "<p>x</p>"}})
    root = ET.fromstring(client.get("/en/news/feed.xml").data)  # noqa: S314  (the portal's own response)
    assert root.find(f"{ATOM}entry/{ATOM}title").text == "A <b> & </feed>"


def test_sitemap_lists_every_monument_and_news_item_in_every_language(client, demo):
    root = ET.fromstring(client.get("/sitemap.xml").data)  # noqa: S314  (the portal's own response)
    locations = {url.find(f"{SITEMAP}loc").text for url in root.findall(f"{SITEMAP}url")}
    slugs = [record.slug for record in MONUMENTS]
    assert len(slugs) >= 15
    for lang in ("vi", "km", "en"):
        for slug in slugs:
            assert f"http://localhost/{lang}/monuments/{slug}" in locations
        for slug in ("24th-meeting-specialised-committees", "an-giang-koh-kong-sign-phase-25"):
            assert f"http://localhost/{lang}/news/{slug}" in locations
        for path in ("monuments/", "repatriation/", "statistics/", "help", "news/"):
            assert f"http://localhost/{lang}/{path}" in locations
    first = root.find(f"{SITEMAP}url")
    alternates = {link.get("hreflang") for link in first.findall(f"{XHTML}link")}
    assert alternates == {"vi", "km", "en", "x-default"}


def test_sitemap_leaves_out_unpublished_monuments(client, db_session):
    make_monument(db_session, "hidden", published=False)
    assert b"/monuments/hidden" not in client.get("/sitemap.xml").data


def test_pages_have_title_description_canonical_and_open_graph(client, demo):
    html = client.get("/en/monuments/takeo").get_data(as_text=True)
    title = "Việt Nam–Cambodia Friendship Monument, Takeo"
    assert f"<title>{title} · " in html
    assert '<link rel="canonical" href="http://localhost/en/monuments/takeo">' in html
    assert f'<meta property="og:title" content="{title}">' in html
    assert '<meta property="og:url" content="http://localhost/en/monuments/takeo">' in html
    assert '<meta property="og:type" content="article">' in html
    assert '<meta property="og:locale" content="en_US">' in html
    description = re.search(r'<meta name="description" content="([^"]+)">', html).group(1)
    assert description.startswith("The monument was built in 1986")
    assert re.search(r'<meta property="og:description" content="The monument was built in 1986', html)


def test_error_pages_have_no_canonical(client):
    html = client.get("/en/monuments/no-such").get_data(as_text=True)
    assert 'rel="canonical"' not in html


def test_search_results_are_not_indexed(client, demo):
    assert 'name="robots" content="noindex' in client.get("/en/monuments/?q=koh").get_data(as_text=True)
    assert 'name="robots"' not in client.get("/en/monuments/").get_data(as_text=True)


def test_robots_still_keeps_crawlers_out_of_staff_pages(client):
    text = client.get("/robots.txt").get_data(as_text=True)
    assert "Disallow: /km/staff/" in text
    assert "Sitemap: http://localhost/sitemap.xml" in text


def test_figures_need_a_source(db_session):
    from portal.db import write_transaction
    from portal.services import content_editing

    with pytest.raises(content_editing.ContentError), write_transaction(db_session):
        content_editing.save_figure(db_session, None, season="2024-2025", province_code=None, metric="m",
                                    unit="sets", value=1, source_publisher=" ", source_title="T", source_year=None,
                                    texts={})


def test_make_figure_helper_round_trip(client, db_session):
    make_figure(db_session, 42, season="2023-2024", province="02")
    html = client.get("/en/statistics/").get_data(as_text=True)
    assert 'class="num">42</td>' in html
    assert "Dry season 2023–2024" in html
