"""The inquiry form, its receipt and the family's follow-up page.

They work like the tip pages (``portal.tips.views``) and share their rules: nothing typed is lost
to an error, the receipt code travels only in POST bodies and appears only in ``no-store``
answers, the same rate limits hold, and a form shown again with its errors answers 422. The
follow-up page shows the family the inquiry's state, the staff's messages and what became of linked
sites, never a word of a tip.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_limiter import RateLimitExceeded
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from werkzeug.wrappers import Response

from portal import vn_places
from portal.db import get_session
from portal.errors import MESSAGES as ERROR_MESSAGES
from portal.errors import error_page
from portal.extensions import limiter
from portal.families import bp
from portal.families.forms import InquiryForm
from portal.i18n import current_locale
from portal.models.inquiry import Inquiry
from portal.security import form_checks_csrf, no_store
from portal.services import inquiries
from portal.services.tips import AlreadyReceived
from portal.tips.forms import FollowUpForm, LookupForm
from portal.tips.views import (
    FOLLOWUP_MAX_AGE,
    HONEYPOT_NOTICE,
    SHOWN_AGAIN,
    FollowUpPages,
    _counted,
    _is_not_reply,
    _receipt_failed,
    _receipt_typed,
    _use_up_submission,
    answer_lookup,
    answer_rate_limited,
    answer_reply,
    client_key,
    find_typed_receipt,
)

FOLLOWUP_SALT = "portal.families.followup"  # not the tips' salt: a report's page never opens an inquiry
RATE_LIMITED = _l("Many inquiries have been sent from your connection in a short time, so we cannot accept "
                  "another one just now. Nothing you typed is lost: please wait a while (up to an hour) and "
                  "press the button again.")
WRONG_RECEIPT = _l("We could not find an inquiry with this code. Please check it and try again: codes are four "
                   "groups of four letters and numbers, like K7QM-4XRT-9HPA-3ZWN.")
CONVERTED = _l("From the hometown you wrote, today's place is probably the one chosen below. Please check it: "
               "provinces and communes were merged in 2025.")
NOT_CONVERTED = _l("We could not work out today's commune from the hometown you wrote. Please choose the "
                   "province below if you know it, or leave it empty: your inquiry can be sent without it.")


def _no_store(body: str, status: int = 200) -> Response:
    return no_store(current_app.make_response((body, status)))


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=FOLLOWUP_SALT)


def followup_token(inquiry: Inquiry) -> str:
    return str(_serializer().dumps(inquiry.receipt_hash))


def inquiry_from_token(token: str | None) -> Inquiry | None:
    if not token:
        return None
    try:
        digest = _serializer().loads(token, max_age=FOLLOWUP_MAX_AGE)
    except (SignatureExpired, BadSignature):
        return None
    return inquiries.find_by_receipt_hash(get_session(), str(digest))


# -- the inquiry form ----------------------------------------------------------------------------

def _form_page(form: InquiryForm, *, status: int = 200, notice: Any = None, converted: Any = None,
               focus: str | None = None) -> Response:
    body = render_template("families/new.html", form=form, notice=notice, converted=converted, focus=focus,
                           retention_days=current_app.config["RETENTION_DAYS"])
    return _no_store(body, status)


def _is_step() -> bool:
    return request.form.get("action") in ("place", "convert")


@bp.route("/new", methods=["GET", "POST"])
@form_checks_csrf
@limiter.limit(lambda: current_app.config["TIP_RATE_LIMIT"], methods=["POST"], key_func=client_key,
               scope="inquiry", exempt_when=_is_step, deduct_when=_counted)
def new() -> ResponseReturnValue:
    form = InquiryForm.from_request(current_locale())
    if request.method == "GET":
        return _form_page(form)
    if form.step == "place":
        return _form_page(form, focus="hometown_commune" if form.communes_shown else "hometown_province")
    if form.step == "convert":
        if not (form.hometown_written.data or "").strip():
            form.hometown_written.errors = [str(_l("Please write the hometown as it is on the death notice "
                                                   "first."))]
            return _form_page(form, status=SHOWN_AGAIN, focus="hometown_written")
        converted = form.convert_hometown()
        return _form_page(form, notice=None, converted=CONVERTED if converted else NOT_CONVERTED,
                          focus="hometown_province")
    if form.website.data:
        _use_up_submission()
        form.website.data = ""
        return _form_page(form, status=SHOWN_AGAIN, notice=HONEYPOT_NOTICE)
    if not form.validate():
        return _form_page(form, status=SHOWN_AGAIN)
    _use_up_submission()
    try:
        submitted = inquiries.submit_inquiry(get_session(), form.to_input(current_locale()),
                                             receipt_key=current_app.config["RECEIPT_KEY"])
    except AlreadyReceived as received:
        return _no_store(render_template("families/receipt.html", receipt=received.receipt, submitted=None,
                                         status_url=url_for("families.status", _external=True)), 200)
    body = render_template("families/receipt.html", receipt=submitted.receipt, submitted=submitted,
                           status_url=url_for("families.status", _external=True))
    return _no_store(body, 201)


# -- following up --------------------------------------------------------------------------------

def _lookup_page(form: LookupForm, *, status: int = 200, notice: Any = None) -> Response:
    return _no_store(render_template("families/lookup.html", form=form, notice=notice), status)


def _status_page(inquiry: Inquiry, form: FollowUpForm | None = None, *, status: int = 200, notice: Any = None,
                 sent: bool = False) -> Response:
    form = form or FollowUpForm(formdata=None)
    form.followup.data = followup_token(inquiry)
    form.receipt.data = ""
    province = vn_places.province(inquiry.hometown_province_code)
    body = render_template(
        "families/status.html", inquiry=inquiry, form=form, notice=notice, sent=sent,
        status_label=inquiries.INQUIRY_STATUS_LABELS[inquiry.status],
        status_words=inquiries.FAMILY_STATUS_WORDS[inquiry.status],
        news=inquiries.family_view(get_session(), inquiry), messages=inquiries.thread(inquiry),
        province_name=province.name if province else None)
    return _no_store(body, status)


def _find_typed_receipt(text: str) -> tuple[Inquiry | None, Any]:
    return find_typed_receipt(text, lambda code: inquiries.find_by_receipt(
        get_session(), code, receipt_key=current_app.config["RECEIPT_KEY"]), WRONG_RECEIPT)


def _store_reply(inquiry: Inquiry, body: str) -> Inquiry | None:
    session = get_session()
    inquiries.add_family_message(session, inquiry.id, body)
    session.expire_all()
    return inquiries.find_by_receipt_hash(session, inquiry.receipt_hash)


def _reply_page(form: FollowUpForm, *, status: int = SHOWN_AGAIN, notice: Any = None) -> Response:
    form.followup.data = ""
    return _no_store(render_template("tips/reply.html", form=form, notice=notice, page_title=_("Follow an inquiry"),
                                     followup_action=url_for("families.status")), status)


FOLLOW_UP = FollowUpPages(from_token=inquiry_from_token, find_typed=_find_typed_receipt, lookup_page=_lookup_page,
                          status_page=_status_page, reply_page=_reply_page, store_reply=_store_reply)


@bp.route("/status", methods=["GET", "POST"])
@form_checks_csrf
@limiter.limit(lambda: current_app.config["RECEIPT_RATE_LIMIT"], methods=["POST"], key_func=client_key,
               scope="receipt", exempt_when=lambda: not _receipt_typed(), deduct_when=_receipt_failed)
@limiter.limit(lambda: current_app.config["TIP_RATE_LIMIT"], methods=["POST"], key_func=client_key,
               scope="inquiry-reply", exempt_when=_is_not_reply, deduct_when=_counted)
def status() -> ResponseReturnValue:
    if request.method == "GET":
        return _lookup_page(LookupForm(formdata=None))
    if request.form.get("action") == "reply":
        return answer_reply(FOLLOW_UP)
    return answer_lookup(FOLLOW_UP)


@bp.errorhandler(RateLimitExceeded)
def _rate_limited(_error: RateLimitExceeded) -> ResponseReturnValue:
    if request.endpoint == "families.new":
        return _form_page(InquiryForm.from_request(current_locale()), status=429, notice=RATE_LIMITED)
    if request.endpoint == "families.status":
        return answer_rate_limited(FOLLOW_UP)
    return error_page(429, *ERROR_MESSAGES[429])
