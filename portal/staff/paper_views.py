"""The paper channel's pages: distribution points, batches of printed forms, and keying a form in.

Views read forms and call ``portal.services.paper``; each action is one service call, which runs
it in one write transaction together with its audit entry.
"""

from __future__ import annotations

from typing import Any, NoReturn

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from portal import geo
from portal.db import get_session
from portal.forms import ButtonForm, check_button
from portal.i18n import current_locale
from portal.models.paper import DistributionPoint, FormBatch
from portal.models.tip import TipChannel
from portal.security import form_checks_csrf, no_store
from portal.services import exports, paper
from portal.services import tips as tip_service
from portal.staff import bp, paper_sheet
from portal.staff.access import current_actor, register_section, roles_required
from portal.staff.paper_forms import (
    CODE_PROBLEMS,
    POINT_KIND_LABELS,
    BatchForm,
    PaperTipForm,
    PointForm,
    ReturnedForm,
    VoidForm,
)
from portal.staff.review_views import MODERATORS
from portal.uploads import chosen_files, photo_count_ok, process_photos

register_section("staff.paper_channel", _l("Paper forms"),
                 _l("Distribution points, printed forms with their receipt codes, and keying returned forms in."),
                 order=17)

def _place_name(code: str | None) -> str:
    place = geo.place(code) if code else None
    return place.name(current_locale()) if place else ""


def _point_or_404(point_id: int) -> DistributionPoint:
    point = paper.get_point(get_session(), point_id)
    if point is None:
        _not_found()
    return point


def _batch_or_404(batch_id: int) -> FormBatch:
    batch = paper.get_batch(get_session(), batch_id)
    if batch is None:
        _not_found()
    return batch


def _not_found() -> NoReturn:
    """404; a POST without a good CSRF token is refused as such first (it learns nothing)."""
    if request.method == "POST":
        check_button()
    abort(404)


@bp.get("/paper/")
@roles_required(*MODERATORS)
def paper_channel() -> ResponseReturnValue:
    return render_template("staff/paper/index.html", report=paper.channel_report(get_session()),
                           place_name=_place_name, KIND_LABELS=POINT_KIND_LABELS)


@bp.route("/paper/points/new", methods=["GET", "POST"])
@roles_required(*MODERATORS)
@form_checks_csrf
def paper_point_new() -> ResponseReturnValue:
    form = PointForm.for_point(current_locale(), None, posted=request.method == "POST")
    if request.method == "POST" and not form.is_place_step and form.validate():
        point = paper.create_point(get_session(), form.to_input(), current_actor())
        flash(_("Distribution point saved."), "ok")
        return redirect(url_for("staff.paper_point", point_id=point.id), code=303)
    return _point_form_page(form, None)


def _point_form_page(form: PointForm, point: DistributionPoint | None) -> ResponseReturnValue:
    status = 422 if request.method == "POST" and form.errors else 200
    return no_store(current_app.make_response((render_template(
        "staff/paper/point_form.html", point=point, **form.page_context(step=form.is_place_step)), status)))


@bp.route("/paper/points/<int:point_id>", methods=["GET", "POST"])
@roles_required(*MODERATORS)
@form_checks_csrf
def paper_point(point_id: int) -> ResponseReturnValue:
    point = _point_or_404(point_id)
    if request.method == "GET" and "edit" not in request.args:
        return _point_page(point)
    form = PointForm.for_point(current_locale(), point, posted=request.method == "POST")
    if request.method == "POST" and not form.is_place_step and form.validate():
        paper.update_point(get_session(), point.id, form.to_input(), current_actor())
        flash(_("Distribution point saved."), "ok")
        return redirect(url_for("staff.paper_point", point_id=point.id), code=303)
    return _point_form_page(form, point)


def _point_page(point: DistributionPoint, batch_form: BatchForm | None = None,
                status: int = 200) -> ResponseReturnValue:
    report = paper.channel_report(get_session())
    counts = next(counts for row_point, counts in report.points if row_point.id == point.id)
    return no_store(current_app.make_response((render_template(
        "staff/paper/point.html", point=point, counts=counts, batch_form=batch_form or BatchForm(formdata=None),
        place_name=_place_name, KIND_LABELS=POINT_KIND_LABELS), status)))


@bp.post("/paper/points/<int:point_id>/batches")
@roles_required(*MODERATORS)
@form_checks_csrf
def paper_batch_new(point_id: int) -> ResponseReturnValue:
    form = BatchForm()
    valid = check_button(form)
    point = _point_or_404(point_id)
    if not valid:
        return _point_page(point, form, status=422)
    batch = paper.create_batch(get_session(), point.id, int(form.size.data), form.second_language.data or "vi",
                               current_actor(), receipt_key=current_app.config["RECEIPT_KEY"])
    flash(ngettext("%(num)s form is ready to print.", "%(num)s forms are ready to print.", batch.size), "ok")
    return redirect(url_for("staff.paper_batch", batch_id=batch.id), code=303)


@bp.get("/paper/batches/<int:batch_id>")
@roles_required(*MODERATORS)
def paper_batch(batch_id: int) -> ResponseReturnValue:
    return _batch_page(_batch_or_404(batch_id))


def _batch_page(batch: FormBatch, *, status: int = 200, **forms: Any) -> ResponseReturnValue:
    returned_form = forms.get("returned") or ReturnedForm(formdata=None, returned=batch.returned_count)
    return no_store(current_app.make_response((render_template(
        "staff/paper/batch.html", batch=batch, button_form=ButtonForm(formdata=None),
        void_form=forms.get("void") or VoidForm(formdata=None), returned_form=returned_form,
        keyed=sum(1 for code in batch.codes if code.tip_id is not None), place_name=_place_name), status)))


@bp.post("/paper/batches/<int:batch_id>/print")
@roles_required(*MODERATORS)
def paper_batch_print(batch_id: int) -> ResponseReturnValue:
    """The forms to print, one A4 page each. A POST, so that every print is confirmed and audited."""
    check_button()
    batch = _batch_or_404(batch_id)
    if batch.voided:
        flash(_("This batch was voided: its forms can no longer be printed."), "error")
        return redirect(url_for("staff.paper_batch", batch_id=batch.id), code=303)
    forms = paper.print_batch(get_session(), batch.id, current_actor(), receipt_key=current_app.config["RECEIPT_KEY"])
    batch = _batch_or_404(batch_id)
    second = batch.second_language
    address = url_for("tips.status", lang=paper_sheet.PRINTED_FIRST, _external=True)
    point_name = batch.point.name
    phone = str(current_app.config["CONTACT_PHONE"])
    sheet = {
        "title": paper_sheet.in_both(paper_sheet.TITLE, second),
        "intro": paper_sheet.in_both(paper_sheet.INTRO, second),
        "code_on_form": paper_sheet.in_both(paper_sheet.CODE_ON_FORM, second),
        "where": paper_sheet.in_both(paper_sheet.WHERE, second),
        "what": paper_sheet.in_both(paper_sheet.WHAT, second),
        "about": paper_sheet.in_both(paper_sheet.ABOUT_YOU, second),
        "draw": paper_sheet.in_both(paper_sheet.DRAW, second),
        "tick_one": paper_sheet.in_both(paper_sheet.TICK_ONE, second),
        "who_sees": paper_sheet.in_both(paper_sheet.WHO_SEES, second),
        "tear": paper_sheet.in_both(paper_sheet.TEAR_HERE, second),
        "keep": paper_sheet.in_both(paper_sheet.KEEP_THIS, second),
        "your_code": paper_sheet.in_both(paper_sheet.YOUR_CODE, second),
        "follow_up": paper_sheet.in_both(paper_sheet.FOLLOW_UP, second, address=address),
        "ask_point": paper_sheet.in_both(paper_sheet.ASK_THE_POINT, second, point=point_name),
        "call": (None if "sample" in phone else paper_sheet.in_both(paper_sheet.CALL, second, phone=phone)),
        "how_known_question": paper_sheet.in_both(paper_sheet.question("how_known"), second),
        "how_known": paper_sheet.how_known_choices(second),
        "anonymous": paper_sheet.in_both(paper_sheet.question("anonymous"), second),
        "consent": paper_sheet.in_both(paper_sheet.question("consent"), second),
        "questions": {section: [(paper_sheet.in_both(paper_sheet.question(name), second), lines)
                                for name, lines in questions]
                      for section, questions in (("where", paper_sheet.WHERE_QUESTIONS),
                                                 ("what", paper_sheet.WHAT_QUESTIONS),
                                                 ("about", paper_sheet.ABOUT_QUESTIONS))},
        "numbers": {form.serial: paper_sheet.in_both(paper_sheet.FORM_NUMBER, second, serial=form.serial,
                                                     size=batch.size, batch=batch.id) for form in forms},
    }
    return no_store(current_app.make_response(render_template(
        "staff/paper/print.html", batch=batch, forms=forms, sheet=sheet, second=second,
        qr=exports.qr_data_uri(address), address=address)))


@bp.post("/paper/batches/<int:batch_id>/void")
@roles_required(*MODERATORS)
@form_checks_csrf
def paper_batch_void(batch_id: int) -> ResponseReturnValue:
    form = VoidForm()
    valid = check_button(form)
    batch = _batch_or_404(batch_id)
    if not valid:
        return _batch_page(batch, status=422, void=form)
    stopped = paper.void_batch(get_session(), batch.id, form.reason.data or "", current_actor())
    flash(ngettext("The batch is voided: %(num)s unused code no longer works.",
                   "The batch is voided: %(num)s unused codes no longer work.", stopped), "ok")
    return redirect(url_for("staff.paper_batch", batch_id=batch.id), code=303)


@bp.post("/paper/batches/<int:batch_id>/returned")
@roles_required(*MODERATORS)
@form_checks_csrf
def paper_batch_returned(batch_id: int) -> ResponseReturnValue:
    form = ReturnedForm()
    valid = check_button(form)
    batch = _batch_or_404(batch_id)
    if valid and int(form.returned.data) > batch.size:
        form.returned.errors = [ngettext("This batch has only %(num)s form.", "This batch has only %(num)s forms.",
                                         batch.size)]
        valid = False
    if not valid:
        return _batch_page(batch, status=422, returned=form)
    paper.record_returned(get_session(), batch.id, int(form.returned.data), current_actor())
    flash(_("Saved."), "ok")
    return redirect(url_for("staff.paper_batch", batch_id=batch.id), code=303)


@bp.route("/paper/key-in", methods=["GET", "POST"])
@roles_required(*MODERATORS)
@form_checks_csrf
def paper_key_in() -> ResponseReturnValue:
    """A returned paper form typed in, with the receipt code printed on it."""
    session, locale = get_session(), current_locale()
    form = PaperTipForm.from_request(locale)
    form.set_points(paper.list_points(session))
    if request.method == "GET":
        form.point.data = request.args.get("point", "")
        form.channel.data = TipChannel.PAPER.value
    files = chosen_files(form.photos.data) if request.method == "POST" else []
    if request.method == "GET" or form.is_place_step:
        return _key_in_page(form, step=form.is_place_step, photos_dropped=bool(files))
    form.channel.data = TipChannel.PAPER.value
    valid = form.validate()
    if not (photo_count_ok(form.photos, files, int(current_app.config["MAX_PHOTOS"])) and valid):
        return _key_in_page(form, photos_dropped=bool(files), status=422)
    photos, problems = process_photos(files, int(current_app.config["MAX_PHOTO_MB"]))
    if problems:
        form.photos.errors = problems
        return _key_in_page(form, photos_dropped=True, status=422)
    try:
        submitted = paper.key_in(session, form.to_input(locale), form.typed_code, photos, actor=current_actor(),
                                 receipt_key=current_app.config["RECEIPT_KEY"])
    except paper.CodeRefused as refused:
        message = CODE_PROBLEMS[refused.reason]
        form.printed_code.errors = [message % {"chars": " ".join(refused.characters), "tip": refused.tip_id or "?"}]
        return _key_in_page(form, photos_dropped=bool(files), status=422)
    except tip_service.AlreadyReceived:
        flash(_("This tip was already saved (the form was sent twice)."), "ok")
        return redirect(url_for("staff.queue"), code=303)
    return no_store(current_app.make_response((render_template(
        "staff/paper/keyed.html", submitted=submitted, printed=form.typed_code is not None,
        point=paper.get_point(session, int(form.point.data))), 201)))


def _key_in_page(form: PaperTipForm, *, step: bool = False, photos_dropped: bool = False,
                 status: int = 200) -> ResponseReturnValue:
    return no_store(current_app.make_response((render_template(
        "staff/paper/key_in.html", photos_dropped=photos_dropped, max_photos=current_app.config["MAX_PHOTOS"],
        max_photo_mb=current_app.config["MAX_PHOTO_MB"], **form.page_context(step=step)), status)))
