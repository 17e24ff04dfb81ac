"""Editors (and admins) edit monuments, photos, pages, figures and news in three languages."""

from __future__ import annotations

import io
from datetime import date

import pytest
from PIL import Image
from sqlalchemy import func, select

from portal.db import new_session
from portal.models.audit import AuditEntry
from portal.models.content import Figure, Monument, MonumentPhoto, NewsItem, Page
from tests.content_helpers import load_demo, make_figure, make_monument, make_news
from tests.staff_fixtures import login

MONUMENT = {
    "slug": "kampot-river", "province_code": "07", "district_code": "0708", "address": "Riverside",
    "latitude": "10.6104", "longitude": "104.1815", "built_year": "", "restored_year": "", "published": "y",
    "name_vi": "Đài hữu nghị Kam Pốt", "history_vi": "Dòng một\n\nDòng hai",
    "name_km": "វិមានមិត្តភាព កំពត", "history_km": "<p>ប្រវត្តិ</p>",
    "name_en": "Kampot monument", "history_en": '<p onclick="x()">History <script>alert(1)</script></p>',
}


def _rows(app, model, **where):
    with app.app_context():
        session = new_session()
        try:
            return session.scalars(select(model).filter_by(**where)).all()
        finally:
            session.close()


def _count(app, model) -> int:
    with app.app_context():
        session = new_session()
        try:
            return session.scalar(select(func.count()).select_from(model)) or 0
        finally:
            session.close()


def _jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (120, 30, 30)).save(buffer, format="JPEG")
    return buffer.getvalue()


@pytest.fixture
def editor_client(app, editor):
    client = app.test_client()
    login(client, editor)
    return client


def test_editor_creates_a_monument_in_three_languages(app, editor_client, client):
    response = editor_client.post("/en/staff/content/monuments/new", data=MONUMENT)
    assert response.status_code == 302
    [monument] = _rows(app, Monument, slug="kampot-river")
    assert monument.district_code == "0708"
    assert monument.latitude == pytest.approx(10.6104)
    html = client.get("/en/monuments/kampot-river").get_data(as_text=True)
    assert "<h1>Kampot monument</h1>" in html
    assert "<p>History </p>" in html  # the script and its text are gone, the handler too
    assert "onclick" not in html
    assert "<script>alert" not in html
    assert "<p>Dòng một</p><p>Dòng hai</p>" in client.get("/vi/monuments/kampot-river").get_data(as_text=True)
    assert "kampot-river" in client.get("/km/monuments/?q=kam+pot").get_data(as_text=True)
    audit = _rows(app, AuditEntry, action="content.monument_created")
    assert [a.actor_name for a in audit] == ["editor"]


def test_editing_shows_the_saved_text_and_keeps_other_languages(app, editor_client, db_session):
    monument_id = make_monument(db_session, "edit-me", "12")
    page = editor_client.get(f"/en/staff/content/monuments/{monument_id}").get_data(as_text=True)
    assert 'value="Monument edit-me"' in page
    assert 'lang="km"' in page
    response = editor_client.post(f"/en/staff/content/monuments/{monument_id}", data={
        "slug": "edit-me", "province_code": "12", "published": "y",
        "name_vi": "Tên mới", "name_en": "Monument edit-me", "name_km": "", "history_km": ""})
    assert response.status_code == 302
    [monument] = _rows(app, Monument, slug="edit-me")
    with app.app_context():
        session = new_session()
        texts = {t.lang: t.name for t in session.get(Monument, monument.id).texts}
        session.close()
    assert texts == {"vi": "Tên mới", "en": "Monument edit-me"}  # an emptied language is removed


@pytest.mark.parametrize(("change", "error"), [
    ({"slug": "Not A Slug"}, "lower-case Latin letters"),
    ({"province_code": ""}, "Please fill in this field."),
    ({"district_code": "1201"}, "not in the chosen province"),
    ({"latitude": "", "longitude": "104.1"}, "both latitude and longitude"),
    ({"latitude": "48.85", "longitude": "2.35"}, "between 9 and 15 degrees north"),
])
def test_monument_form_explains_mistakes_and_saves_nothing(app, editor_client, change, error):
    response = editor_client.post("/en/staff/content/monuments/new", data={**MONUMENT, **change})
    assert response.status_code == 200
    assert error in response.get_data(as_text=True)
    assert 'class="field-error"' in response.get_data(as_text=True)
    assert _count(app, Monument) == 0


def test_slug_must_be_unique(app, editor_client, db_session):
    make_monument(db_session, "kampot-river", "07")
    response = editor_client.post("/en/staff/content/monuments/new", data=MONUMENT)
    assert "Another item already uses this web address name." in response.get_data(as_text=True)
    assert _count(app, Monument) == 1


def test_photo_is_reencoded_and_described_in_each_language(app, editor_client, client, db_session):
    monument_id = make_monument(db_session, "with-photo", "12")
    response = editor_client.post(f"/en/staff/content/monuments/{monument_id}/photos", data={
        "photo": (io.BytesIO(_jpeg()), "monument.jpg"), "alt_vi": "Tượng đài nhìn từ phía trước",
        "alt_km": "", "alt_en": "The monument from the front", "credit": "Editor"},
        content_type="multipart/form-data")
    assert response.status_code == 302
    [photo] = _rows(app, MonumentPhoto)
    assert (photo.width, photo.height, photo.content_type) == (64, 48, "image/jpeg")
    html = client.get("/km/monuments/with-photo").get_data(as_text=True)
    assert f'src="/monuments/photos/{photo.id}" alt="Tượng đài nhìn từ phía trước" lang="vi"' in html
    assert client.get(f"/monuments/photos/{photo.id}").data[:2] == b"\xff\xd8"
    response = editor_client.post(f"/en/staff/content/photos/{photo.id}", data={
        f"photo-{photo.id}-alt_km": "វិមាន", f"photo-{photo.id}-alt_vi": "Tượng đài", f"photo-{photo.id}-credit": ""})
    assert response.status_code == 302
    assert 'alt="វិមាន"' in client.get("/km/monuments/with-photo").get_data(as_text=True)
    editor_client.post(f"/en/staff/content/photos/{photo.id}/delete")
    assert _count(app, MonumentPhoto) == 0


def test_photo_needs_a_description_and_must_be_a_photo(app, editor_client, db_session):
    monument_id = make_monument(db_session, "with-photo", "12")
    url = f"/en/staff/content/monuments/{monument_id}/photos"
    response = editor_client.post(url, data={"photo": (io.BytesIO(_jpeg()), "a.jpg")},
                                  content_type="multipart/form-data")
    assert response.status_code == 400
    assert "at least one language" in response.get_data(as_text=True)
    response = editor_client.post(url, data={"photo": (io.BytesIO(b"<svg onload=alert(1)>"), "a.jpg"),
                                             "alt_en": "x"}, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "not a photo" in response.get_data(as_text=True)
    assert _count(app, MonumentPhoto) == 0


def test_editor_edits_the_repatriation_page(app, editor_client, client, db_session):
    load_demo(db_session)
    page = editor_client.get("/km/staff/content/pages/repatriation").get_data(as_text=True)
    assert "28 August 2000" in page
    response = editor_client.post("/km/staff/content/pages/repatriation", data={
        "title_vi": "Tìm kiếm", "body_vi": "<h2>Mới</h2><p>Nội dung <a href=\"https://example.org\">nguồn</a></p>",
        "title_en": "Search", "body_en": "<p>New</p>", "title_km": "", "body_km": ""})
    assert response.status_code == 302
    html = client.get("/km/repatriation/").get_data(as_text=True)
    assert '<h1><span lang="vi">Tìm kiếm</span></h1>' in html
    assert '<a href="https://example.org">nguồn</a>' in html
    assert editor_client.get("/en/staff/content/pages/not-a-page").status_code == 404


def test_figure_needs_its_source(app, editor_client):
    data = {"season": "2025-2026", "province_code": "", "metric": "search_teams", "unit": "teams", "value": "11",
            "source_publisher": "", "source_title": "", "label_en": "Teams"}
    response = editor_client.post("/en/staff/content/figures/new", data=data)
    assert response.status_code == 200
    assert _count(app, Figure) == 0
    assert response.get_data(as_text=True).count('class="field-error"') >= 2
    response = editor_client.post("/en/staff/content/figures/new", data={
        **data, "source_publisher": "Việt Nam News (VNA/VNS)", "source_title": "24th meeting"})
    assert response.status_code == 302
    [figure] = _rows(app, Figure)
    assert (figure.season, figure.value, figure.source_publisher) == ("2025-2026", 11, "Việt Nam News (VNA/VNS)")


@pytest.mark.parametrize("season", ["2024", "2024-2026", "24-25"])
def test_figure_season_must_be_two_following_years(app, editor_client, season):
    response = editor_client.post("/en/staff/content/figures/new", data={
        "season": season, "metric": "search_teams", "unit": "teams", "value": "1", "source_publisher": "P",
        "source_title": "T"})
    assert response.status_code == 200
    assert _count(app, Figure) == 0


def test_editor_edits_and_deletes_a_figure(app, editor_client, client, db_session):
    figure_id = make_figure(db_session, 781)
    page = editor_client.get(f"/en/staff/content/figures/{figure_id}").get_data(as_text=True)
    assert 'value="781"' in page
    assert 'value="Test Publisher"' in page
    editor_client.post(f"/en/staff/content/figures/{figure_id}", data={
        "season": "2024-2025", "metric": "remains_repatriated", "unit": "sets", "value": "782",
        "source_publisher": "Test Publisher", "source_title": "Test report", "label_en": "Sets"})
    assert 'class="num">782</td>' in client.get("/en/statistics/").get_data(as_text=True)
    editor_client.post(f"/en/staff/content/figures/{figure_id}/delete")
    assert _count(app, Figure) == 0


def test_editor_writes_news_that_appears_in_the_feed(app, editor_client, client):
    response = editor_client.post("/en/staff/content/news/new", data={
        "slug": "25th-meeting", "published_on": "2026-01-15", "published": "y",
        "source_publisher": "Việt Nam News", "source_title": "25th meeting", "source_year": "2026",
        "title_vi": "Phiên họp thứ 25", "summary_vi": "Tóm tắt", "body_vi": "Nội dung",
        "title_en": "25th meeting", "summary_en": "Summary", "body_en": "Body"})
    assert response.status_code == 302
    [item] = _rows(app, NewsItem)
    assert item.published_on == date(2026, 1, 15)
    assert b"25th meeting" in client.get("/en/news/feed.xml").data
    assert "Phiên họp thứ 25" in client.get("/km/news/25th-meeting").get_data(as_text=True)


def test_missing_translations_are_listed(app, editor_client, db_session):
    make_monument(db_session, "complete", "12")
    make_monument(db_session, "vietnamese-only", "12", texts={"vi": {"name": "Chỉ tiếng Việt", "history": "<p>x</p>"}})
    text = {"title": "T", "summary": "S", "body": "<p>B</p>"}
    make_news(db_session, "no-khmer", date(2025, 1, 1), texts={"vi": text, "en": text})
    html = editor_client.get("/en/staff/content/missing-translations").get_data(as_text=True)
    table = html.split('id="missing-translations"', 1)[1]
    assert "Chỉ tiếng Việt" in table
    assert "/en/staff/content/news/" in table
    assert "Monument complete" not in table
    row = table.split("Chỉ tiếng Việt", 1)[1].split("</tr>", 1)[0]
    assert 'lang="km">ខ្មែរ</span>' in row
    assert 'lang="en">English</span>' in row
    assert "Tiếng Việt" not in row
    overview = editor_client.get("/en/staff/content/").get_data(as_text=True)
    assert "2 items lack a translation" in overview


def test_admin_may_edit_content_and_moderator_may_not(app, admin, moderator):
    as_admin = app.test_client()
    login(as_admin, admin)
    assert as_admin.get("/en/staff/content/").status_code == 200
    as_moderator = app.test_client()
    login(as_moderator, moderator)
    assert as_moderator.get("/en/staff/content/").status_code == 403
    assert as_moderator.post("/en/staff/content/monuments/new", data=MONUMENT).status_code == 403
    assert _count(app, Monument) == 0


def test_content_changes_make_cached_pages_stale(app, editor_client, db_session):
    from portal.models.site_state import SiteState
    from portal.page_cache import CONTENT_VERSION, read_content_version

    if db_session.get(SiteState, CONTENT_VERSION) is None:  # PostgreSQL test runs empty every table
        db_session.add(SiteState(key=CONTENT_VERSION, value=0))
        db_session.commit()
    before = read_content_version(db_session)
    editor_client.post("/en/staff/content/monuments/new", data=MONUMENT)
    db_session.rollback()
    assert read_content_version(db_session) > before


def test_content_forms_without_csrf_token_change_nothing(csrf_app, editor, db_session):
    client = csrf_app.test_client()
    login(client, editor)
    monument_id = make_monument(db_session, "kept", "12")
    figure_id = make_figure(db_session, 5)
    news_id = make_news(db_session, "kept-news", date(2025, 1, 1))
    forms = [
        ("/en/staff/content/monuments/new", MONUMENT),
        (f"/en/staff/content/monuments/{monument_id}", {**MONUMENT, "slug": "kept"}),
        ("/en/staff/content/pages/help", {"title_vi": "Bị thay", "body_vi": "x"}),
        ("/en/staff/content/figures/new", {"season": "2024-2025", "metric": "search_teams", "unit": "teams",
                                          "value": "3", "source_publisher": "P", "source_title": "T"}),
        ("/en/staff/content/news/new", {"slug": "intruder", "published_on": "2025-01-01", "title_vi": "x"}),
    ]
    for path, data in forms:
        response = client.post(path, data=data)
        assert response.status_code == 200, path
        assert 'id="csrf-error"' in response.get_data(as_text=True), path
    response = client.post(f"/en/staff/content/monuments/{monument_id}/photos",
                           data={"photo": (io.BytesIO(_jpeg()), "a.jpg"), "alt_en": "x"},
                           content_type="multipart/form-data")
    assert response.status_code == 400
    for path in (f"/en/staff/content/monuments/{monument_id}/delete", f"/en/staff/content/figures/{figure_id}/delete",
                 f"/en/staff/content/news/{news_id}/delete"):
        assert client.post(path).status_code == 400, path
    assert [m.slug for m in _rows(csrf_app, Monument)] == ["kept"]
    assert _count(csrf_app, MonumentPhoto) == 0
    assert _count(csrf_app, Page) == 0
    assert _count(csrf_app, Figure) == 1
    assert [n.slug for n in _rows(csrf_app, NewsItem)] == ["kept-news"]
