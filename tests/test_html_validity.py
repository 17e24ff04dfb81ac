"""Every kind of page is valid HTML, checked by the Nu Html Checker (vnu), in all three languages.

Each page type is rendered with the test client — public pages, the tip form and follow-up in
their states (errors, receipt, status with messages, after a reply), staff pages with real rows
(queue, a tip with messages, notes, photos and a likely duplicate, exports, field sheets,
accounts, audit, content editing) and the error pages — written to a temporary directory and
checked by one run of vnu (one JVM start). Every GET endpoint of ``app.url_map`` is either
rendered here or listed in ``NOT_CHECKED`` with the reason, so a new page cannot be forgotten.

vnu comes from ``scripts/setup`` (a pinned ``vnu-jar`` from npm in ``.tools/vnu``, run by the
Java of Debian's ``default-jre-headless``); ``PORTAL_VNU_JAR`` and ``PORTAL_JAVA`` point elsewhere.
Without it the test is skipped — except with ``CI=true``, where it fails.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pyotp
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import select
from werkzeug.exceptions import HTTPException

from portal.db import new_session
from portal.i18n import LOCALES
from portal.models.content import Figure, Monument, NewsItem
from portal.models.tip import TipPhoto
from tests.conftest import skip_or_fail
from tests.content_helpers import load_demo, make_figure, make_news
from tests.staff_fixtures import create_staff, login
from tests.tip_factory import make_tip
from tests.tip_helpers import short_form

ROOT = Path(__file__).resolve().parents[1]
VNU_JAR = Path(os.environ.get("PORTAL_VNU_JAR", ROOT / ".tools/vnu/node_modules/vnu-jar/build/dist/vnu.jar"))
JAVA = os.environ.get("PORTAL_JAVA", "java")

# GET endpoints whose answer is not an HTML page (or only sends the visitor on): nothing to validate.
NOT_CHECKED = {
    "static": "CSS, scripts, fonts and images",
    "favicon": "an image",
    "public.root": "a redirect to the home page in the visitor's language",
    "public.healthz": "a plain-text health check",
    "public.robots": "robots.txt",
    "public.sitemap": "XML",
    "public.news_feed": "an Atom feed (XML)",
    "public.monument_photo": "a JPEG",
    "tips.places": "JSON for the place pickers",
    "staff.tip_photo": "a JPEG",
    "staff.monument_photo_image": "a JPEG",
}
# Statuses a checked page may answer with (a redirect or a 500 means the page was not rendered).
PAGE_STATUSES = {200, 201, 400, 403, 404, 405, 413, 422}


@dataclass
class Rendered:
    name: str
    method: str
    path: str
    status: int
    html: str


class Pages:
    """Collects rendered pages; fails on anything that is not an HTML page."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.adapter = app.url_map.bind("localhost")
        self.pages: list[Rendered] = []
        self.endpoints: set[str] = set()

    def add(self, name: str, client: FlaskClient, path: str, method: str = "GET", **kwargs: Any) -> str:
        response = client.open(path, method=method, **kwargs)
        path, method = response.request.path, response.request.method  # where a followed redirect ended
        where = f"{name}: {method} {path} → {response.status_code} {response.location or ''}"
        assert response.status_code in PAGE_STATUSES, where
        assert response.mimetype == "text/html", where
        html = response.get_data(as_text=True)
        self.pages.append(Rendered(name, method, path, response.status_code, html))
        with contextlib.suppress(HTTPException):  # an error page for a URL that matches no rule
            endpoint, _ = self.adapter.match(path, method=method)
            self.endpoints.add(str(endpoint))
        return html


def get_endpoints(app: Flask) -> set[str]:
    return {rule.endpoint for rule in app.url_map.iter_rules() if "GET" in (rule.methods or set())}


def _jpeg(colour: str = "teal") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(buffer, "JPEG")
    return buffer.getvalue()


def _one(app: Flask, statement: Any) -> Any:
    with app.app_context():
        session = new_session()
        try:
            return session.scalars(statement).first()
        finally:
            session.close()


def _field(html: str, name: str) -> str:
    match = re.search(rf'name="{name}"[^>]*value="([^"]*)"', html) or \
        re.search(rf'value="([^"]*)"[^>]*name="{name}"', html)
    assert match, f"no field {name}"
    return match.group(1)


# -- the content and tips the pages show ----------------------------------------------------------

def make_content(app: Flask, editor_client: FlaskClient) -> dict[str, Any]:
    with app.app_context():
        session = new_session()
        try:
            load_demo(session)
            make_figure(session, 120, province="17")
            make_news(session, "html-check", date(2025, 3, 1))
        finally:
            session.close()
    monument = _one(app, select(Monument).order_by(Monument.id))
    response = editor_client.post(f"/en/staff/content/monuments/{monument.id}/photos", data={
        "photo": (io.BytesIO(_jpeg()), "monument.jpg"), "alt_vi": "Tượng đài", "alt_km": "វិមាន",
        "alt_en": "The monument", "credit": "Editor"}, content_type="multipart/form-data")
    assert response.status_code == 302, response.text
    news = _one(app, select(NewsItem).order_by(NewsItem.id))
    figure = _one(app, select(Figure).order_by(Figure.id))
    return {"monument": monument, "news": news, "figure": figure}


def make_tips(app: Flask) -> dict[str, Any]:
    """Several queue rows; one tip with photos, contact details and a likely duplicate."""
    main = make_tip(app, language="vi", province_code="17", district_code="1701", commune_code="170101",
                    village_code="17010101", latitude=13.5, longitude=103.7, uncertainty_m=50,
                    what_seen="Hai ngôi mộ liệt sĩ dưới cây me, cạnh ao chùa cũ", fallen_names="Nguyễn Văn An",
                    contact_name="Sok Chan", contact_phone="+855 12 345 678", consent=True, photos=2)
    make_tip(app, language="km", province_code="17", district_code="1701", commune_code="170101",
             village_code="17010101", latitude=13.5, longitude=103.7008,
             what_seen="Hai ngôi mộ liệt sĩ dưới cây me, gần ao chùa", fallen_names="Nguyen Van An")
    make_tip(app, language="en", province_code="03", what_seen="A mound behind the school")
    make_tip(app, language="km", what_seen="ផ្នូរបីនៅជិតវត្តចាស់")
    photo_id = _one(app, select(TipPhoto.id).where(TipPhoto.tip_id == main.tip_id))
    return {"tip": main.tip_id, "receipt": main.receipt, "photo": photo_id}


# -- rendering every page type in one language ----------------------------------------------------

def render_public(pages: Pages, lang: str, content: dict[str, Any]) -> None:
    visitor = pages.app.test_client()
    for name, path in [("home", "/"), ("monuments", "/monuments/"), ("monuments-search", "/monuments/?q=zzzz"),
                       ("monument", f"/monuments/{content['monument'].slug}"), ("repatriation", "/repatriation/"),
                       ("statistics", "/statistics/"), ("site-map", "/statistics/communes"), ("news", "/news/"),
                       ("news-item", f"/news/{content['news'].slug}"), ("help", "/help"), ("privacy", "/privacy")]:
        pages.add(name, visitor, f"/{lang}{path}")


def render_tips(pages: Pages, lang: str, tips: dict[str, Any], moderator_client: FlaskClient) -> None:
    visitor = pages.app.test_client()
    url = f"/{lang}/tips/new"
    pages.add("tip-form", visitor, url)
    pages.add("tip-form-errors", visitor, url, "POST", data=short_form(what_seen="", province="",
                                                                      submission_id=f"errors-{lang}"))
    pages.add("tip-form-place-step", visitor, url, "POST", data=short_form(province="03", action="place"))
    data = short_form(submission_id=f"html-check-{lang}")
    receipt = pages.add("tip-receipt", visitor, url, "POST", data=data)
    pages.add("tip-already-received", visitor, url, "POST", data=data)
    photos = f"/{lang}/tips/photos"
    photo = {"followup": _field(receipt, "followup")}
    pages.add("tip-photo-received", visitor, photos, "POST", content_type="multipart/form-data",
              data={**photo, "photo": (io.BytesIO(_jpeg("olive")), "more.jpg")})
    pages.add("tip-photo-refused", visitor, photos, "POST", content_type="multipart/form-data",
              data={**photo, "photo": (io.BytesIO(b"<svg/>"), "map.svg")})
    pages.add("tip-photo-expired", visitor, photos, "POST", data={"followup": "expired"})
    app = pages.app
    limit = app.config["MAX_CONTENT_LENGTH"]
    app.config["MAX_CONTENT_LENGTH"] = 1000
    try:
        pages.add("tip-too-large", visitor, url, "POST", content_type="multipart/form-data",
                  data={**short_form(), "photos": (io.BytesIO(_jpeg() + b"0" * 2000), "big.jpg")})
        pages.add("tip-photo-too-large", visitor, photos, "POST", content_type="multipart/form-data",
                  data={**photo, "photo": (io.BytesIO(_jpeg() + b"0" * 2000), "big.jpg")})
    finally:
        app.config["MAX_CONTENT_LENGTH"] = limit

    status = f"/{lang}/tips/status"
    moderator_client.post(f"/{lang}/staff/tips/{tips['tip']}/messages",
                          data={"message-body": f"Which side of the pagoda? ({lang})"})
    pages.add("status-lookup", visitor, status)
    pages.add("status-lookup-errors", visitor, status, "POST", data={"receipt": "K7QM-4XRT-9HPA-3ZW0",
                                                                     "action": "lookup"})
    html = pages.add("status-messages", visitor, status, "POST", data={"receipt": tips["receipt"],
                                                                       "action": "lookup"})
    pages.add("status-after-reply", visitor, status, "POST", data={
        "followup": _field(html, "followup"), "body": f"The east side ({lang})", "action": "reply"})
    pages.add("status-reply-errors", visitor, status, "POST", data={
        "followup": _field(html, "followup"), "body": "x" * 20000, "action": "reply"})
    pages.add("status-reply-expired", visitor, status, "POST", data={"followup": "expired", "body": "Hello",
                                                                     "action": "reply"})


def render_families(pages: Pages, lang: str, admin_client: FlaskClient, tips: dict[str, Any]) -> None:
    """A family's inquiry (issue #19): the form and its states, the receipt, the follow-up; the
    staff's list and inquiry page, with a proposed tip, a confirmed link and the contact shown."""
    visitor = pages.app.test_client()
    url = f"/{lang}/inquiries/new"
    family = {"fallen_name": "Nguyễn Văn An", "unit": "E88", "death_date": "1979", "contact_name": "Mai",
              "contact_phone": "0912 345 678", "consent": "y", "action": "submit",
              "submission_id": f"family-html-check-{lang}"}
    pages.add("inquiry-form", visitor, url)
    pages.add("inquiry-form-errors", visitor, url, "POST", data={**family, "fallen_name": "", "birth_year": "58",
                                                                 "submission_id": f"family-errors-{lang}"})
    pages.add("inquiry-form-place-step", visitor, url, "POST", data={**family, "hometown_province": "40",
                                                                     "action": "place"})
    receipt_html = pages.add("inquiry-receipt", visitor, url, "POST", data=family)
    code = re.search(r'id="receipt-code"[^>]*>([^<]+)<', receipt_html)
    assert code, "no receipt code"
    status = f"/{lang}/inquiries/status"
    pages.add("inquiry-lookup", visitor, status)
    pages.add("inquiry-lookup-errors", visitor, status, "POST", data={"receipt": "K7QM", "action": "lookup"})
    number = re.search(r'data-inquiry="(\d+)"', admin_client.get(f"/{lang}/staff/inquiries").get_data(as_text=True))
    assert number, "no inquiry in the staff list"
    inquiry = f"/{lang}/staff/inquiries/{number.group(1)}"
    pages.add("staff-inquiries", admin_client, f"/{lang}/staff/inquiries")
    pages.add("staff-inquiry-proposals", admin_client, inquiry)
    admin_client.post(f"{inquiry}/links", data={"tip": tips["tip"], "decision": "confirmed", "to_site": "y"})
    admin_client.post(f"{inquiry}/messages", data={"message-body": f"We found a report ({lang})"})
    pages.add("staff-inquiry-linked", admin_client, inquiry)
    pages.add("staff-inquiry-contact", admin_client, f"{inquiry}/contact", "POST")
    pages.add("staff-inquiry-link-errors", admin_client, f"{inquiry}/links", "POST",
              data={"tip": "twelve", "decision": "confirmed"})
    html = pages.add("inquiry-status", visitor, status, "POST", data={"receipt": code.group(1), "action": "lookup"})
    pages.add("inquiry-after-reply", visitor, status, "POST", data={
        "followup": _field(html, "followup"), "body": f"Thank you ({lang})", "action": "reply"})
    pages.add("inquiry-reply-expired", visitor, status, "POST", data={"followup": "expired", "body": "Hello",
                                                                      "action": "reply"})


def render_sign_in(pages: Pages, lang: str, admin_client: FlaskClient) -> None:
    app = pages.app
    visitor = app.test_client()
    pages.add("staff-login", visitor, f"/{lang}/staff/login")
    pages.add("staff-login-errors", visitor, f"/{lang}/staff/login", "POST",
              data={"username": "nobody", "password": "wrong password"})
    member = create_staff(app, "moderator", username=f"code-{lang}")
    response = visitor.post(f"/{lang}/staff/login", data={"username": member.username, "password": member.password})
    assert response.status_code == 302
    pages.add("staff-login-code", visitor, f"/{lang}/staff/login/code")
    pages.add("staff-login-code-errors", visitor, f"/{lang}/staff/login/code", "POST", data={"code": "000000"})

    html = pages.add("staff-setup-link", admin_client, f"/{lang}/staff/accounts/new", "POST",
                     data={"username": f"new-{lang}", "role": "moderator", "language": lang})
    link = re.search(r'id="setup-link" href="([^"]+)"', html)
    assert link, "no set-up link"
    path = link.group(1).removeprefix("http://localhost")
    newcomer = app.test_client()
    # The link may move on to a page of its own (the token then leaves the address bar).
    setup_html = pages.add("staff-setup", newcomer, path, follow_redirects=True)
    path = pages.pages[-1].path
    pages.add("staff-setup-errors", newcomer, path, "POST", data={"password": "short", "confirm": "other",
                                                                  "code": "000000"})
    shown = re.search(r'id="totp-secret"[^>]*>(.*?)</p>', setup_html)
    assert shown, "no TOTP secret on the set-up page"
    secret = "".join(re.findall(r"<span>([A-Z2-7]+)</span>", shown.group(1)))
    password = "a brand new password"
    pages.add("staff-setup-done", newcomer, path, "POST", data={"password": password, "confirm": password,
                                                                "code": pyotp.TOTP(secret).now()})
    pages.add("staff-setup-invalid", newcomer, f"/{lang}/staff/setup/not-a-real-token")


def render_staff(pages: Pages, lang: str, admin_client: FlaskClient, tips: dict[str, Any],
                 content: dict[str, Any], target_id: int) -> None:
    staff = f"/{lang}/staff"
    tip = f"{staff}/tips/{tips['tip']}"
    admin_client.post(f"{tip}/notes", data={"note-body": f"Caller sounded credible ({lang})"})
    for name, path in [
        ("staff-home", "/"), ("staff-account", "/account"), ("staff-sessions", "/sessions"),
        ("staff-accounts", "/accounts/"),
        ("staff-account-detail", f"/accounts/{target_id}"), ("staff-account-new", "/accounts/new"),
        ("staff-audit", "/audit"), ("staff-audit-search", "/audit?q=tip"),
        ("staff-queue", "/queue"), ("staff-queue-filtered", "/queue?province=17&status=new&sort=oldest"),
        ("staff-dashboard", "/dashboard"),
        ("staff-tip", f"/tips/{tips['tip']}"), ("staff-tip-new", "/tips/new"),
        ("staff-redact-question", f"/tips/{tips['tip']}/redact?field=what_seen"),
        ("staff-exports", "/exports"), ("staff-field-sheet", f"/tips/{tips['tip']}/field-sheet"),
        ("staff-content", "/content/"), ("staff-content-missing", "/content/missing-translations"),
        ("staff-monument-new", "/content/monuments/new"),
        ("staff-monument-edit", f"/content/monuments/{content['monument'].id}"),
        ("staff-page-edit", "/content/pages/help"), ("staff-page-edit-repatriation", "/content/pages/repatriation"),
        ("staff-figure-new", "/content/figures/new"), ("staff-figure-edit", f"/content/figures/{content['figure'].id}"),
        ("staff-news-new", "/content/news/new"), ("staff-news-edit", f"/content/news/{content['news'].id}"),
        ("staff-sites", "/sites"),
        ("staff-sites-filtered", "/sites?status=survey_planned&min_accounts=1&sort=corroboration"),
        ("staff-site", f"/sites/{tips['site']}"), ("staff-season", "/season"), ("staff-teams", "/teams"),
        ("staff-team-packet", f"/teams/{tips['team']}/packet"),
    ]:
        pages.add(name, admin_client, f"{staff}{path}")
    pages.add("staff-tip-contact", admin_client, f"{tip}/contact", "POST")
    pages.add("staff-tip-note-errors", admin_client, f"{tip}/notes", "POST", data={"note-body": "  "})
    pages.add("staff-tip-new-errors", admin_client, f"{staff}/tips/new", "POST",
              data={"channel": "web", "action": "submit", "submission_id": "x"})
    pages.add("staff-tip-saved", admin_client, f"{staff}/tips/new", "POST", data={
        "channel": "phone", "province": "09", "what_seen": "Told by phone: graves near the river",
        "submission_id": f"staff-entry-{lang}", "action": "submit"})
    pages.add("staff-field-sheet-shown", admin_client, f"{tip}/field-sheet", "POST")
    pages.add("staff-field-sheet-contact", admin_client, f"{tip}/field-sheet", "POST", data={"include_contact": "y"})
    pages.add("staff-export-sheets", admin_client, f"{staff}/exports?province=17", "POST",
              data={"format": "sheets", "language": lang})
    pages.add("staff-export-errors", admin_client, f"{staff}/exports", "POST",
              data={"format": "csv", "language": lang, "ids": "twelve"})
    pages.add("staff-account-new-errors", admin_client, f"{staff}/accounts/new", "POST",
              data={"username": "x", "role": "moderator", "language": lang})
    pages.add("staff-monument-errors", admin_client, f"{staff}/content/monuments/new", "POST",
              data={"slug": "", "province_code": "07", "latitude": "48.85", "longitude": "2.35"})
    pages.add("staff-figure-errors", admin_client, f"{staff}/content/figures/new", "POST", data={"value": "x"})
    pages.add("staff-news-errors", admin_client, f"{staff}/content/news/new", "POST", data={"slug": ""})
    pages.add("staff-site-plan-errors", admin_client, f"{staff}/sites/{tips['site']}/plan", "POST",
              data={"team": str(tips["team"]), "planned_month": "2026-13"})
    pages.add("staff-site-visit-errors", admin_client, f"{staff}/sites/{tips['site']}/visits", "POST",
              data={"visited_on": "2026-02-03", "team": str(tips["team"]), "finding": "remains_recovered",
                    "remains_count": "0"})
    pages.add("staff-teams-errors", admin_client, f"{staff}/teams", "POST", data={"code": "", "season": "x"})


def render_paper(pages: Pages, lang: str, admin_client: FlaskClient) -> None:
    """The paper channel: its page, a point (new, errors, shown, edited), a batch, its printed forms, key-in."""
    paper = f"/{lang}/staff/paper"
    pages.add("staff-paper", admin_client, f"{paper}/")
    pages.add("staff-paper-point-new", admin_client, f"{paper}/points/new")
    pages.add("staff-paper-point-errors", admin_client, f"{paper}/points/new", "POST", data={"action": "submit"})
    created = admin_client.post(f"{paper}/points/new", data={
        "name": f"Wat Kdol ({lang})", "kind": "pagoda", "province": "03", "district": "0301", "action": "submit"})
    point = created.location.rsplit("/", 1)[1]
    pages.add("staff-paper-point", admin_client, f"{paper}/points/{point}")
    pages.add("staff-paper-point-edit", admin_client, f"{paper}/points/{point}?edit=1")
    pages.add("staff-paper-batch-errors", admin_client, f"{paper}/points/{point}/batches", "POST",
              data={"size": "0", "second_language": "vi"})
    batch = admin_client.post(f"{paper}/points/{point}/batches",
                              data={"size": "2", "second_language": "vi"}).location.rsplit("/", 1)[1]
    pages.add("staff-paper-batch", admin_client, f"{paper}/batches/{batch}")
    printed = pages.add("staff-paper-print", admin_client, f"{paper}/batches/{batch}/print", "POST")
    code = re.search(r'class="paper-code" translate="no" lang="en">([A-Z0-9-]+)<', printed).group(1)
    pages.add("staff-paper-returned-errors", admin_client, f"{paper}/batches/{batch}/returned", "POST",
              data={"returned": "9"})
    pages.add("staff-paper-key-in", admin_client, f"{paper}/key-in?point={point}")
    pages.add("staff-paper-key-in-errors", admin_client, f"{paper}/key-in", "POST",
              data={"point": point, "printed_code": "K7QM", "action": "submit", "submission_id": "x"})
    pages.add("staff-paper-keyed", admin_client, f"{paper}/key-in", "POST", data={
        "point": point, "printed_code": code, "province": "03", "what_seen": "Two graves behind the school",
        "submission_id": f"paper-{lang}", "action": "submit"})
    pages.add("staff-paper-void-errors", admin_client, f"{paper}/batches/{batch}/void", "POST", data={"reason": ""})


def render_errors(pages: Pages, lang: str, editor_client: FlaskClient) -> None:
    app = pages.app
    visitor = app.test_client()
    pages.add("error-404", visitor, f"/{lang}/no-such-page")
    pages.add("error-404-staff", editor_client, f"/{lang}/staff/content/monuments/999999")
    pages.add("error-405", visitor, f"/{lang}/staff/logout")
    pages.add("error-403", editor_client, f"/{lang}/staff/queue")
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        pages.add("error-400", editor_client, f"/{lang}/staff/logout", "POST")
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def render_every_page(app: Flask) -> Pages:
    admin, editor = create_staff(app, "admin", username="admin"), create_staff(app, "editor", username="editor")
    target = create_staff(app, "moderator", username="target")
    admin_client, editor_client = app.test_client(), app.test_client()
    login(admin_client, admin)
    login(editor_client, editor)
    content = make_content(app, editor_client)
    tips = make_tips(app)
    # A site of two tips, planned for a team with a visit (issue #18).
    from datetime import date

    from portal.db import new_session
    from portal.models.staff import StaffUser
    from portal.services import sites
    from tests.site_helpers import make_team, site_from_tips

    tips["team"] = make_team(app)
    tips["site"] = site_from_tips(app, admin.id, [tips["tip"], make_tip(app, province_code="17").tip_id])
    with app.app_context():
        session = new_session()
        actor = session.get(StaffUser, admin.id)
        sites.plan_site(session, tips["site"], tips["team"], date(2026, 1, 1), actor)
        sites.record_visit(session, tips["site"], sites.VisitInput(date(2026, 2, 3), tips["team"],
                                                                   sites.VisitFinding.REMAINS_RECOVERED, 2), actor)
        session.close()
    pages = Pages(app)
    for lang in LOCALES:
        render_public(pages, lang, content)
        render_tips(pages, lang, tips, admin_client)
        render_families(pages, lang, admin_client, tips)
        render_sign_in(pages, lang, admin_client)
        render_staff(pages, lang, admin_client, tips, content, target.id)
        render_paper(pages, lang, admin_client)
        render_errors(pages, lang, editor_client)
    return pages


# -- the checker ----------------------------------------------------------------------------------

def vnu_command() -> list[str]:
    if not shutil.which(JAVA):
        skip_or_fail(f"Java ({JAVA}) is not installed: apt-get install default-jre-headless")
    if not VNU_JAR.is_file():
        skip_or_fail(f"the Nu Html Checker is not installed at {VNU_JAR}: run scripts/setup")
    return [JAVA, "-Xss1m", "-jar", str(VNU_JAR), "--errors-only", "--format", "json", "--stdout"]


def vnu_errors(files: list[Path]) -> list[dict[str, Any]]:
    command = vnu_command() + [str(f) for f in files]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)  # noqa: S603
    assert result.stdout.strip(), f"vnu printed nothing (exit {result.returncode}): {result.stderr[-2000:]}"
    messages: list[dict[str, Any]] = json.loads(result.stdout)["messages"]
    return [m for m in messages if m.get("type") in ("error", "non-document-error")]


def test_every_get_endpoint_is_checked_or_excused(app):
    unknown = sorted(set(NOT_CHECKED) - get_endpoints(app))
    assert unknown == [], "NOT_CHECKED lists endpoints that do not exist"


def test_every_page_type_is_valid_html_in_every_language(app, tmp_path):
    pages = render_every_page(app)
    missing = sorted(get_endpoints(app) - pages.endpoints - set(NOT_CHECKED))
    assert missing == [], "GET pages neither rendered here nor listed in NOT_CHECKED"

    folder = tmp_path / "pages"
    folder.mkdir()
    files = []
    for number, rendered in enumerate(pages.pages):
        lang = rendered.path.split("/")[1]
        file = folder / f"{number:03d}-{lang}-{rendered.name}.html"
        file.write_text(rendered.html, encoding="utf-8")
        files.append(file)
    errors = vnu_errors(files)
    report = [f"{Path(str(e.get('url', ''))).name}:{e.get('lastLine', '?')}: {e.get('message')}"
              f"  [{str(e.get('extract', '')).strip()[:160]}]" for e in errors]
    for line in report:
        print(line)
    assert report == [], f"{len(report)} HTML errors in {len({e.get('url') for e in errors})} of " \
                         f"{len(files)} pages:\n" + "\n".join(report)
