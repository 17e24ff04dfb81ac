"""The paper channel: distribution points, batches of printed forms with reserved receipt codes,
voiding a batch, keying forms in with their code, and following them up like any receipt."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select, text

from portal.models.audit import AuditEntry
from portal.models.paper import FormBatch, PrintedCode
from portal.models.tip import Tip, TipChannel
from portal.services import receipts
from tests.staff_fixtures import login

CODE = re.compile(r'class="paper-code" translate="no" lang="en">([A-Z0-9-]{19})<')


@pytest.fixture
def signed_in(client, moderator):
    login(client, moderator, lang="en")
    return client


def _actions(db_session, prefix="paper."):
    db_session.rollback()
    return [entry.action for entry in db_session.scalars(
        select(AuditEntry).where(AuditEntry.action.like(prefix + "%")).order_by(AuditEntry.id))]


def new_point(client, name="Wat Kdol commune office", province="03", kind="commune_office") -> int:
    response = client.post("/en/staff/paper/points/new", data={
        "name": name, "kind": kind, "province": province, "contact_name": "Chan Sophea",
        "contact_phone": "+855 12 000 111", "action": "submit"})
    assert response.status_code == 303, response.get_data(as_text=True)
    return int(response.location.rsplit("/", 1)[1])


def new_batch(client, point_id: int, size: int = 5, second_language: str = "vi") -> int:
    response = client.post(f"/en/staff/paper/points/{point_id}/batches",
                           data={"size": str(size), "second_language": second_language})
    assert response.status_code == 303, response.get_data(as_text=True)
    return int(response.location.rsplit("/", 1)[1])


def printed_codes(client, batch_id: int) -> list[str]:
    response = client.post(f"/en/staff/paper/batches/{batch_id}/print")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    found = CODE.findall(response.get_data(as_text=True))
    return list(dict.fromkeys(found))  # each code is printed twice: on the form and on its stub


def key_in(client, point_id: int, code: str | None, what_seen: str = "Three graves behind the old school",
           **extra: str):
    data = {"point": str(point_id), "what_seen": what_seen, "province": "03", "action": "submit", **extra}
    if code is None:
        data["no_code"] = "y"
    else:
        data["printed_code"] = code
    return client.post("/en/staff/paper/key-in", data=data)


def tipster_view(app, code: str, lang: str = "km") -> str:
    response = app.test_client().post(f"/{lang}/tips/status", data={"receipt": code, "action": "lookup"})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_data(as_text=True)


def test_a_batch_reserves_one_checked_code_per_form_and_prints_the_same_codes_again(app, signed_in, db_session):
    point_id = new_point(signed_in)
    batch_id = new_batch(signed_in, point_id, size=5)
    codes = printed_codes(signed_in, batch_id)
    assert len(codes) == 5 and len(set(codes)) == 5
    for code in codes:
        assert receipts.format_code(receipts.normalise(code)) == code  # the check character holds
    assert printed_codes(signed_in, batch_id) == codes  # a jammed printer: print again, same codes
    db_session.rollback()
    batch = db_session.get(FormBatch, batch_id)
    assert batch.size == 5 and batch.times_printed == 2 and batch.point_id == point_id
    key = app.config["RECEIPT_KEY"]
    assert sorted(c.receipt_hash for c in batch.codes) == sorted(receipts.receipt_hash(c, key) for c in codes)
    assert _actions(db_session) == ["paper.point_created", "paper.batch_created", "paper.batch_printed",
                                    "paper.batch_printed"]


def test_the_printed_forms_are_khmer_first_with_the_second_language_beside(signed_in):
    point_id = new_point(signed_in)
    html = signed_in.post(f"/en/staff/paper/batches/{new_batch(signed_in, point_id, 2, 'vi')}/print").get_data(
        as_text=True)
    assert html.count('class="paper-form" lang="km"') == 2
    assert '<span class="bi-first" lang="km">រាយការណ៍' in html or 'lang="km">' in html
    assert 'lang="vi">Báo' in html  # the Vietnamese beside the Khmer title
    assert "/km/tips/status" in html  # the stub's address, also in its QR code
    english = signed_in.post(f"/en/staff/paper/batches/{new_batch(signed_in, point_id, 1, 'en')}/print")
    assert 'lang="en">Report a burial site<' in english.get_data(as_text=True)


def test_the_database_never_holds_a_printed_code_in_clear(app, signed_in, db_session):
    point_id = new_point(signed_in)
    codes = printed_codes(signed_in, new_batch(signed_in, point_id, size=5))
    assert key_in(signed_in, point_id, codes[0]).status_code == 201
    db_session.rollback()
    everything = []
    tables = [row[0] for row in db_session.execute(text(
        "SELECT name FROM sqlite_master WHERE type='table'" if db_session.bind.dialect.name == "sqlite"
        else "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"))]
    for table in tables:
        for row in db_session.execute(text(f'SELECT * FROM "{table}"')):  # noqa: S608 - our own table names
            everything.append(" ".join(str(value) for value in row))
    dump = "\n".join(everything).upper()
    for code in codes:
        assert code not in dump and code.replace("-", "") not in dump


def test_a_form_keyed_in_with_its_code_is_followed_up_with_that_code(app, signed_in, db_session):
    point_id = new_point(signed_in)
    codes = printed_codes(signed_in, new_batch(signed_in, point_id, size=3))
    response = key_in(signed_in, point_id, codes[1].lower().replace("-", " "))  # as staff might type it
    html = response.get_data(as_text=True)
    assert response.status_code == 201, html
    assert f'id="receipt-code" translate="no">{codes[1]}<' in html
    tip_id = int(re.search(r"Tip #(\d+) saved", html).group(1))
    db_session.rollback()
    tip = db_session.get(Tip, tip_id)
    assert tip.channel == TipChannel.PAPER and tip.distribution_point_id == point_id
    assert tip.receipt_hash == receipts.receipt_hash(codes[1], app.config["RECEIPT_KEY"])
    printed = db_session.scalar(select(PrintedCode).where(PrintedCode.tip_id == tip_id))
    assert printed.serial == 2
    assert "paper.form_keyed" in _actions(db_session)
    # The stub's holder follows up in Khmer, and reads a staff message.
    signed_in.post(f"/en/staff/tips/{tip_id}/messages", data={"message-body": "សូមអរគុណ។ ក្រុមស្វែងរកនឹងទៅមើល។"})
    view = tipster_view(app, codes[1])
    assert "សូមអរគុណ។ ក្រុមស្វែងរកនឹងទៅមើល។" in view
    assert '<html lang="km">' in view


def test_a_mistyped_code_is_caught_by_its_check_character_and_nothing_is_stored(signed_in, db_session):
    point_id = new_point(signed_in)
    code = printed_codes(signed_in, new_batch(signed_in, point_id, size=1))[0]
    swapped = code[1] + code[0] + code[2:]
    if swapped == code:  # pragma: no cover - two equal first characters: change one instead
        swapped = ("3" if code[0] != "3" else "4") + code[1:]
    response = key_in(signed_in, point_id, swapped, what_seen="A grave near the well")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "typing mistake" in html
    assert 'aria-describedby="printed_code-hint printed_code-error"' in html
    assert "A grave near the well" in html  # what was typed is kept
    db_session.rollback()
    assert db_session.scalar(select(Tip.id)) is None


@pytest.mark.parametrize(("typed", "said"), [
    ("", "Type the code printed on the form, or tick the box below"),
    ("K7QM-4XRT", "A receipt code has 16 letters and numbers"),
    ("K7QM-4XRT-9HPA-3ZW0", "never contain these characters: 0"),
    (receipts.generate(), "No printed form has this code"),
])
def test_an_empty_short_impossible_or_unknown_code_is_refused_with_a_clear_message(signed_in, typed, said):
    point_id = new_point(signed_in)
    response = key_in(signed_in, point_id, typed)
    assert response.status_code == 422
    assert said in response.get_data(as_text=True)


def test_a_code_keys_in_once(signed_in, db_session):
    point_id = new_point(signed_in)
    code = printed_codes(signed_in, new_batch(signed_in, point_id, size=2))[0]
    first = key_in(signed_in, point_id, code)
    assert first.status_code == 201
    tip_id = int(re.search(r"Tip #(\d+) saved", first.get_data(as_text=True)).group(1))
    again = key_in(signed_in, point_id, code, what_seen="Another villager's form with the same code")
    assert again.status_code == 422
    assert f"already keyed in, as tip #{tip_id}" in again.get_data(as_text=True)
    db_session.rollback()
    assert db_session.scalars(select(Tip.id)).all() == [tip_id]


def test_a_voided_batch_stops_its_unused_codes_and_keeps_the_keyed_ones(app, signed_in, db_session):
    point_id = new_point(signed_in)
    batch_id = new_batch(signed_in, point_id, size=3)
    codes = printed_codes(signed_in, batch_id)
    assert key_in(signed_in, point_id, codes[0]).status_code == 201
    refused = signed_in.post(f"/en/staff/paper/batches/{batch_id}/void", data={"reason": ""})
    assert refused.status_code == 422
    voided = signed_in.post(f"/en/staff/paper/batches/{batch_id}/void",
                            data={"reason": "Lost on the way to the pagoda"})
    assert voided.status_code == 303
    page = signed_in.get(voided.location).get_data(as_text=True)
    assert "2 unused codes no longer work" in page
    response = key_in(signed_in, point_id, codes[1])
    assert response.status_code == 422
    assert "voided" in response.get_data(as_text=True)
    assert signed_in.post(f"/en/staff/paper/batches/{batch_id}/print").status_code == 303  # nothing to print
    assert "Received" in tipster_view(app, codes[0], lang="en")  # the form keyed in before still follows up
    assert _actions(db_session)[-2:] == ["paper.batch_voided", "paper.batch_printed"] or \
        _actions(db_session)[-1] == "paper.batch_voided"


def test_a_form_without_a_readable_code_gets_a_new_one_to_send_back(app, signed_in, db_session):
    point_id = new_point(signed_in, name="Pagoda Wat Prey Veng", kind="pagoda")
    response = key_in(signed_in, point_id, None)
    html = response.get_data(as_text=True)
    assert response.status_code == 201
    assert "Send it back to the person through Pagoda Wat Prey Veng" in html
    code = re.search(r'id="receipt-code" translate="no">([^<]+)<', html).group(1)
    assert "Received" in tipster_view(app, code, lang="en")
    db_session.rollback()
    tip = db_session.scalar(select(Tip))
    assert tip.channel == TipChannel.PAPER and tip.distribution_point_id == point_id
    assert db_session.scalar(select(PrintedCode.id).where(PrintedCode.tip_id == tip.id)) is None


def test_the_channel_page_counts_forms_printed_returned_and_keyed_per_point_and_province(signed_in):
    kampong_cham = new_point(signed_in, name="Kampong Cham veterans", province="03", kind="veterans")
    takeo = new_point(signed_in, name="Takeo school", province="21", kind="school")
    first = new_batch(signed_in, kampong_cham, size=4)
    codes = printed_codes(signed_in, first)
    new_batch(signed_in, takeo, size=10)
    for code in codes[:2]:
        assert key_in(signed_in, kampong_cham, code).status_code == 201
    assert key_in(signed_in, kampong_cham, None).status_code == 201
    assert signed_in.post(f"/en/staff/paper/batches/{first}/returned", data={"returned": "3"}).status_code == 303
    too_many = signed_in.post(f"/en/staff/paper/batches/{first}/returned", data={"returned": "9"})
    assert too_many.status_code == 422 and "only 4 forms" in too_many.get_data(as_text=True)
    html = signed_in.get("/en/staff/paper/").get_data(as_text=True)

    def row(marker: str) -> list[str]:
        match = re.search(marker + r".*?</tr>", html, re.S)
        return re.findall(r"<td[^>]*>([^<]*)</td>", match.group(0))

    # printed, returned, keyed (with or without a code), voided unused
    assert row(f'data-point="{kampong_cham}"')[1:] == ["4", "3", "3", "0"]
    assert row(f'data-point="{takeo}"')[1:] == ["10", "0", "0", "0"]
    assert row('data-province="03"') == ["4", "3", "3", "0"]
    assert row('data-province="21"') == ["10", "0", "0", "0"]


def test_a_distribution_point_needs_a_name_and_a_province_and_its_contact_stays_with_staff(app, signed_in):
    response = signed_in.post("/en/staff/paper/points/new", data={"name": "", "kind": "pagoda", "action": "submit"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Please choose the province." in html and "Please fill in this field." in html
    stepped = signed_in.post("/en/staff/paper/points/new", data={"name": "Wat Phnom", "kind": "pagoda",
                                                                "province": "12", "action": "place"})
    assert stepped.status_code == 200 and 'name="district"' in stepped.get_data(as_text=True)
    point_id = new_point(signed_in)
    for path in (f"/en/staff/paper/points/{point_id}", "/en/staff/paper/"):
        anonymous = app.test_client().get(path)
        assert anonymous.status_code == 302 and "/staff/login" in anonymous.location
    assert "+855 12 000 111" in signed_in.get(f"/en/staff/paper/points/{point_id}").get_data(as_text=True)


@pytest.mark.parametrize("lang", ["vi", "km"])
def test_key_in_errors_are_in_the_staff_members_language(client, moderator, lang):
    login(client, moderator, lang=lang)
    point_id = new_point(client)
    response = client.post(f"/{lang}/staff/paper/key-in", data={
        "point": str(point_id), "what_seen": "x", "province": "03", "printed_code": "K7QM", "action": "submit"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "A receipt code has 16 letters" not in html
    assert 'class="field-error" id="printed_code-error"' in html


def test_the_paper_forms_page_is_in_the_staff_menu_and_its_counts_name_their_column(signed_in):
    """The section was registered under an endpoint that does not exist, so no menu listed it."""
    home = signed_in.get("/en/staff/").get_data(as_text=True)
    assert 'href="/en/staff/paper/"' in home
    point_id = new_point(signed_in)
    page = signed_in.get(f"/en/staff/paper/points/{point_id}").get_data(as_text=True)
    assert '<td data-label="Forms printed">0</td>' in page
