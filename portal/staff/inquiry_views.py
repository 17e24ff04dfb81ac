"""Families' inquiries for moderators (issue #19): the list, an inquiry's page with the tips and
sites that may concern its person, and each action on it (one service call each, audited).
"""

from __future__ import annotations

from typing import Any

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal import geo, vn_places
from portal.db import get_session
from portal.forms import ButtonForm, check_button
from portal.i18n import current_locale
from portal.models.inquiry import Inquiry, InquiryStatus, LinkDecision
from portal.models.types import parse_id
from portal.security import no_store
from portal.services import inquiries, inquiry_matching
from portal.staff import bp
from portal.staff.access import current_actor, register_section, roles_required
from portal.staff.inquiry_forms import FamilyMessageForm, InquiryMoveForm, LinkForm
from portal.staff.review_views import MODERATORS

register_section("staff.inquiries_list", _l("Family inquiries"),
                 _l("Families asking about a relative, and the tips and sites that may concern them."), order=25)

# Why a tip was proposed, for each reason code of portal.services.inquiry_matching.
REASON_WORDS = {
    "name_same": _l("Same name: %(about)s"),
    "name_folded": _l("Same name, written without diacritics: %(about)s"),
    "name_order": _l("Same name, in another order: %(about)s"),
    "name_partial": _l("Family name and given name match: %(about)s"),
    "name_similar": _l("A similar name: %(about)s"),
    "unit_same": _l("Same unit: %(about)s"),
    "unit_differs": _l("A different unit: %(about)s"),
    "home_province": _l("Same home province: %(about)s"),
    "home_commune": _l("Same home commune: %(about)s"),
    "time": _l("The tip speaks of %(about)s, about when they died"),
    "area": _l("The tip's place is in the province where they died: %(about)s"),
}
INQUIRY_ERRORS = {
    "not_found": _l("There is no inquiry with that number."),
    "tip_not_found": _l("There is no tip with that number."),
    "already_decided": _l("This was already decided."),
    "same_status": _l("The inquiry already has this status."),
}
DNA_WORDS = {
    "yes": _l("Yes, a relative has given a sample"),
    "no": _l("No, not yet"),
    "unsure": _l("I do not know"),
}


def reason_text(reason: inquiry_matching.Reason) -> str:
    about = reason.about
    if reason.code == "area":
        province = geo.province(about)
        about = province.name(current_locale()) if province else about
    return str(REASON_WORDS[reason.code]) % {"about": about} if reason.code in REASON_WORDS else reason.code


def _inquiry_or_404(inquiry_id: int) -> Inquiry:
    inquiry = inquiries.get(get_session(), inquiry_id)
    if inquiry is None:
        abort(404)
    return inquiry


@bp.get("/inquiries")
@roles_required(*MODERATORS)
def inquiries_list() -> ResponseReturnValue:
    status = request.args.get("status", "")
    statuses = (InquiryStatus(status),) if status in InquiryStatus._value2member_map_ else ()
    before = parse_id(request.args.get("before"))
    rows = inquiries.staff_list(get_session(), statuses, before)
    return no_store(Response(render_template(
        "staff/inquiries/list.html", rows=rows, status=status, statuses=list(InquiryStatus),
        labels=inquiries.INQUIRY_STATUS_LABELS, more=len(rows) == inquiries.PAGE_SIZE)))


def _page(inquiry: Inquiry, *, contact: inquiries.FamilyContact | None = None, status: int = 200,
          **forms: Any) -> ResponseReturnValue:
    session = get_session()
    province = vn_places.province(inquiry.hometown_province_code)
    commune = vn_places.commune(inquiry.hometown_commune_code)
    death_province = geo.province(inquiry.death_province_code)
    proposals = inquiry_matching.propose(session, inquiry)
    return no_store(Response(render_template(
        "staff/inquiries/inquiry.html", inquiry=inquiry, contact=contact,
        has_contact=inquiries.has_contact(inquiry), proposals=proposals, reason_text=reason_text,
        confirmed=inquiry_matching.decided(inquiry, LinkDecision.CONFIRMED),
        dismissed=inquiry_matching.decided(inquiry, LinkDecision.DISMISSED),
        link_form=forms.pop("link", None) or LinkForm(formdata=None),
        message_form=forms.pop("message", None) or FamilyMessageForm(formdata=None, prefix="message"),
        move_form=InquiryMoveForm(formdata=None), button_form=ButtonForm(),
        messages=inquiries.thread(inquiry), audit=inquiries.history(session, inquiry.id),
        labels=inquiries.INQUIRY_STATUS_LABELS, statuses=list(InquiryStatus), dna_words=DNA_WORDS,
        province_name=province.name if province else "", commune_name=commune.name if commune else "",
        death_province_name=death_province.name(current_locale()) if death_province else "",
    ), status=status))


@bp.get("/inquiries/<int:inquiry_id>")
@roles_required(*MODERATORS)
def inquiry(inquiry_id: int) -> ResponseReturnValue:
    return _page(_inquiry_or_404(inquiry_id))


def _back(inquiry_id: int, anchor: str | None = None) -> ResponseReturnValue:
    return redirect(url_for("staff.inquiry", inquiry_id=inquiry_id, _anchor=anchor), code=303)


@bp.post("/inquiries/<int:inquiry_id>/links")
@roles_required(*MODERATORS)
def inquiry_link(inquiry_id: int) -> ResponseReturnValue:
    form = LinkForm()
    decision = LinkDecision._value2member_map_.get(form.decision.data or "")
    if not isinstance(decision, LinkDecision):
        abort(400)
    if not form.validate():
        return _page(_inquiry_or_404(inquiry_id), link=form, status=422)
    try:
        link = inquiries.decide(get_session(), inquiry_id, form.tip.data, decision, current_actor(),
                                to_site=bool(form.to_site.data))
    except inquiries.InquiryError as error:
        if error.code == "not_found":
            abort(404)
        form.tip.errors = [str(INQUIRY_ERRORS[error.code])]
        return _page(_inquiry_or_404(inquiry_id), link=form, status=422)
    if decision == LinkDecision.CONFIRMED:
        flash(_("Linked. The family will read about it when they enter their receipt code."), "ok")
    else:
        flash(_("Dismissed: it will not be proposed again for this inquiry."), "ok")
    return _back(inquiry_id, "links" if link.decision == LinkDecision.CONFIRMED else "proposals")


@bp.post("/inquiries/<int:inquiry_id>/messages")
@roles_required(*MODERATORS)
def inquiry_message(inquiry_id: int) -> ResponseReturnValue:
    form = FamilyMessageForm(prefix="message")
    if not form.validate():
        return _page(_inquiry_or_404(inquiry_id), message=form, status=422)
    try:
        inquiries.send_staff_message(get_session(), inquiry_id, form.body.data or "", current_actor())
    except inquiries.InquiryError:
        abort(404)
    flash(_("Message sent. The family will see it when they enter their receipt code."), "ok")
    return _back(inquiry_id, "thread")


@bp.post("/inquiries/<int:inquiry_id>/contact")
@roles_required(*MODERATORS)
def inquiry_contact(inquiry_id: int) -> ResponseReturnValue:
    """The family's contact details, only in the answer to this POST; every look is audited."""
    check_button()
    try:
        contact = inquiries.reveal_contact(get_session(), inquiry_id, current_actor())
    except inquiries.InquiryError:
        abort(404)
    return _page(_inquiry_or_404(inquiry_id), contact=contact)


@bp.post("/inquiries/<int:inquiry_id>/move")
@roles_required(*MODERATORS)
def inquiry_move(inquiry_id: int) -> ResponseReturnValue:
    form = InquiryMoveForm()
    target = InquiryStatus._value2member_map_.get(form.target.data or "")
    if not form.validate() or not isinstance(target, InquiryStatus):
        abort(400)
    try:
        inquiries.move(get_session(), inquiry_id, target, current_actor())
    except inquiries.InquiryError as error:
        if error.code == "not_found":
            abort(404)
        flash(str(INQUIRY_ERRORS[error.code]), "error")
        return _back(inquiry_id)
    flash(_("The inquiry is now “%(status)s”.", status=inquiries.INQUIRY_STATUS_LABELS[target]), "ok")
    return _back(inquiry_id)
