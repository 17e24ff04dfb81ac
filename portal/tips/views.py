"""Tip form, receipt and follow-up views.

Nothing a tipster typed is ever lost to an error: a validation error, an expired CSRF token,
a rate limit, a honeypot hit or a refused photo shows the form again with everything typed
(photos cannot be kept without storing them, so the page says which to choose again).
Receipt codes travel only in POST bodies and appear only in ``no-store`` responses.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from flask import current_app, g, jsonify, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_limiter import RateLimitExceeded
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import generate_csrf
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from werkzeug.exceptions import NotFound, RequestEntityTooLarge
from werkzeug.wrappers import Response

from portal import geo
from portal.db import get_session
from portal.demo.tips import SAMPLE_PREFIX
from portal.errors import MESSAGES as ERROR_MESSAGES
from portal.errors import error_page
from portal.extensions import limiter
from portal.i18n import current_locale, format_day
from portal.kept_pages import kept_page
from portal.models.tip import Tip
from portal.sanitize import nl2br
from portal.security import form_checks_csrf, no_store
from portal.services import receipts
from portal.services import tips as tip_service
from portal.tips import bp
from portal.tips.forms import FollowUpForm, LookupForm, PhotoForm, TipForm
from portal.uploads import process_photos

FOLLOWUP_SALT = "portal.tips.followup"
# A form shown again with its errors: the whole page with what was typed, answered 422 so that a
# checker, a proxy or a script sees the request was refused (the staff and paper forms answer so too).
SHOWN_AGAIN = 422
FOLLOWUP_MAX_AGE = 3600  # seconds a status page may stay open before the receipt is asked again
PLACES_CACHE_SECONDS = 86400
TEXT_BODY_MB = 2  # a tip or a reply without photos: form memory is capped at 1 MB besides

RATE_LIMITED = _l("Many reports have been sent from your connection in a short time, so we cannot "
                  "accept another one just now. Nothing you typed is lost: please wait a while (up to "
                  "an hour) and press the button again.")
RECEIPT_RATE_LIMITED = _l("There have been too many attempts from your connection in a short time. "
                          "Please wait a while (up to an hour) and try again. Nothing you typed is lost.")
HONEYPOT_NOTICE = _l("Please check your report and press the button once more.")
WRONG_RECEIPT = _l("We could not find a report with this code. Please check it and try again: codes "
                   "are four groups of four letters and numbers, like K7QM-4XRT-9HPA-3ZWN.")
RECEIPT_PROBLEMS = {
    "empty": _l("Please enter your receipt code."),
    "length": _l("A receipt code has 16 letters and numbers, in four groups of four. Please check "
                 "that none is missing or doubled."),
    "checksum": _l("This code has a typing mistake in it. Please compare it carefully with your "
                   "receipt, letter by letter."),
}
FOLLOWUP_EXPIRED = _l("This page was open for a long time, so for your safety please enter your receipt "
                      "code again. Your message is still here.")


@bp.before_request
def _limit_the_body() -> None:
    """A tip page's form is words, or one photo: a larger body is refused from its declared length,
    before it travels on a slow link (an old page that still sends photos with the tip gets the
    413 page, which says what to do)."""
    photo_mb = int(current_app.config["MAX_PHOTO_MB"])
    limit = (photo_mb + 1 if request.endpoint == "tips.add_photo" else TEXT_BODY_MB) * 1024 * 1024
    request.max_content_length = min(limit, current_app.config["MAX_CONTENT_LENGTH"] or limit)


@bp.record_once
def _on_register(state: Any) -> None:
    # Tipster text is escaped first, then its line breaks kept (setdefault: the lead may register it app-wide).
    state.app.jinja_env.filters.setdefault("nl2br", nl2br)


# -- rate limits --------------------------------------------------------------------------------

def client_key() -> str:
    """The rate-limit key: a keyed hash of the client address, so the limiter's storage never
    holds the address of someone who sends a tip."""
    address = get_remote_address() or "unknown"
    key = str(current_app.config["SECRET_KEY"]).encode("utf-8")
    return hmac.new(key, address.encode("utf-8"), hashlib.sha256).hexdigest()[:32]


def _action() -> str:
    return str(request.form.get("action", "submit"))


def _is_place_step() -> bool:
    """Choosing the next level of the place sends the form but stores nothing: not limited."""
    return _action() == "place"


def _counted(_response: Response) -> bool:
    """Never deduct after the response: the view counts a submission itself, before storing it,
    with :func:`_use_up_submission`. (Declaring ``deduct_when`` makes the decorator only test
    the limit before the view, so choosing the place and fixing mistakes use up nothing.)"""
    return False


def _use_up_submission() -> None:
    """Count this request against the tip (or follow-up) limit now, in one atomic step of the
    limiter's storage, and refuse it when the limit is used up.

    Testing before the view and deducting after the response let requests that arrive together
    all pass the test before any of them was counted: with several workers, more tips than the
    limit got through. Raises ``RateLimitExceeded``, answered by ``_rate_limited`` below.
    """
    if g.get("tips_rate_counted") or not limiter.enabled:
        return
    g.tips_rate_counted = True
    for limit, args in list(limiter.context.conditional_deductions.items()):
        if limit.deduct_when is _counted and not limiter.limiter.hit(limit.limit, *args,
                                                                     cost=limit.deduction_amount):
            raise RateLimitExceeded(limit)


def _receipt_typed() -> bool:
    return bool(request.form.get("receipt", "").strip())


def _receipt_failed(_response: Response) -> bool:
    return bool(g.get("receipt_failed"))


def _is_not_reply() -> bool:
    return _action() != "reply"


# -- helpers ------------------------------------------------------------------------------------

def _no_store(body: str, status: int = 200) -> Response:
    response = current_app.make_response((body, status))
    return no_store(response)


def _followup_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=FOLLOWUP_SALT)


def followup_token(tip: Tip | str) -> str:
    """The status page's token for a tip (or for its receipt hash): which report, for an hour."""
    return str(_followup_serializer().dumps(tip if isinstance(tip, str) else tip.receipt_hash))


def tip_from_token(token: str | None) -> Tip | None:
    if not token:
        return None
    try:
        digest = _followup_serializer().loads(token, max_age=FOLLOWUP_MAX_AGE)
    except (SignatureExpired, BadSignature):
        return None
    return tip_service.find_by_receipt_hash(get_session(), str(digest))


# -- the tip form -------------------------------------------------------------------------------

def _tip_form_page(form: TipForm, *, status: int = 200, notice: Any = None, step: bool = False) -> Response:
    body = render_template("tips/new.html", notice=notice, retention_days=current_app.config["RETENTION_DAYS"],
                           **form.page_context(step=step), **_photo_limits())
    return _no_store(body, status)


@bp.route("/new", methods=["GET", "POST"])
@form_checks_csrf
@limiter.limit(lambda: current_app.config["TIP_RATE_LIMIT"], methods=["POST"], key_func=client_key,
               scope="submit", exempt_when=_is_place_step, deduct_when=_counted)
def new() -> ResponseReturnValue:
    # The written report only: photos follow it, one at a time, once it is stored (see add_photo).
    form = TipForm.from_request(current_locale())
    if request.method == "GET" or form.is_place_step:
        return _tip_form_page(form, step=form.is_place_step)
    if form.honeypot_hit():
        _use_up_submission()
        form.website.data = ""
        return _tip_form_page(form, status=SHOWN_AGAIN, notice=HONEYPOT_NOTICE)
    if not form.validate():
        return _tip_form_page(form, status=SHOWN_AGAIN)

    _use_up_submission()
    session = get_session()
    receipt_key = current_app.config["RECEIPT_KEY"]
    try:
        submitted = tip_service.submit_tip(session, form.to_input(current_locale()), receipt_key=receipt_key)
    except tip_service.AlreadyReceived as received:
        return _no_store(render_template(
            "tips/already_received.html", receipt=received.receipt,
            photo_form=_photo_form(received.receipt) if received.receipt else None,
            **_photo_limits()), 200)
    return _no_store(_receipt_page(submitted), 201)


def _receipt_page(submitted: tip_service.SubmittedTip) -> str:
    """The receipt page: kept per language, host, day and whether the report has a place (see
    ``portal.kept_pages``), with the receipt code and the photo form's tokens put in for each tip."""
    holes = {"receipt": submitted.receipt,
             "followup": followup_token(receipts.receipt_hash(submitted.receipt, current_app.config["RECEIPT_KEY"]))}
    if current_app.config.get("WTF_CSRF_ENABLED", True):
        holes["csrf"] = generate_csrf()
    limits = _photo_limits()

    def context(values: Mapping[str, str]) -> dict[str, Any]:
        photo_form = PhotoForm(formdata=None)
        if "csrf" in values:
            photo_form.csrf_token.current_token = values["csrf"]
        photo_form.followup.data = values["followup"]
        return {"receipt": values["receipt"], "received_on": submitted.created_at,
                "has_location": submitted.has_location, "status_url": _external_status_url(),
                "photo_form": photo_form, "photo_count": 0, **limits}

    # The page shows the day only (the time is the hour's start anyway): the same page all day.
    return kept_page("tips/receipt.html", holes, context, format_day(submitted.created_at), submitted.has_location,
                     *sorted(limits.items()))


def _photo_limits() -> dict[str, int]:
    config = current_app.config
    return {"max_photos": int(config["MAX_PHOTOS"]), "max_photo_mb": int(config["MAX_PHOTO_MB"])}


def _photo_form(receipt_or_tip: str | Tip) -> PhotoForm:
    """The one-photo form for a stored report, with the token that names it (never the receipt)."""
    form = PhotoForm(formdata=None)
    digest = receipt_or_tip.receipt_hash if isinstance(receipt_or_tip, Tip) else \
        receipts.receipt_hash(receipt_or_tip, current_app.config["RECEIPT_KEY"])
    form.followup.data = followup_token(digest)
    return form


@bp.post("/photos")
@form_checks_csrf
@limiter.limit(lambda: current_app.config["PHOTO_RATE_LIMIT"], key_func=client_key, scope="photo")
def add_photo() -> ResponseReturnValue:
    """One photo for a stored report. Refusing it costs nothing: the report and the photos already
    sent are stored, and the page offers the form again."""
    form = PhotoForm()
    tip = tip_from_token(form.followup.data)
    if tip is None:
        return _no_store(render_template("tips/photo_expired.html"), 400)
    if not form.validate():
        return _photo_page(tip, form, status=400)
    limits = _photo_limits()
    photos, problems = process_photos([form.photo.data], limits["max_photo_mb"])
    if problems:
        form.photo.errors = problems
        return _photo_page(tip, form, status=400)
    try:
        added = tip_service.add_photo(get_session(), tip.id, photos[0], max_photos=limits["max_photos"],
                                      use_location=bool(form.use_photo_location.data))
    except tip_service.TooManyPhotos:
        form.photo.errors = [_("Your report already has %(count)s photos, as many as one report can have.",
                               count=limits["max_photos"])]
        return _photo_page(tip, form, status=400)
    return _photo_page(tip, _photo_form(tip), status=201, added=added)


def _photo_page(tip: Tip, form: PhotoForm, *, status: int, added: tip_service.AddedPhoto | None = None) -> Response:
    form.followup.data = followup_token(tip)
    count = added.photo_count if added else len(tip.photos)
    body = render_template("tips/photos.html", form=form, added=added, photo_count=count,
                           has_location=tip.latitude is not None, **_photo_limits())
    return _no_store(body, status)


def _external_status_url() -> str:
    return url_for("tips.status", _external=True)


@bp.get("/places/<code>")
def places(code: str) -> ResponseReturnValue:
    """The children of a province, district or commune, named in the page's language (for JS)."""
    level = geo.child_level(code)
    if level is None or not code.isdigit() or geo.place(code) is None:
        raise NotFound()
    response = jsonify({
        "parent": code, "level": level,
        "places": [{"code": c, "name": n} for c, n in geo.place_choices(level, code, current_locale())],
    })
    response.headers["Cache-Control"] = f"public, max-age={PLACES_CACHE_SECONDS}"
    return response


# -- following up -------------------------------------------------------------------------------

def _lookup_page(form: LookupForm, *, status: int = 200, notice: Any = None) -> Response:
    return _no_store(render_template("tips/lookup.html", form=form, notice=notice), status)


def _status_page(tip: Tip, form: FollowUpForm | None = None, *, status: int = 200, notice: Any = None,
                 sent: bool = False) -> Response:
    if form is None:
        form = FollowUpForm(formdata=None)
    form.followup.data = followup_token(tip)
    form.receipt.data = ""
    province = geo.province(tip.province_code)
    body = render_template(
        "tips/status.html", tip=tip, form=form, notice=notice, sent=sent,
        public=tip_service.public_status(tip), messages=tip_service.thread(tip),
        site_outcome=tip_service.site_outcome(tip),
        province_name=province.name(current_locale()) if province else None,
        is_sample=tip.place_description.startswith(SAMPLE_PREFIX),
        photo_form=_photo_form(tip), photo_count=len(tip.photos), **_photo_limits(),
    )
    return _no_store(body, status)


def _reply_page(form: FollowUpForm, *, status: int = SHOWN_AGAIN, notice: Any = None) -> Response:
    """The reply form on its own, asking for the receipt again (the page's token expired)."""
    form.followup.data = ""
    body = render_template("tips/reply.html", form=form, notice=notice)
    return _no_store(body, status)


def find_typed_receipt(text: str, find: Callable[[str], Any], not_found: Any) -> tuple[Any, Any]:
    """Look up a typed code with ``find`` (a report's or an inquiry's). The answer for a well-formed
    wrong code never depends on whether such a record exists; those attempts count against the
    receipt rate limit."""
    try:
        record = find(text)
    except receipts.MalformedReceipt as exc:
        if exc.reason == "characters":
            return None, _("Receipt codes never contain these characters: %(chars)s. They use only the "
                           "numbers 2–9 and the letters A–Z without I, L and O.", chars=" ".join(exc.characters))
        return None, RECEIPT_PROBLEMS[exc.reason]
    if record is None:
        g.receipt_failed = True
        return None, not_found
    return record, None


def _find_typed_receipt(text: str) -> tuple[Tip | None, Any]:
    return find_typed_receipt(text, lambda code: tip_service.find_by_receipt(
        get_session(), code, receipt_key=current_app.config["RECEIPT_KEY"]), WRONG_RECEIPT)


@bp.route("/status", methods=["GET", "POST"])
@form_checks_csrf
@limiter.limit(lambda: current_app.config["RECEIPT_RATE_LIMIT"], methods=["POST"], key_func=client_key,
               scope="receipt", exempt_when=lambda: not _receipt_typed(), deduct_when=_receipt_failed)
@limiter.limit(lambda: current_app.config["TIP_RATE_LIMIT"], methods=["POST"], key_func=client_key,
               scope="followup", exempt_when=_is_not_reply, deduct_when=_counted)
def status() -> ResponseReturnValue:
    if request.method == "GET":
        return _lookup_page(LookupForm(formdata=None))
    if _action() == "reply":
        return answer_reply(TIP_FOLLOW_UP)
    return answer_lookup(TIP_FOLLOW_UP)


@dataclass(frozen=True)
class FollowUpPages:
    """What following up a report and following up a family's inquiry (``portal.families``) differ
    in: how the record is found, which pages show it, and how a reply is stored. The steps are one."""

    from_token: Callable[[str | None], Any]
    find_typed: Callable[[str], tuple[Any, Any]]  # (record, None) or (None, the problem to show)
    lookup_page: Callable[..., Response]
    status_page: Callable[..., Response]
    reply_page: Callable[..., Response]
    store_reply: Callable[[Any, str], Any]  # stores the reply; returns the record read again
    shown_again: int = SHOWN_AGAIN  # the status of a form shown again with its errors


def answer_lookup(pages: FollowUpPages) -> Response:
    form = LookupForm()
    if form.website.data:
        form.website.data = ""
        return pages.lookup_page(form, status=pages.shown_again, notice=HONEYPOT_NOTICE)
    if not form.validate():
        return pages.lookup_page(form, status=pages.shown_again)
    record, problem = pages.find_typed(form.receipt.data or "")
    if record is None:
        form.receipt.errors = [str(problem)]
        return pages.lookup_page(form, status=pages.shown_again)
    return pages.status_page(record)


def answer_reply(pages: FollowUpPages) -> Response:
    form = FollowUpForm()
    record = pages.from_token(form.followup.data)
    if record is None and form.receipt.data:
        record, problem = pages.find_typed(form.receipt.data)
        if record is None:
            form.validate()
            form.receipt.errors = [str(problem)]
            return pages.reply_page(form, status=pages.shown_again)
    if record is None:
        form.validate()
        return pages.reply_page(form, status=pages.shown_again, notice=FOLLOWUP_EXPIRED)
    if form.website.data:
        form.website.data = ""
        return pages.status_page(record, form, status=pages.shown_again, notice=HONEYPOT_NOTICE)
    if not form.validate():
        return pages.status_page(record, form, status=pages.shown_again)
    _use_up_submission()
    return pages.status_page(pages.store_reply(record, form.body.data or "") or record, sent=True)


def answer_rate_limited(pages: FollowUpPages) -> Response:
    """The follow-up page when the receipt or reply limit is used up: what was typed is kept."""
    if _action() == "reply":
        form = FollowUpForm()
        record = pages.from_token(form.followup.data)
        if record is not None:
            return pages.status_page(record, form, status=429, notice=RECEIPT_RATE_LIMITED)
        return pages.reply_page(form, status=429, notice=RECEIPT_RATE_LIMITED)
    return pages.lookup_page(LookupForm(), status=429, notice=RECEIPT_RATE_LIMITED)


def _store_tip_reply(tip: Tip, body: str) -> Tip | None:
    session = get_session()
    tip_service.add_followup(session, tip.id, body)
    session.expire_all()
    return tip_service.find_by_receipt_hash(session, tip.receipt_hash)


TIP_FOLLOW_UP = FollowUpPages(from_token=tip_from_token, find_typed=lambda text: _find_typed_receipt(text),
                              lookup_page=lambda *a, **k: _lookup_page(*a, **k),
                              status_page=lambda *a, **k: _status_page(*a, **k),
                              reply_page=lambda *a, **k: _reply_page(*a, **k), store_reply=_store_tip_reply)


# -- errors on tip pages: keep what was typed ---------------------------------------------------

@bp.errorhandler(RateLimitExceeded)
def _rate_limited(_error: RateLimitExceeded) -> ResponseReturnValue:
    if request.endpoint == "tips.new":
        return _tip_form_page(TipForm.from_request(current_locale()), status=429, notice=RATE_LIMITED)
    if request.endpoint == "tips.add_photo":
        form = PhotoForm()
        tip = tip_from_token(form.followup.data)
        if tip is not None:
            form.photo.errors = [str(RECEIPT_RATE_LIMITED)]
            return _photo_page(tip, form, status=429)
    if request.endpoint == "tips.status":
        return answer_rate_limited(TIP_FOLLOW_UP)
    return error_page(429, *ERROR_MESSAGES[429])


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(_error: RequestEntityTooLarge) -> ResponseReturnValue:
    body = render_template("tips/too_large.html", photo_step=request.endpoint == "tips.add_photo",
                           **_photo_limits())
    return _no_store(body, 413)

