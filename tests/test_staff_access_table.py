"""Every staff URL, requested as an anonymous visitor and as each role, against one role table.

The table is generated from ``app.url_map``: a staff page that is missing from ``EXPECTED``, or
whose URL arguments have no sample value in ``SAMPLE_ARGS``, fails the test — so a new page
cannot slip in unguarded.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from werkzeug.routing import Rule

from tests.staff_fixtures import StaffAccount, create_staff, login

# ---------------------------------------------------------------------------------------------
# THE ROLE TABLE. Every endpoint whose URL contains /staff/ must be listed here with the roles it
# admits (admins are always admitted; list them anyway), or PUBLIC for pages anyone may open.
# Features that add staff pages (review queue, content editing, exports, …) add their rows here,
# and a sample value below for each new URL argument.
PUBLIC = "public"
MODERATOR, EDITOR, ADMIN = "moderator", "editor", "admin"
EVERY_ROLE = frozenset({MODERATOR, EDITOR, ADMIN})

EXPECTED: dict[str, str | frozenset[str]] = {
    # sign-in and account set-up (portal/staff/signin_views.py)
    "staff.login": PUBLIC,
    "staff.login_code": PUBLIC,
    "staff.setup_link": PUBLIC,
    "staff.setup": PUBLIC,
    "staff.logout": EVERY_ROLE,
    # every staff member
    "staff.home": EVERY_ROLE,
    "staff.account": EVERY_ROLE,
    "staff.sign_out_everywhere": EVERY_ROLE,
    "staff.sessions": EVERY_ROLE,
    "staff.session_end": EVERY_ROLE,
    # staff accounts (admin)
    "staff.accounts": frozenset({ADMIN}),
    "staff.account_new": frozenset({ADMIN}),
    "staff.account_detail": frozenset({ADMIN}),
    "staff.account_role": frozenset({ADMIN}),
    "staff.account_disable": frozenset({ADMIN}),
    "staff.account_enable": frozenset({ADMIN}),
    "staff.account_reset": frozenset({ADMIN}),
    # the review queue (portal/staff/review_views.py)
    "staff.queue": frozenset({MODERATOR, ADMIN}),
    "staff.dashboard": frozenset({MODERATOR, ADMIN}),
    "staff.tip": frozenset({MODERATOR, ADMIN}),
    "staff.tip_photo": frozenset({MODERATOR, ADMIN}),
    "staff.tip_transition": frozenset({MODERATOR, ADMIN}),
    "staff.tip_assign": frozenset({MODERATOR, ADMIN}),
    "staff.tip_note": frozenset({MODERATOR, ADMIN}),
    "staff.tip_message": frozenset({MODERATOR, ADMIN}),
    "staff.tip_contact": frozenset({MODERATOR, ADMIN}),
    "staff.tip_redact": frozenset({MODERATOR, ADMIN}),
    "staff.tip_new": frozenset({MODERATOR, ADMIN}),
    "staff.audit": frozenset({ADMIN}),
    # sites (portal/staff/site_views.py, issue #18)
    # family inquiries (portal/staff/inquiry_views.py)
    "staff.inquiries_list": frozenset({MODERATOR, ADMIN}),
    "staff.inquiry": frozenset({MODERATOR, ADMIN}),
    "staff.inquiry_link": frozenset({MODERATOR, ADMIN}),
    "staff.inquiry_message": frozenset({MODERATOR, ADMIN}),
    "staff.inquiry_contact": frozenset({MODERATOR, ADMIN}),
    "staff.inquiry_move": frozenset({MODERATOR, ADMIN}),
    "staff.sites": frozenset({MODERATOR, ADMIN}),
    "staff.site": frozenset({MODERATOR, ADMIN}),
    "staff.site_create": frozenset({MODERATOR, ADMIN}),
    "staff.tip_attach": frozenset({MODERATOR, ADMIN}),
    "staff.site_attach": frozenset({MODERATOR, ADMIN}),
    "staff.site_split": frozenset({MODERATOR, ADMIN}),
    "staff.site_move": frozenset({MODERATOR, ADMIN}),
    "staff.site_plan": frozenset({MODERATOR, ADMIN}),
    "staff.site_visit": frozenset({MODERATOR, ADMIN}),
    "staff.site_edit": frozenset({MODERATOR, ADMIN}),
    "staff.season": frozenset({MODERATOR, ADMIN}),
    "staff.team_packet": frozenset({MODERATOR, ADMIN}),
    "staff.teams": frozenset({ADMIN}),
    "staff.team_active": frozenset({ADMIN}),
    # exports for the search teams (portal/staff/export_views.py)
    "staff.exports": frozenset({MODERATOR, ADMIN}),
    "staff.tip_field_sheet": frozenset({MODERATOR, ADMIN}),
    # the paper channel (portal/staff/paper_views.py)
    "staff.paper_channel": frozenset({MODERATOR, ADMIN}),
    "staff.paper_point_new": frozenset({MODERATOR, ADMIN}),
    "staff.paper_point": frozenset({MODERATOR, ADMIN}),
    "staff.paper_batch_new": frozenset({MODERATOR, ADMIN}),
    "staff.paper_batch": frozenset({MODERATOR, ADMIN}),
    "staff.paper_batch_print": frozenset({MODERATOR, ADMIN}),
    "staff.paper_batch_void": frozenset({MODERATOR, ADMIN}),
    "staff.paper_batch_returned": frozenset({MODERATOR, ADMIN}),
    "staff.paper_key_in": frozenset({MODERATOR, ADMIN}),
    # public content editing (portal/staff/content_views.py)
    "staff.content": frozenset({EDITOR, ADMIN}),
    "staff.content_missing": frozenset({EDITOR, ADMIN}),
    "staff.monument_new": frozenset({EDITOR, ADMIN}),
    "staff.monument_edit": frozenset({EDITOR, ADMIN}),
    "staff.monument_delete": frozenset({EDITOR, ADMIN}),
    "staff.monument_photo_add": frozenset({EDITOR, ADMIN}),
    "staff.monument_photo_edit": frozenset({EDITOR, ADMIN}),
    "staff.monument_photo_delete": frozenset({EDITOR, ADMIN}),
    "staff.monument_photo_image": frozenset({EDITOR, ADMIN}),
    "staff.page_edit": frozenset({EDITOR, ADMIN}),
    "staff.figure_new": frozenset({EDITOR, ADMIN}),
    "staff.figure_edit": frozenset({EDITOR, ADMIN}),
    "staff.figure_delete": frozenset({EDITOR, ADMIN}),
    "staff.news_new": frozenset({EDITOR, ADMIN}),
    "staff.news_edit": frozenset({EDITOR, ADMIN}),
    "staff.news_delete": frozenset({EDITOR, ADMIN}),
}

# A sample value for every URL argument besides ``lang``: a value, or a callable that gets the
# test's context (``app``, and ``target``: a moderator account to act on) and returns one.
SAMPLE_ARGS: dict[str, Any | Callable[[dict[str, Any]], Any]] = {
    "token": "not-a-real-set-up-token",
    "user_id": lambda ctx: ctx["target"].id,
    "session_id": 2**31 - 1,  # nobody's session: 404 for every signed-in member
    "tip_id": lambda ctx: _sample_tip(ctx)[0],
    "photo_id": lambda ctx: _sample_tip(ctx)[1],
    # content editing: ids that need not exist (an editor then gets 404, others 403 or sign-in)
    "monument_id": 1,
    "monument_photo_id": 1,
    "figure_id": 1,
    "news_id": 1,
    "page_slug": "help",
    # the paper channel: ids that need not exist (a moderator then gets 404)
    "point_id": 2**31 - 1,
    "batch_id": 2**31 - 1,
    "team_id": 1,  # need not exist: 404 for those admitted
    "site_id": 1,  # need not exist: a moderator then gets 404
    "inquiry_id": 2**31 - 1,  # need not exist: a moderator then gets 404
}


def _sample_tip(ctx: dict[str, Any]) -> tuple[int, int]:
    """A tip with one photo, made once per test: (tip id, photo id)."""
    if "tip" not in ctx:
        from sqlalchemy import select

        from portal.models.tip import TipPhoto
        from tests.tip_factory import make_tip

        tip_id = make_tip(ctx["app"], photos=1).tip_id
        session = ctx["app"].extensions["portal.sessionmaker"]()
        photo_id = session.scalar(select(TipPhoto.id).where(TipPhoto.tip_id == tip_id))
        session.close()
        ctx["tip"] = (tip_id, photo_id)
    return ctx["tip"]

# Endpoints that sign the member out when they work: their success is a redirect to sign-in.
SIGNS_OUT = {"staff.logout", "staff.sign_out_everywhere"}
# ---------------------------------------------------------------------------------------------

ROLES = [None, MODERATOR, EDITOR, ADMIN]
LOGIN_PATH = "/en/staff/login"


def staff_rules(app: Flask) -> list[Rule]:
    return sorted((rule for rule in app.url_map.iter_rules() if "/staff/" in rule.rule),
                  key=lambda rule: rule.rule)


def method_for(rule: Rule) -> str:
    methods = (rule.methods or set()) - {"HEAD", "OPTIONS"}
    return "GET" if "GET" in methods else sorted(methods)[0]


def url_for_rule(app: Flask, rule: Rule, ctx: dict[str, Any]) -> str:
    values: dict[str, Any] = {}
    for argument in rule.arguments:
        if argument == "lang":
            values["lang"] = "en"
            continue
        sample = SAMPLE_ARGS[argument]  # KeyError: add a sample value for the new argument
        values[argument] = sample(ctx) if callable(sample) else sample
    return app.url_map.bind("localhost").build(rule.endpoint, values, method=method_for(rule))


def goes_to_login(response: Any) -> bool:
    return response.status_code in (301, 302, 303, 307) and \
        urlsplit(response.location).path == LOGIN_PATH


def test_every_staff_endpoint_is_in_the_role_table(app):
    endpoints = {rule.endpoint for rule in staff_rules(app)}
    assert sorted(endpoints - EXPECTED.keys()) == [], "staff pages missing from EXPECTED"
    assert sorted(EXPECTED.keys() - endpoints) == [], "EXPECTED lists pages that do not exist"


def test_every_staff_url_can_be_built(app):
    missing = sorted({f"{rule.endpoint}: {argument}" for rule in staff_rules(app)
                      for argument in rule.arguments - {"lang"} if argument not in SAMPLE_ARGS})
    assert missing == [], "add sample values to SAMPLE_ARGS for these URL arguments"


def test_each_view_declares_the_roles_in_the_table(app):
    wrong = []
    for rule in staff_rules(app):
        view = app.view_functions[rule.endpoint]
        expected = EXPECTED.get(rule.endpoint)
        if expected == PUBLIC:
            if not getattr(view, "public_staff_page", False):
                wrong.append(f"{rule.endpoint}: not marked public_page")
        elif getattr(view, "allowed_roles", None) != expected:
            wrong.append(f"{rule.endpoint}: declares {getattr(view, 'allowed_roles', None)}, "
                         f"table says {expected}")
    assert wrong == [], "\n".join(wrong)


@pytest.mark.parametrize("role", ROLES, ids=[role or "anonymous" for role in ROLES])
def test_every_staff_url_answers_each_role_as_the_table_says(app, role):
    ctx: dict[str, Any] = {"app": app, "target": create_staff(app, MODERATOR, username="target")}
    account: StaffAccount | None = create_staff(app, role, username=f"as-{role}") if role else None
    failures: list[str] = []
    for rule in staff_rules(app):
        expected = EXPECTED.get(rule.endpoint)
        try:
            url = url_for_rule(app, rule, ctx)
        except KeyError as exc:
            failures.append(f"{rule.endpoint}: no sample value for {exc}")
            continue
        if expected is None:
            failures.append(f"{rule.endpoint}: not in EXPECTED")
            continue
        method = method_for(rule)
        client = app.test_client()
        if account is not None:
            login(client, account)
        response = client.open(url, method=method)
        where = f"{method} {url} as {role or 'anonymous'} → {response.status_code} {response.location or ''}"

        if response.headers.get("Cache-Control") != "no-store" \
                or "noindex" not in response.headers.get("X-Robots-Tag", ""):
            failures.append(f"{where}: missing no-store/noindex headers")
        if response.status_code >= 500:
            failures.append(f"{where}: server error")
        elif expected == PUBLIC:
            if response.status_code == 403:
                failures.append(f"{where}: public page refused")
        elif role is None:
            refused = goes_to_login(response) or (method != "GET" and response.status_code in (403, 404))
            if not refused:
                failures.append(f"{where}: anonymous visitor not sent to sign-in")
        elif role in expected:
            if response.status_code == 403:
                failures.append(f"{where}: allowed role refused")
            elif rule.endpoint in SIGNS_OUT:
                if not goes_to_login(response) or client.get("/vi/staff/").status_code != 302:
                    failures.append(f"{where}: did not sign out")
            elif goes_to_login(response):
                failures.append(f"{where}: allowed role sent to sign-in")
        elif response.status_code != 403:
            failures.append(f"{where}: role without access not refused with 403")
    assert failures == [], "\n".join(failures)


def test_a_staff_view_without_declared_roles_is_refused(app, admin):
    """Fail closed: even an admin cannot open a staff view that forgot its declaration."""
    view = app.view_functions["staff.home"]
    app.view_functions["staff.home"] = view.__wrapped__  # the view without roles_required
    try:
        client = app.test_client()
        login(client, admin)
        assert client.get("/vi/staff/").status_code == 403
    finally:
        app.view_functions["staff.home"] = view
