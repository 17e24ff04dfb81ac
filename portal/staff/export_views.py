"""Exports for the search teams: the export page (the queue's filters or tip numbers → CSV, GeoJSON,
GPX or field sheets) and one tip's printable field sheet. Moderators (and admins) only; every export
is audited by ``portal.services.exports.record_export``.
"""

from __future__ import annotations

from flask import Response, abort, current_app, flash, g, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import force_locale, pgettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal import geo, tip_facts
from portal.db import get_session
from portal.i18n import current_locale
from portal.labels import STATUS_LABELS
from portal.models.staff import StaffRole
from portal.models.tip import Tip
from portal.security import form_checks_csrf, no_store
from portal.services import exports
from portal.services.exports import MAX_EXPORT, MAX_SHEETS, SHEETS, ExportedTip, Format
from portal.staff import bp
from portal.staff.access import current_actor, register_section, roles_required
from portal.staff.export_forms import ExportForm, FieldSheetForm
from portal.staff.review_forms import QueueFilterForm
from portal.staff.review_views import read_queue_filters

MODERATORS = (StaffRole.MODERATOR,)

register_section("staff.exports", _l("Exports for search teams"),
                 _l("Spreadsheets, map layers, GPS waypoints and field sheets of the tips you choose."), order=30)


def _filter_summary(form: QueueFilterForm) -> list[tuple[str, str]]:
    """The filters in words, to show what will be exported."""
    locale = current_locale()
    summary: list[tuple[str, str]] = []
    if form.status.data:
        summary.append((_("Status"), ", ".join(str(STATUS_LABELS[s]) for s in STATUS_LABELS
                                                if s.value in form.status.data)))
    place = geo.place(form.district.data) or geo.place(form.province.data)
    if place:
        summary.append((_("Place"), place.name(locale)))
    if form.created_from.data:
        summary.append((str(form.created_from.label.text), form.created_from.data.isoformat()))
    if form.created_to.data:
        summary.append((str(form.created_to.label.text), form.created_to.data.isoformat()))
    for flag in (form.mine, form.has_photos, form.has_contact):
        if flag.data:
            summary.append((str(flag.label.text), pgettext("data value", "Yes")))
    if form.q.data:
        summary.append((_("Search"), form.q.data))
    return summary


def _download(fmt: Format, body: bytes) -> Response:
    response = current_app.response_class(body, content_type=fmt.media_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{exports.filename(fmt)}"'
    return no_store(response)


def _sheets(sheets: list[ExportedTip], language: str, *, form: FieldSheetForm | None = None,
            capped: bool = False) -> Response:
    """Field sheets rendered in ``language`` (the page's own language follows it)."""
    g.lang = language
    with force_locale(language):
        body = render_template(
            "staff/exports/field_sheets.html", sheets=sheets, form=form, capped=capped, single=len(sheets) == 1,
            outcome_labels=list(exports.OUTCOME_LABELS.values()), facts=tip_facts.FIELD_SHEET,
            qr={sheet.id: exports.qr_data_uri(sheet.geo_uri) for sheet in sheets if sheet.has_location},
            max_sheets=MAX_SHEETS)
    return no_store(current_app.response_class(body, content_type=SHEETS.media_type))


@bp.route("/exports", methods=["GET", "POST"], endpoint="exports")
@roles_required(*MODERATORS)
@form_checks_csrf
def export_page() -> ResponseReturnValue:
    session, actor = get_session(), current_actor()
    filters, filter_form, filters_valid = read_queue_filters(actor)
    form = ExportForm(formdata=request.form if request.method == "POST" else None,
                      language=current_locale())
    if request.method == "POST" and filters_valid and form.validate():
        fmt = exports.export_format(form.format.data)  # the form has checked it is a key of FORMATS
        language = form.language.data or current_locale()
        include_contact = bool(form.include_contact.data)
        ids = exports.parse_ids(form.ids.data)
        selection = exports.select_tips(session, filters, ids, limit=fmt.max_tips or MAX_EXPORT)
        if selection.tips:
            flat = exports.flatten_all(selection.tips, language, include_contact)
            exports.record_export(session, actor, fmt, flat, language=language, include_contact=include_contact,
                                  filters=exports.describe_filters(filters, ids), capped=selection.capped)
            if fmt.serialise is None:
                return _sheets(flat, language, capped=selection.capped)
            return _download(fmt, fmt.serialise(flat, language, include_contact))
        flash(_("No tips match: nothing was exported."), "error")
    elif request.method == "POST" and not filters_valid:
        flash(_("Some filters were not understood. Please go back to the queue and choose them again."), "error")
    count, more = exports.count_matching(session, filters, MAX_EXPORT) if filters_valid else (0, False)
    status = 400 if request.method == "POST" else 200
    return no_store(Response(render_template(
        "staff/exports/export.html", form=form, count=count, more=more, max_export=MAX_EXPORT,
        max_sheets=MAX_SHEETS, summary=_filter_summary(filter_form) if filters_valid else [],
        filters_valid=filters_valid,
    ), status=status))


@bp.route("/tips/<int:tip_id>/field-sheet", methods=["GET", "POST"])
@roles_required(*MODERATORS)
@form_checks_csrf
def tip_field_sheet(tip_id: int) -> ResponseReturnValue:
    """One tip's field sheet in the page's language, made and audited only by a POST with a CSRF token.

    A GET (a bookmark, or a link from another site) only offers the button: opening a URL must not
    write ``tip.exported`` to the audit log, nor show what an export would.
    """
    session, actor = get_session(), current_actor()
    tip = session.get(Tip, tip_id)
    if tip is None:
        abort(404)
    form = FieldSheetForm(formdata=request.form if request.method == "POST" else None)
    if request.method == "GET" or not form.validate():
        status = 400 if request.method == "POST" else 200
        return no_store(Response(render_template("staff/exports/field_sheet_ask.html", tip=tip, form=form),
                                 status=status))
    include_contact = bool(form.include_contact.data)
    language = current_locale()
    sheet = exports.flatten(tip, language, include_contact)
    exports.record_export(session, actor, SHEETS, [sheet], language=language, include_contact=include_contact)
    return _sheets([sheet], language, form=form)
