"""The declaration of a tip's facts (portal/tip_facts.py) drives everything that handles them.

Each declared fact is stored by the submission service, found by the staff search when it is
searchable, a column of the exports when exported, redactable when flagged, named in the audit
log, and shown on the staff tip page and the field sheet — with no list of fields anywhere else.
"""

from __future__ import annotations

import csv
import io

import pytest
from flask_babel import force_locale

from portal.audit_words import FIELD_NAMES
from portal.db import new_session
from portal.models.tip import HowKnown, Tip
from portal.services import exports, moderation, queue
from portal.staff.review_views import REDACT_LABELS, REDACT_SECTIONS
from portal.tip_facts import FACTS, FIELD_SHEET, STAFF_PAGE, TIP_FACTS, TOLD
from portal.tips.forms import TipForm
from tests.staff_fixtures import login
from tests.tip_factory import make_tip


def _value(key: str) -> object:
    kind = FACTS[key].kind
    if kind == "choice":
        return HowKnown.DOCUMENTS
    if kind == "number":
        return 7
    return f"xq{key.replace('_', '')}"  # one word, found by search, unique to its fact


VALUES = {fact.key: _value(fact.key) for fact in TIP_FACTS}


@pytest.fixture
def tip_id(app):
    return make_tip(app, province_code="17", consent=True, **VALUES).tip_id


@pytest.fixture
def session(app, tip_id):
    with app.app_context():
        session = new_session()
        yield session
        session.close()


def test_the_declaration_is_well_formed():
    assert len(FACTS) == len(TIP_FACTS), "a key is declared twice"
    for fact in TIP_FACTS:
        assert fact.section in {"where", "what", "contact"}
        assert (fact.kind == "choice") == (fact.labels is not None), fact.key
        assert not (fact.searchable and fact.contact), f"{fact.key}: contact details are never searchable"
        assert hasattr(Tip, fact.key), f"{fact.key}: no column in portal/models/tip.py"
        assert hasattr(TipForm, fact.key), f"{fact.key}: no field on the tip form"


def test_every_fact_is_stored_by_submit_tip(session, tip_id):
    tip = session.get(Tip, tip_id)
    for fact in TIP_FACTS:
        assert getattr(tip, fact.key) == VALUES[fact.key], fact.key


def test_the_staff_search_finds_exactly_the_searchable_facts(session, tip_id):
    for fact in TIP_FACTS:
        if not fact.is_text:
            continue
        found = [row.id for row in queue.queue_page(session, queue.QueueFilter(text=str(VALUES[fact.key])),
                                                    None).rows]
        assert found == ([tip_id] if fact.searchable else []), fact.key


def _csv_rows(app, session, tip_id, include_contact):
    with app.test_request_context("/en/"), force_locale("en"):
        flat = exports.flatten_all([session.get(Tip, tip_id)], "en", include_contact)
        body = exports.to_csv(flat, "en", include_contact).decode("utf-8-sig")
        labels = {fact.key: str(fact.label) for fact in TIP_FACTS}
        values = {fact.key: str(fact.shown(VALUES[fact.key])) for fact in TIP_FACTS}
    reader = csv.reader(io.StringIO(body))
    header = next(reader)
    return header, dict(zip(header, next(reader), strict=True)), labels, values


@pytest.mark.parametrize("include_contact", [False, True])
def test_the_exported_facts_are_the_export_columns(app, session, tip_id, include_contact):
    header, row, labels, values = _csv_rows(app, session, tip_id, include_contact)
    wanted = [labels[f.key] for f in TIP_FACTS if f.exported and (include_contact or not f.contact)]
    assert [label for label in header if label in labels.values()] == wanted
    for fact in TIP_FACTS:
        if fact.exported and (include_contact or not fact.contact):
            assert row[labels[fact.key]] == values[fact.key], fact.key


def test_the_redactable_facts_and_only_those_can_be_redacted(session, tip_id):
    tip = session.get(Tip, tip_id)
    for fact in TIP_FACTS:
        if fact.redactable:
            preview = moderation.redaction(session, tip, fact.key)
            assert preview.field == fact.key
            assert fact.key in REDACT_LABELS and fact.key in REDACT_SECTIONS and fact.key in FIELD_NAMES
        else:
            with pytest.raises(moderation.ModerationError, match="not_redactable"):
                moderation.redaction(session, tip, fact.key)


def test_the_staff_tip_page_shows_every_told_fact_with_its_redact_link(client, moderator, tip_id):
    login(client, moderator, lang="en")
    html = client.get(f"/en/staff/tips/{tip_id}").get_data(as_text=True)
    shown = [fact for section in STAFF_PAGE.values() for fact in section]
    assert shown == list(TOLD), "every told fact has its row"
    for fact in shown:
        assert f"<dt>{fact.label}</dt>" in html, fact.key
        if fact.is_text:
            assert str(VALUES[fact.key]) in html, fact.key
        assert (f"field={fact.key}" in html) == fact.redactable, fact.key
    for fact in TIP_FACTS:
        if fact.contact:
            assert str(VALUES[fact.key]) not in html, f"{fact.key}: shown only on request"


def test_the_field_sheet_lists_the_facts_flagged_for_it(app, client, moderator, tip_id):
    from tests.test_exports import field_sheet

    login(client, moderator, lang="en")
    html = field_sheet(client, tip_id).get_data(as_text=True)
    for fact in TOLD:
        on_sheet = fact in FIELD_SHEET.get(fact.section, ())
        assert on_sheet == fact.on_field_sheet, fact.key
        if on_sheet:
            assert f"<dt>{fact.label}</dt>" in html, fact.key
            if fact.is_text:
                assert str(VALUES[fact.key]) in html, fact.key
