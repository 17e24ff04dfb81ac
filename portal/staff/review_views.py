"""The review queue, a tip's page and every action a moderator takes on a tip.

Views read forms and call ``portal.services.queue``, ``workflow`` and ``moderation``; each
action is one service call, which runs it in one write transaction together with its audit entry.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import generate_csrf
from jinja2.filters import do_truncate
from markupsafe import Markup
from wtforms.fields.choices import SelectChoice

from portal import geo, tip_facts
from portal.audit_words import moments as staff_moments  # remembers each moment it formats
from portal.db import get_session
from portal.forms import ButtonForm, check_button
from portal.i18n import current_locale, format_number, url_with_query
from portal.kept_pages import kept_page
from portal.labels import CHANNEL_LABELS, OUTCOME_LABELS, STATUS_LABELS
from portal.models.staff import StaffRole, StaffUser
from portal.models.tip import Tip, TipChannel, TipOutcome, TipStatus
from portal.models.types import parse_id
from portal.navigation import kept
from portal.row_templates import fill, row_template
from portal.security import form_checks_csrf, no_store
from portal.services import duplicates, inquiries, moderation, paper, queue, workflow
from portal.services import tips as tip_service
from portal.services.audit_log import PAGE as AUDIT_PAGE
from portal.services.audit_log import search_audit, tip_audit
from portal.services.tips import public_status, thread
from portal.staff import bp
from portal.staff.access import current_actor, register_section, roles_required
from portal.staff.review_forms import (
    AssignForm,
    AuditSearchForm,
    MessageForm,
    NoteForm,
    QueueFilterForm,
    RedactForm,
    StaffTipForm,
    TransitionForm,
)
from portal.uploads import chosen_files, photo_count_ok, process_photos

MODERATORS = (StaffRole.MODERATOR,)
TRANSITION_ERRORS = {
    "not_allowed": _l("This tip cannot move from “%(source)s” to “%(target)s”."),
    "reason_required": _l("Please write why the tip is rejected."),
    "duplicate_of_required": _l("Please give the number of the tip this one repeats."),
    "duplicate_of_itself": _l("A tip cannot be a duplicate of itself or of its own duplicate."),
    "outcome_required": _l("To close a tip, give the field outcome, the team and the date of the search."),
}
MODERATION_ERRORS = {
    "not_a_moderator": _l("Tips can only be assigned to active moderators."),
    "not_redactable": _l("This field cannot be redacted."),
    "already_empty": _l("There is nothing to redact in this field."),
    "not_found": _l("That item does not belong to this tip."),
}
REDACT_LABELS = {
    **{fact.key: fact.label for fact in tip_facts.REDACTABLE},
    "on_behalf_relationship": _l("Relationship"),
    "coordinates": _l("Coordinates"),
    "message": _l("Message"),
    "photo": _l("Photo"),
}
# The tip page's heading of each section of tip_facts.
SECTION_ANCHORS = {"where": "where", "what": "what", "contact": "contact-heading"}
# Where on the tip's page each redactable thing is: "Cancel" goes back there.
REDACT_SECTIONS = {
    **{fact.key: SECTION_ANCHORS[fact.section] for fact in tip_facts.REDACTABLE},
    "coordinates": "where", "on_behalf_relationship": "what", "photo": "photos", "message": "thread",
}

register_section("staff.queue", _l("Review queue"), _l("Every tip, with filters, search and its workflow."),
                 order=10)
register_section("staff.dashboard", _l("Dashboard"), _l("Tips by status and by province, and the paper forms."),
                 order=20)
register_section("staff.tip_new", _l("Enter a tip"),
                 _l("A tip received by phone, on paper or in person, so that one queue holds them all."), order=15)
register_section("staff.audit", _l("Audit log"), _l("Who did what, and when."), order=85)


def _province_choices(locale: str) -> list[SelectChoice]:
    return [SelectChoice("", _("All provinces"))] + [
        SelectChoice(p.code, p.name(locale)) for p in geo.provinces()]


def _filters(form: QueueFilterForm, actor: StaffUser) -> queue.QueueFilter:
    statuses = tuple(TipStatus(s) for s in (form.status.data or []) if s in TipStatus._value2member_map_)
    return queue.QueueFilter(
        statuses=statuses,
        province_code=form.province.data or None,
        district_code=form.district.data or None,
        created_from=form.created_from.data,
        created_to=form.created_to.data,
        assignee_id=actor.id if form.mine.data else None,
        has_photos=bool(form.has_photos.data),
        has_contact=bool(form.has_contact.data),
        text=form.q.data or "",
        sort=queue.Sort(form.sort.data) if form.sort.data == queue.Sort.OLDEST else queue.Sort.NEWEST,
    )


def read_queue_filters(actor: StaffUser) -> tuple[queue.QueueFilter, QueueFilterForm, bool]:
    """The queue's filters from the query string (the queue and its exports read them alike)."""
    locale = current_locale()
    form = QueueFilterForm(request.args)
    form.province.choices = _province_choices(locale)
    province = request.args.get("province", "")
    districts = geo.districts(province) if geo.province(province) else ()
    form.district.choices = [SelectChoice("", _("All districts"))] + [
        SelectChoice(d.code, d.name(locale)) for d in districts]
    valid = form.validate()
    return _filters(form, actor), form, valid


@bp.get("/queue", endpoint="queue")
@roles_required(*MODERATORS)
def queue_list() -> ResponseReturnValue:
    actor = current_actor()
    if not request.args:  # the whole queue's first page: no filter to read (the form only if not kept)
        filters, form, valid = queue.QueueFilter(), None, True
    else:
        filters, form, valid = read_queue_filters(actor)
    if not valid:
        flash(_("Some filters were not understood and were left out."), "error")
        form = QueueFilterForm(formdata=None)
        form.province.choices = _province_choices(current_locale())
        form.district.choices = [SelectChoice("", _("All districts"))]
        filters = queue.QueueFilter()
    page = queue.queue_page(get_session(), filters, request.args.get("after"))
    next_url = url_with_query("staff.queue", request.args, drop=("after",), after=page.next_cursor) \
        if page.next_cursor else None
    first_url = url_with_query("staff.queue", request.args, drop=("after",))

    def filters_form() -> QueueFilterForm:
        return form if form is not None else read_queue_filters(actor)[1]

    rows = _queue_rows(page.rows)
    if request.args:  # a filtered or later page: one of many, each seen a few times
        return render_template("staff/review/queue.html", filters_form=_filters_form(filters_form, valid),
                               page=page, rows=rows, next_url=next_url, first_url=first_url)
    return _first_queue_page(actor, page, rows, next_url, filters_form)


def _first_queue_page(actor: StaffUser, page: queue.QueuePage, rows: Markup, next_url: str | None,
                      filters_form: Callable[[], QueueFilterForm]) -> str:
    """The whole queue's first page, the one every moderator opens, kept per member (their name
    and role, the sections it opens) and language (``portal.kept_pages``): the rows, the next
    page's link and the sign-out button's CSRF token are put in for each request."""
    holes: dict[str, str] = {}
    if page.rows:
        holes["rows"] = rows  # HTML already (fill escaped every value): put in as it is
    if next_url:
        holes["next_url"] = next_url
    if current_app.config.get("WTF_CSRF_ENABLED", True):
        holes["csrf"] = generate_csrf()

    def context(values: Mapping[str, str]) -> dict[str, Any]:
        csrf = values.get("csrf", "")
        return {"filters_form": _filters_form(filters_form, True), "page": page, "rows": values.get("rows", ""),
                "next_url": values.get("next_url"), "first_url": None, "csrf_token": lambda: csrf}

    return kept_page("staff/review/queue.html", holes, context, actor.id, actor.username, actor.role.value,
                     page.first)


FILTER_FORMS_KEPT = 256


def _filters_form(form: Callable[[], QueueFilterForm], valid: bool) -> Markup:
    """The filters form as HTML, rendered once per language, query and app root.

    The form is built from those alone (``read_queue_filters``: the query, the language's place
    names and words), so the same three always give the same HTML; rendering its fields was a
    quarter of the queue's CPU. ``form`` makes the form, called only when it is not kept. Kept per
    app, the least recently used dropped beyond ``FILTER_FORMS_KEPT``."""
    key = (current_locale(), request.script_root, valid, bool(request.args),
           tuple(sorted((name, value) for name, value in request.args.items(multi=True) if name != "after")))
    # An autoescaped template's output: already HTML, every value in it escaped.
    return kept("portal.queue_filter_forms", key, lambda: Markup(  # noqa: S704
        render_template("staff/review/_queue_filters.html", form=form())), FILTER_FORMS_KEPT)


class QueueLine(NamedTuple):
    """What one row of the queue shows, every value ready to print (``_queue_row.html``)."""

    href: str
    id: int
    summary: str
    status: str
    status_label: str
    place: str
    received_iso: str
    received: str
    photos: str
    assignee: str


def _queue_rows(rows: list[queue.QueueRow]) -> Markup:
    """The queue's rows as HTML: the row template rendered once, every row's values put in."""
    template = row_template("staff/review/_queue_row.html", QueueLine._fields)
    return fill(template, _queue_lines(rows))


def _queue_lines(rows: list[queue.QueueRow]) -> list[QueueLine]:
    """The queue's rows as they read, each cell through the same function its template filter
    calls. Each distinct value is worked out once per page, and the language, zone and URL map
    are asked once: asked row by row, a page of 50 put the same questions to the URL map, the
    catalogs, the place list and Babel 50 times each, which cost more than the query."""
    env = current_app.jinja_env
    html_datetime = env.filters["html_datetime"]
    moment = staff_moments()
    tip_url = _tip_url_maker()
    labels = {status: str(label) for status, label in STATUS_LABELS.items()}
    locale = current_locale()
    places: dict[str | None, str] = {}
    counts: dict[int, str] = {}

    def place(code: str | None) -> str:
        if code not in places:
            found = geo.place(code)
            places[code] = found.name(locale) if found else ""
        return places[code]

    def photos(count: int) -> str:
        if count not in counts:
            counts[count] = format_number(count)
        return counts[count]

    return [QueueLine(tip_url(row.id), row.id, do_truncate(env, row.summary, 90), row.status.value,
                      labels[row.status], place(row.district_code) or place(row.province_code) or "—",
                      html_datetime(row.created_at), moment(row.created_at), photos(row.photo_count),
                      row.assignee or "—")
            for row in rows]


def _tip_url_maker() -> Callable[[int], str]:
    """``url_for("staff.tip", tip_id=…)`` for many ids: built once, the id put in by hand."""
    sample = url_for("staff.tip", tip_id=0)
    if not sample.endswith("/0"):  # pragma: no cover - the route ends in its id
        return lambda tip_id: url_for("staff.tip", tip_id=tip_id)
    prefix = sample[:-1]
    return lambda tip_id: f"{prefix}{tip_id}"


def _place_name(code: str | None) -> str:
    place = geo.place(code)
    return place.name(current_locale()) if place else ""


@bp.get("/dashboard")
@roles_required(*MODERATORS)
def dashboard() -> ResponseReturnValue:
    session = get_session()
    return render_template("staff/review/dashboard.html", board=queue.dashboard(session),
                           paper=paper.channel_report(session),
                           STATUS_LABELS=STATUS_LABELS, place_name=_place_name, statuses=list(TipStatus))


def _tip_or_404(tip_id: int) -> Tip:
    tip = get_session().get(Tip, tip_id)
    if tip is None:
        abort(404)
    return tip


def _tip_page(tip: Tip, *, contact: moderation.Contact | None = None, status: int = 200,
              **forms: Any) -> ResponseReturnValue:
    session = get_session()
    move_forms = {target: TransitionForm(formdata=None, target=target.value)
                  for target in workflow.allowed_moves(tip.status)}
    if "transition" in forms:
        failed: TransitionForm = forms.pop("transition")
        move_forms[TipStatus(failed.target.data)] = failed
    assign_form = forms.pop("assign", None) or AssignForm(formdata=None, assignee=str(tip.assignee_id or ""))
    assign_form.assignee.choices = [SelectChoice("", _("Nobody"))] + [
        SelectChoice(str(u.id), u.username) for u in moderation.moderators(session)]
    duplicate = session.get(Tip, tip.duplicate_of_id) if tip.duplicate_of_id else None
    response = Response(render_template(
        "staff/review/tip.html", tip=tip, contact=contact, has_contact=moderation.has_contact(tip),
        move_forms=move_forms, assign_form=assign_form,
        note_form=forms.pop("note", None) or NoteForm(formdata=None, prefix="note"),
        message_form=forms.pop("message", None) or MessageForm(formdata=None, prefix="message"),
        button_form=ButtonForm(), redact_labels=REDACT_LABELS, facts=tip_facts.STAFF_PAGE,
        notes=moderation.notes(session, tip),
        messages=thread(tip), audit=tip_audit(session, tip.id), public=public_status(tip),
        duplicate=duplicate, place_name=_place_name, STATUS_LABELS=STATUS_LABELS,
        WORKFLOW=workflow.STATUSES,
        likely_duplicates=duplicates.likely_duplicates(session, tip, current_app.config["DUPLICATE_RADIUS_M"]),
        OUTCOME_LABELS=OUTCOME_LABELS, CHANNEL_LABELS=CHANNEL_LABELS,
        staff_maps=current_app.config["STAFF_MAPS"],
        tile_url=current_app.config["TILE_URL"],
        family_links=inquiries.links_of_tip(session, tip),
    ), status=status)
    return no_store(response)


@bp.get("/tips/<int:tip_id>")
@roles_required(*MODERATORS)
def tip(tip_id: int) -> ResponseReturnValue:
    return _tip_page(_tip_or_404(tip_id))


@bp.get("/tips/<int:tip_id>/photos/<int:photo_id>")
@roles_required(*MODERATORS)
def tip_photo(tip_id: int, photo_id: int) -> ResponseReturnValue:
    photo = moderation.photo_for_staff(get_session(), tip_id, photo_id)
    if photo is None:
        abort(404)
    response = current_app.response_class(photo.data, mimetype=photo.mime_type)
    response.headers["Content-Disposition"] = "inline"
    return no_store(response)


def _back(tip_id: int) -> ResponseReturnValue:
    return redirect(url_for("staff.tip", tip_id=tip_id), code=303)


@bp.post("/tips/<int:tip_id>/move")
@roles_required(*MODERATORS)
def tip_transition(tip_id: int) -> ResponseReturnValue:
    session, actor = get_session(), current_actor()
    tip = _tip_or_404(tip_id)
    form = TransitionForm()
    target = TipStatus._value2member_map_.get(form.target.data or "")
    if not form.validate() or not isinstance(target, TipStatus):
        return _tip_page(tip, transition=form, status=400) if isinstance(target, TipStatus) else abort(400)
    outcome = None
    if form.outcome.data and form.team.data and form.searched_on.data:
        outcome = workflow.FieldOutcome(outcome=TipOutcome(form.outcome.data), team=form.team.data,
                                        searched_on=form.searched_on.data,
                                        remains_count=form.remains_count.data or 0)
    try:
        workflow.move_tip(session, tip_id, target, actor, reason=form.reason.data or "",
                          duplicate_of_id=form.duplicate_of.data or None, field_outcome=outcome)
    except workflow.TipNotFound:
        abort(404)
    except workflow.TransitionError as error:
        form.target.errors = [str(TRANSITION_ERRORS[error.code] % {
            "source": STATUS_LABELS[tip.status], "target": STATUS_LABELS[target]})]
        flash(form.target.errors[0], "error")
        return _tip_page(_tip_or_404(tip_id), transition=form, status=400)
    flash(_("The tip is now “%(status)s”.", status=STATUS_LABELS[target]), "ok")
    return _back(tip_id)


@bp.post("/tips/<int:tip_id>/assign")
@roles_required(*MODERATORS)
def tip_assign(tip_id: int) -> ResponseReturnValue:
    session, actor = get_session(), current_actor()
    form = AssignForm()
    form.assignee.choices = [SelectChoice("", "")] + [
        SelectChoice(str(u.id), u.username) for u in moderation.moderators(session)]
    if not form.validate():
        flash(_("Please choose a moderator from the list."), "error")
        return _tip_page(_tip_or_404(tip_id), assign=form, status=400)
    try:
        moderation.assign_tip(session, tip_id, int(form.assignee.data) if form.assignee.data else None, actor)
    except workflow.TipNotFound:
        abort(404)
    except moderation.ModerationError as error:
        flash(str(MODERATION_ERRORS[error.code]), "error")
        return _tip_page(_tip_or_404(tip_id), assign=form, status=400)
    flash(_("Assignment saved."), "ok")
    return _back(tip_id)


@bp.post("/tips/<int:tip_id>/notes")
@roles_required(*MODERATORS)
def tip_note(tip_id: int) -> ResponseReturnValue:
    session, actor = get_session(), current_actor()
    form = NoteForm(prefix="note")
    if not form.validate():
        return _tip_page(_tip_or_404(tip_id), note=form, status=400)
    try:
        moderation.add_tip_note(session, tip_id, form.body.data, actor)
    except workflow.TipNotFound:
        abort(404)
    flash(_("Note added. Only staff can see it."), "ok")
    return _back(tip_id)


@bp.post("/tips/<int:tip_id>/messages")
@roles_required(*MODERATORS)
def tip_message(tip_id: int) -> ResponseReturnValue:
    session, actor = get_session(), current_actor()
    form = MessageForm(prefix="message")
    if not form.validate():
        return _tip_page(_tip_or_404(tip_id), message=form, status=400)
    try:
        moderation.send_tip_message(session, tip_id, form.body.data, actor)
    except workflow.TipNotFound:
        abort(404)
    flash(_("Message sent. The tipster will see it when they enter their receipt code."), "ok")
    return _back(tip_id)


@bp.post("/tips/<int:tip_id>/contact")
@roles_required(*MODERATORS)
def tip_contact(tip_id: int) -> ResponseReturnValue:
    """Contact details are shown only on request, in the answer to this POST, and every look is audited."""
    session, actor = get_session(), current_actor()
    check_button()
    try:
        contact = moderation.reveal_tip_contact(session, tip_id, actor)
    except workflow.TipNotFound:
        abort(404)
    return _tip_page(_tip_or_404(tip_id), contact=contact)


def _redact_question(tip: Tip, form: RedactForm, preview: moderation.Redaction) -> ResponseReturnValue:
    """The page that names what a redaction removes, with the button that does it and a way back."""
    cancel = url_for("staff.tip", tip_id=tip.id, _anchor=REDACT_SECTIONS.get(preview.field, "where"))
    photo_number = next((n for n, photo in enumerate(tip.photos, 1) if photo.id == preview.item), None) \
        if preview.field == "photo" else None
    return no_store(Response(render_template(
        "staff/review/redact.html", tip=tip, form=form, preview=preview, cancel_url=cancel,
        label=REDACT_LABELS.get(preview.field, preview.field), photo_number=photo_number)))


@bp.route("/tips/<int:tip_id>/redact", methods=["GET", "POST"])
@roles_required(*MODERATORS)
def tip_redact(tip_id: int) -> ResponseReturnValue:
    """Redaction in two steps: the Redact link (GET) or a POST without ``confirm`` asks; only the
    question's "Remove" button (a POST with ``confirm=remove`` and the CSRF token) removes."""
    session, actor = get_session(), current_actor()
    asking = request.method == "GET"
    form = RedactForm(request.args, meta={"csrf": False}) if asking else RedactForm()
    if not form.validate():
        if not asking:
            abort(400)
        flash(str(MODERATION_ERRORS["not_redactable"]), "error")
        return _back(tip_id)
    field, item = form.field.data, parse_id(form.item.data)
    tip = _tip_or_404(tip_id)
    try:
        if asking or form.confirm.data != "remove":
            preview = moderation.redaction(session, tip, field, item)
            return _redact_question(tip, RedactForm(formdata=None, field=field, item=form.item.data), preview)
        moderation.redact_tip(session, tip_id, field, item, actor)
    except workflow.TipNotFound:
        abort(404)
    except moderation.ModerationError as error:
        flash(str(MODERATION_ERRORS[error.code]), "error")
        return _back(tip_id)
    flash(_("Redacted. The original text is gone for good."), "ok")
    return _back(tip_id)


@bp.route("/tips/new", methods=["GET", "POST"])
@roles_required(*MODERATORS)
@form_checks_csrf
def tip_new() -> ResponseReturnValue:
    """A tip received by phone, on paper or in person, so that one queue holds them all."""
    locale = current_locale()
    form = StaffTipForm.from_request(locale)
    files = chosen_files(form.photos.data) if request.method == "POST" else []
    if request.method == "GET" or form.is_place_step:
        return _staff_tip_form(form, step=form.is_place_step, photos_dropped=bool(files))
    valid = form.validate()
    if not (photo_count_ok(form.photos, files, int(current_app.config["MAX_PHOTOS"])) and valid):
        return _staff_tip_form(form, photos_dropped=bool(files))
    photos, problems = process_photos(files, int(current_app.config["MAX_PHOTO_MB"]))
    if problems:
        form.photos.errors = problems
        return _staff_tip_form(form, photos_dropped=True)
    try:
        submitted = tip_service.submit_tip(get_session(), form.to_input(locale, TipChannel(form.channel.data)),
                                           photos, receipt_key=current_app.config["RECEIPT_KEY"])
    except tip_service.AlreadyReceived:
        flash(_("This tip was already saved (the form was sent twice)."), "ok")
        return redirect(url_for("staff.queue"), code=303)
    return no_store(current_app.make_response(
        (render_template("staff/review/tip_saved.html", submitted=submitted), 201)))


def _staff_tip_form(form: StaffTipForm, *, step: bool = False, photos_dropped: bool = False) -> ResponseReturnValue:
    return no_store(current_app.make_response(render_template(
        "staff/review/tip_new.html", photos_dropped=photos_dropped, max_photos=current_app.config["MAX_PHOTOS"],
        max_photo_mb=current_app.config["MAX_PHOTO_MB"], **form.page_context(step=step))))


@bp.get("/audit")
@roles_required(StaffRole.ADMIN)
def audit() -> ResponseReturnValue:
    form = AuditSearchForm(request.args)
    form.validate()
    entries = search_audit(get_session(), form.q.data or "", before=request.args.get("before", type=int))
    older = None
    if len(entries) == AUDIT_PAGE:
        older = url_for("staff.audit", q=form.q.data or None, before=entries[-1].id)
    return render_template("staff/review/audit.html", form=form, entries=entries, older=older)
