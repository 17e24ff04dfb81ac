"""No one in: forged POSTs, guessed photo and export ids, and stored scripts.

* Every POST route in ``app.url_map``, sent without a CSRF token by a signed-in administrator
  (so no role check stands in the way) with the fields of the real form, changes nothing in
  the database that a GET of the same URL would not change, and leaves the session as it was.
  A new POST route with a URL argument nobody can build fails the test. For the forms whose
  fields are known, the same POST *with* the token does act: the token is what stopped it.
* Tip photos are served only by the staff route, only to moderators and admins, and only for
  the tip they belong to; no public URL returns their bytes. Exports follow the same rule.
* Scripts typed into every field of a tip (and its messages) come out inert on the queue, the
  tip's page, the tipster's status page, every export (CSV, GeoJSON, GPX, field sheets) and
  one tip's field sheet.
"""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable
from datetime import date
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.routing import Rule

from portal.db import Base, new_session
from portal.errors import CSRF_MESSAGE
from portal.forms import CSRF_EXPIRED_MESSAGE
from portal.models.tip import Tip, TipPhoto
from portal.services.exports import FORMULA_START, GPX_NAMESPACE
from tests import test_staff_access_table as table
from tests.staff_fixtures import StaffAccount, create_staff, csrf_token, login
from tests.tip_factory import make_tip
from tests.tip_helpers import Page, short_form, translated

# A sample value for every URL argument of every POST route: the staff table's, plus these.
EXTRA_ARGS: dict[str, Any] = {}
# Columns that change with time alone, not with what a request did.
VOLATILE = {"id", "created_at", "updated_at"}


# -- the state of the whole database --------------------------------------------------------------

def snapshot(app: Flask) -> dict[str, Counter[tuple[Any, ...]]]:
    """Every row of every table, without ids and timestamps, as a multiset per table."""
    with app.app_context():
        session = new_session()
        try:
            state: dict[str, Counter[tuple[Any, ...]]] = {}
            for table_ in Base.metadata.sorted_tables:
                columns = [c for c in table_.columns if c.name not in VOLATILE]
                rows = session.execute(select(*columns)).all()
                state[table_.name] = Counter(tuple(repr(v) for v in row) for row in rows)
            return state
        finally:
            session.close()


def difference(before: dict[str, Counter[tuple[Any, ...]]], after: dict[str, Counter[tuple[Any, ...]]]
               ) -> dict[str, tuple[Counter[tuple[Any, ...]], Counter[tuple[Any, ...]]]]:
    """Per table: (rows added, rows removed); a changed row counts as one removed and one added."""
    changes = {}
    for name in after:
        added, removed = after[name] - before.get(name, Counter()), before.get(name, Counter()) - after[name]
        if added or removed:
            changes[name] = (added, removed)
    return changes


# -- forms as a browser finds them ----------------------------------------------------------------

class _Forms(HTMLParser):
    """Every POST form on a page: its action and the values a browser would send."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[tuple[str, dict[str, Any]]] = []
        self._fields: dict[str, Any] | None = None
        self._button: tuple[str, str] | None = None
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("method", "").lower() == "post":
            self._fields = {}
            self.forms.append((a.get("action", ""), self._fields))
        elif self._fields is None:
            return
        elif tag == "input" and a.get("name") and a.get("type", "text") not in ("submit", "file", "button"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self._fields.setdefault(a["name"], a.get("value", "y"))
        elif tag in ("button", "input") and a.get("name") and a.get("type", "submit") == "submit":
            self._button = (a["name"], a.get("value", ""))  # the last one: the form's main button
        elif tag == "textarea" and a.get("name"):
            self._textarea = a["name"]
            self._fields.setdefault(a["name"], "")
        elif tag == "select" and a.get("name"):
            self._select = a["name"]
        elif tag == "option" and self._select and ("selected" in a or self._select not in self._fields):
            self._fields[self._select] = a.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            if self._fields is not None and self._button:
                self._fields[self._button[0]] = self._button[1]
            self._fields, self._button = None, None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data: str) -> None:
        if self._fields is not None and self._textarea:
            self._fields[self._textarea] += data


def forms_on(html: str) -> list[tuple[str, dict[str, Any]]]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms


# -- the world the forged requests are sent into -------------------------------------------------

def post_rules(app: Flask) -> list[Rule]:
    return sorted((r for r in app.url_map.iter_rules() if "POST" in (r.methods or ())), key=lambda r: r.rule)


def build(app: Flask, rule: Rule, ctx: dict[str, Any]) -> str:
    values: dict[str, Any] = {}
    for argument in rule.arguments:
        if argument == "lang":
            values["lang"] = "vi"
            continue
        sample = EXTRA_ARGS[argument] if argument in EXTRA_ARGS else table.SAMPLE_ARGS[argument]
        values[argument] = sample(ctx) if callable(sample) else sample
    return app.url_map.bind("localhost").build(rule.endpoint, values, method="POST")


def _content(app: Flask) -> None:
    """One of each content item, so that the sample ids (1) of the staff table exist."""
    from portal.db import write_transaction
    from portal.models.content import Monument
    from portal.services import content_editing
    from tests.content_helpers import make_monument, make_news
    from tests.tip_factory import photo

    with app.app_context():
        session = new_session()
        try:
            monument_id = make_monument(session, "csrf-monument")
            make_news(session, "csrf-news", date(2024, 5, 1))
            picture = photo()
            with write_transaction(session):
                content_editing.save_figure(
                    session, None, season="1989-1990", province_code="12", metric="remains_found", unit="sets",
                    value=12, source_publisher="Sample", source_title="Sample", source_year=1990, texts={})
                content_editing.add_photo(session, session.get(Monument, monument_id), data=picture.data,
                                          content_type=picture.mime_type, width=picture.width,
                                          height=picture.height, alts={"vi": "Ảnh"})
        finally:
            session.close()


@pytest.fixture
def world(csrf_app: Flask) -> dict[str, Any]:
    """An admin signed in (CSRF on), a moderator to act on, a tip with a photo, some content."""
    app = csrf_app
    ctx: dict[str, Any] = {"app": app, "target": create_staff(app, "moderator", username="target")}
    table._sample_tip(ctx)
    _content(app)
    admin = create_staff(app, "admin", username="csrf-admin")
    client = app.test_client()
    login(client, admin)
    ctx.update(admin=admin, client=client)
    return ctx


def harvest(ctx: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The fields of every POST form on the pages where staff and visitors find them."""
    app, client = ctx["app"], ctx["client"]
    tip_id, _photo_id = ctx["tip"]
    pages = ["/vi/tips/new", "/vi/tips/status", "/vi/staff/", "/vi/staff/account", "/vi/staff/accounts/new",
             f"/vi/staff/accounts/{ctx['target'].id}", f"/vi/staff/tips/{tip_id}", "/vi/staff/tips/new",
             "/vi/staff/exports", f"/vi/staff/tips/{tip_id}/field-sheet", "/vi/staff/content/",
             "/vi/staff/content/monuments/new", "/vi/staff/content/monuments/1", "/vi/staff/content/news/new",
             "/vi/staff/content/news/1", "/vi/staff/content/figures/new", "/vi/staff/content/figures/1",
             "/vi/staff/content/pages/help"]
    found: dict[str, dict[str, Any]] = {}
    for path in pages:
        response = client.get(path)
        for action, fields in forms_on(response.get_data(as_text=True)):
            found.setdefault(urlsplit(action or path).path, fields)
    anonymous = app.test_client()
    for path in ("/vi/staff/login",):
        for action, fields in forms_on(anonymous.get(path).get_data(as_text=True)):
            found.setdefault(urlsplit(action or path).path, fields)
    return found


def signed_in(client: FlaskClient) -> bool:
    return client.get("/vi/staff/").status_code == 200


def says_form_expired(app: Flask, html: str) -> bool:
    texts = {translated(app, "vi", CSRF_MESSAGE[0]), translated(app, "vi", CSRF_EXPIRED_MESSAGE)}
    return any(text in Page(html).text for text in texts)


# Routes whose forged POST is refused without the "form expired" page, and why nothing happens.
NOT_REACHED = {
    "staff.login": "a signed-in member is sent to the staff home",
    "staff.login_code": "a signed-in member is sent to the staff home",
    "staff.setup": "no set-up link was opened in this browser (404)",
    # The photo form is on pages reached by a POST (receipt, status): without its signed token no
    # report is named, so nothing can be added (the page asks for the receipt code again).
    "tips.add_photo": "no report named without the page's signed token (400, nothing stored)",
    # Refused, but said less plainly: back to the monument with "could not be saved" (the lead knows).
    "staff.monument_photo_edit": "redirects back with a 'could not be saved' message",
}


def test_every_post_route_can_be_built(csrf_app):
    ctx: dict[str, Any] = {"app": csrf_app, "target": create_staff(csrf_app, "moderator", username="build-target")}
    missing = []
    for rule in post_rules(csrf_app):
        try:
            build(csrf_app, rule, ctx)
        except KeyError as exc:
            missing.append(f"{rule.endpoint}: no sample value for {exc}")
    assert missing == [], "add sample values (tests/test_staff_access_table.py SAMPLE_ARGS or EXTRA_ARGS here)"


def test_every_post_without_a_csrf_token_is_not_acted_on(world):
    app, client = world["app"], world["client"]
    forms = harvest(world)
    failures: list[str] = []
    tried = 0
    for rule in post_rules(app):
        try:
            url = build(app, rule, world)
        except KeyError as exc:
            failures.append(f"{rule.endpoint}: cannot build its URL (no sample value for {exc})")
            continue
        data = {k: v for k, v in forms.get(urlsplit(url).path, {}).items() if not k.endswith("csrf_token")}
        allowed: dict[str, Any] = {}
        if "GET" in (rule.methods or ()):  # what merely opening the page does (a GET may log a view)
            before = snapshot(app)
            client.get(url)
            allowed = difference(before, snapshot(app))
        before = snapshot(app)
        response = client.post(url, data=data)
        tried += 1
        changed = difference(before, snapshot(app))
        where = f"POST {url} ({rule.endpoint}, fields {sorted(data)}) → {response.status_code}"
        if changed != allowed:
            failures.append(f"{where}: changed the database: {changed}")
        if not signed_in(client):
            failures.append(f"{where}: the session was changed (signed out)")
            login(client, world["admin"])
        if rule.endpoint not in NOT_REACHED and not says_form_expired(app, response.get_data(as_text=True)):
            failures.append(f"{where}: no 'form expired' message")
        if response.status_code >= 500:
            failures.append(f"{where}: server error")
    assert failures == [], "\n".join(failures)
    assert tried == len(post_rules(app))


def test_public_forms_without_a_token_do_nothing_for_an_anonymous_visitor(world):
    """The sign-in steps and the tip forms, as a visitor (not signed in) would send them."""
    app = world["app"]
    admin: StaffAccount = world["admin"]
    client = app.test_client()
    for url, data in [("/vi/staff/login", {"username": admin.username, "password": admin.password}),
                      ("/km/tips/new", short_form(what_seen="ផ្នូរបី")),
                      ("/vi/tips/status", {"receipt": "K7QM-4XRT-9HPA-3ZWN"})]:
        before = snapshot(app)
        response = client.post(url, data=data)
        assert difference(before, snapshot(app)) == {}, url
        assert response.status_code < 500
    page = client.get("/vi/staff/login/code")
    assert page.status_code == 302  # the password step was not taken: no half-signed-in session


# For these forms the fields are known: with the token the same POST acts (the token stopped it).
def _positive(ctx: dict[str, Any]) -> dict[str, Callable[[], dict[str, Any]]]:
    tip_id, _ = ctx["tip"]
    target: StaffAccount = ctx["target"]
    return {
        "/km/tips/new": lambda: short_form(submission_id="", what_seen="ផ្នូរបី"),
        f"/vi/staff/tips/{tip_id}/notes": lambda: {"note-body": "Ghi chú"},
        f"/vi/staff/tips/{tip_id}/messages": lambda: {"message-body": "Xin cảm ơn"},
        f"/vi/staff/tips/{tip_id}/move": lambda: {"target": "in_review"},
        f"/vi/staff/tips/{tip_id}/assign": lambda: {"assignee": str(target.id)},
        f"/vi/staff/tips/{tip_id}/redact": lambda: {"field": "what_seen", "confirm": "remove"},
        f"/vi/staff/tips/{tip_id}/contact": dict,
        f"/vi/staff/accounts/{target.id}/role": lambda: {"role": "editor"},
        f"/vi/staff/accounts/{target.id}/disable": dict,
        "/vi/staff/accounts/new": lambda: {"username": "new-person", "role": "moderator", "language": "km"},
        "/vi/staff/account": lambda: {"language": "km"},
        "/vi/staff/exports": lambda: {"format": "csv", "language": "vi"},
    }


def test_the_same_posts_with_the_token_do_act(world):
    app, client = world["app"], world["client"]
    token = csrf_token(client.get("/vi/staff/account").get_data(as_text=True))
    assert token
    for url, data in _positive(world).items():
        for with_token in (False, True):
            before = snapshot(app)
            response = client.post(url, data={**data(), **(token if with_token else {})})
            changed = difference(before, snapshot(app))
            assert bool(changed) == with_token, f"POST {url} {'with' if with_token else 'without'} token: " \
                                                f"{response.status_code} {changed}"


# -- tip photos and exports by guessed ids ----------------------------------------------------------

@pytest.fixture
def two_tips(app: Flask) -> dict[str, Any]:
    first, second = make_tip(app, photos=1), make_tip(app, photos=1)
    with app.app_context():
        session = new_session()
        photos = {tip_id: session.scalar(select(TipPhoto.id).where(TipPhoto.tip_id == tip_id))
                  for tip_id in (first.tip_id, second.tip_id)}
        data = {row.id: row.data for row in session.execute(select(TipPhoto.id, TipPhoto.data))}
        session.close()
    return {"tips": (first.tip_id, second.tip_id), "photos": photos, "bytes": data}


def test_another_tips_photo_cannot_be_reached_by_guessing_ids(app, two_tips, moderator, editor):
    (a, b), photos = two_tips["tips"], two_tips["photos"]
    staff = app.test_client()
    login(staff, moderator)
    assert staff.get(f"/vi/staff/tips/{a}/photos/{photos[a]}").data == two_tips["bytes"][photos[a]]
    for tip_id, photo_id in [(a, photos[b]), (b, photos[a]), (a, 999_999), (999_999, photos[a]), (a, 2**31)]:
        response = staff.get(f"/vi/staff/tips/{tip_id}/photos/{photo_id}")
        assert response.status_code == 404, (tip_id, photo_id)
    anonymous = app.test_client().get(f"/vi/staff/tips/{a}/photos/{photos[a]}")
    assert anonymous.status_code == 302
    assert urlsplit(anonymous.location).path == "/vi/staff/login"
    someone_else = app.test_client()
    login(someone_else, editor)
    assert someone_else.get(f"/vi/staff/tips/{a}/photos/{photos[a]}").status_code == 403


def test_no_public_url_serves_a_tip_photo(app, two_tips):
    """Every public GET route, with every tip and photo id for its number arguments: never the bytes."""
    everything = list(two_tips["tips"]) + list(two_tips["photos"].values())
    strings = {"slug": "x", "code": "03", "filename": "css/site.css"}
    client = app.test_client()
    tried = 0
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()) or "/staff/" in rule.rule:
            continue
        numbers = [a for a in rule.arguments if a != "lang" and a not in strings]
        for value in everything if numbers else [None]:
            values = {a: ("en" if a == "lang" else strings.get(a, value)) for a in rule.arguments}
            url = app.url_map.bind("localhost").build(rule.endpoint, values)
            body = client.get(url).get_data()
            tried += 1
            for photo in two_tips["bytes"].values():
                assert photo not in body, f"{url} served a tip photo"
    assert tried > 10


def test_exports_by_guessed_ids_are_for_moderators_only(app, two_tips, moderator, editor):
    a, _b = two_tips["tips"]
    anonymous = app.test_client()
    response = anonymous.post("/vi/staff/exports", data={"format": "csv", "language": "vi", "ids": str(a)})
    assert response.status_code == 302
    assert urlsplit(response.location).path == "/vi/staff/login"
    assert anonymous.get(f"/vi/staff/tips/{a}/field-sheet").status_code == 302
    other = app.test_client()
    login(other, editor)
    assert other.post("/vi/staff/exports", data={"format": "csv", "language": "vi", "ids": str(a)}).status_code == 403
    assert other.get(f"/vi/staff/tips/{a}/field-sheet").status_code == 403
    staff = app.test_client()
    login(staff, moderator)
    assert staff.get("/vi/staff/tips/999999/field-sheet").status_code == 404
    empty = staff.post("/vi/staff/exports", data={"format": "csv", "language": "vi", "ids": "999999"})
    assert empty.status_code == 400  # nothing matches: the page says so, no file


# -- stored scripts -----------------------------------------------------------------------------------

SCRIPT = "<script>alert(1)</script> ផ្នូរ"
IMG = '"><img src=x onerror=alert(1)> ទាហាន'
JS_URL = "javascript:alert(1)"
FORMULA = '=HYPERLINK("http://evil.example","click") មុំ'
PAYLOADS = (SCRIPT, IMG, JS_URL, FORMULA)
HOSTILE_TIP = {
    "place_description": f"{SCRIPT}\n{IMG}", "local_name": IMG, "what_seen": "\n".join(PAYLOADS),
    "period": JS_URL, "fallen_names": IMG, "fallen_unit": SCRIPT, "fallen_hometown": FORMULA,
    "contact_name": IMG, "contact_email": '"><svg/onload=alert(1)>@x.io', "contact_messaging": SCRIPT,
    "on_behalf": "y", "on_behalf_relationship": FORMULA, "consent": "y", "estimated_graves": "3",
    "contact_phone": "+855 12 345 678", "coordinates": "12.05, 105.45",
}


class _Active(HTMLParser):
    """What a browser would run: scripts, event handlers, javascript: URLs, foreign elements."""

    URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "srcset"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            value = re.sub(r"[\s\x00-\x1f]", "", value or "").lower()
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=…>")
            if name in self.URL_ATTRIBUTES and value.startswith(("javascript:", "vbscript:", "data:text")):
                self.found.append(f"<{tag} {name}={value[:30]}>")
        if tag == "script" and not dict(attrs).get("src", "").startswith("/static/"):
            self.found.append("<script> without a /static/ source")
        if tag in ("img",) and dict(attrs).get("src") == "x":
            self.found.append("<img src=x>")
        if tag in ("svg", "iframe", "object", "embed") and "onload" in str(attrs):
            self.found.append(f"<{tag}>")


def assert_inert(html: str, where: str) -> None:
    parser = _Active()
    parser.feed(html)
    assert parser.found == [], f"{where}: {parser.found}"
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html or "&lt;script&gt;" in html, \
        f"{where}: the typed text is not shown (escaped) at all"


@pytest.fixture
def hostile_tip(app: Flask, moderator: StaffAccount) -> dict[str, Any]:
    """A tip with a script in every field, sent through the public form; a reply and a staff
    message with scripts too."""
    client = app.test_client()
    response = client.post("/km/tips/new", data={**short_form(submission_id=""), **HOSTILE_TIP})
    assert response.status_code == 201, Page(response.get_data(as_text=True)).text[:800]
    receipt = Page(response.get_data(as_text=True)).by_id("receipt-code").text.strip()
    with app.app_context():
        session = new_session()
        tip_id = session.scalar(select(Tip.id).order_by(Tip.id.desc()).limit(1))
        session.close()
    status = client.post("/km/tips/status", data={"receipt": receipt})
    reply = forms_on(status.get_data(as_text=True))
    followup = next(fields for _action, fields in reply if fields.get("action") == "reply")
    assert client.post("/km/tips/status", data={**followup, "body": "\n".join(PAYLOADS)}).status_code == 200
    staff = app.test_client()
    login(staff, moderator)
    for path, field in (("messages", "message-body"), ("notes", "note-body")):
        assert staff.post(f"/vi/staff/tips/{tip_id}/{path}", data={field: "\n".join(PAYLOADS)}).status_code == 303
    return {"id": tip_id, "receipt": receipt, "visitor": client, "staff": staff}


def test_scripts_in_every_field_are_inert_on_staff_pages(hostile_tip):
    staff, tip_id = hostile_tip["staff"], hostile_tip["id"]
    for path in ("/vi/staff/queue", f"/vi/staff/tips/{tip_id}", "/vi/staff/queue?q=script"):
        response = staff.get(path)
        assert response.status_code == 200
        assert_inert(response.get_data(as_text=True), path)
    revealed = staff.post(f"/vi/staff/tips/{tip_id}/contact")
    assert revealed.status_code == 200
    assert_inert(revealed.get_data(as_text=True), "the tip page with its contact details")
    assert "&lt;svg/onload=alert(1)&gt;@x.io" in revealed.get_data(as_text=True)


def test_scripts_are_inert_on_the_tipsters_status_page(hostile_tip):
    response = hostile_tip["visitor"].post("/km/tips/status", data={"receipt": hostile_tip["receipt"]})
    assert response.status_code == 200
    assert_inert(response.get_data(as_text=True), "status page")


@pytest.mark.parametrize("fmt", ["csv", "geojson", "gpx", "sheets"])
def test_scripts_and_formulas_are_inert_in_every_export(hostile_tip, fmt):
    staff, tip_id = hostile_tip["staff"], hostile_tip["id"]
    response = staff.post("/vi/staff/exports", data={"format": fmt, "language": "km", "ids": str(tip_id),
                                                     "include_contact": "y"})
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    body = response.get_data(as_text=True)
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
        cells = [cell for row in rows[1:] for cell in row]
        assert any(SCRIPT.split()[0] in cell for cell in cells)  # the text is there, as text
        dangerous = [cell for cell in cells if cell.startswith(FORMULA_START)]
        assert dangerous == [], "cells a spreadsheet would run as formulas"
        assert any(cell.startswith("'=HYPERLINK") for cell in cells)
    elif fmt == "geojson":
        data = json.loads(body)
        text = json.dumps(data, ensure_ascii=False)
        assert SCRIPT in text or SCRIPT.replace("<", "\\u003c") in text or "alert(1)" in text
    elif fmt == "gpx":
        root = ET.fromstring(body.encode("utf-8"))
        tags = {element.tag for element in root.iter()}
        assert all(tag.startswith("{" + GPX_NAMESPACE + "}") for tag in tags), tags
        assert "<script>" not in body
        assert "&lt;script&gt;" in body
    else:
        assert_inert(body, "field sheets")


def test_scripts_are_inert_on_one_tips_field_sheet(hostile_tip):
    staff, tip_id = hostile_tip["staff"], hostile_tip["id"]
    token = csrf_token(staff.get(f"/vi/staff/tips/{tip_id}").get_data(as_text=True))
    for response in (staff.post(f"/km/staff/tips/{tip_id}/field-sheet", data=token),
                     staff.post(f"/km/staff/tips/{tip_id}/field-sheet", data={"include_contact": "y", **token})):
        assert response.status_code == 200
        assert_inert(response.get_data(as_text=True), "field sheet")
