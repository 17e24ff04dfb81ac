"""Sites (issue #18): the site queue, a site's page, and each moderator action on a site.

Views read forms and call ``portal.services.sites``; each action is one service call, run in one
write transaction together with its audit entry.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from portal import geo
from portal.db import get_session
from portal.i18n import current_locale, url_with_query
from portal.labels import CHANNEL_LABELS, HOW_KNOWN_LABELS, STATUS_LABELS
from portal.models.site import SearchTeam, Site, SiteStatus, VisitFinding
from portal.security import no_store
from portal.services import inquiries, site_queue, sites
from portal.services.site_workflow import (
    ON_DATE,
    PLAN,
    REMAINS,
    SITE_STATUS_LABELS,
    SITE_STATUSES,
    SiteTransitionError,
    allowed_site_moves,
)
from portal.staff import bp
from portal.staff.access import current_actor, register_section, roles_required
from portal.staff.review_views import MODERATORS
from portal.staff.site_forms import (
    FINDING_LABELS,
    AttachForm,
    AttachToSiteForm,
    NewSiteForm,
    PlanForm,
    SiteEditForm,
    SiteFilterForm,
    SiteMoveForm,
    VisitForm,
)

SITE_ERRORS = {
    "tip_not_found": _l("There is no tip with that number."),
    "site_not_found": _l("There is no site with that number."),
    "already_attached": _l("This tip already belongs to a site. Split it off that site first."),
    "already_here": _l("This tip already belongs to this site."),
    "not_attached": _l("This tip does not belong to a site."),
    "last_tip": _l("A site keeps at least one tip: this is its last one."),
    "team_not_found": _l("Please choose a search team from the list."),
    "not_plannable": _l("Only a reported or planned site can be planned."),
    "remains_mismatch": _l("Give the number of sets of remains only when remains were recovered, and then "
                           "at least one."),
    "visit_not_allowed": _l("This visit's finding does not follow from the site's field status."),
    "not_allowed": _l("This site cannot move from “%(source)s” to “%(target)s”."),
    "plan_required": _l("To plan a survey, choose the team and the month."),
    "date_required": _l("Please give the date."),
    "position_incomplete": _l("Give both the latitude and the longitude, or neither."),
    "outside_cambodia": _l("This position is not in Cambodia."),
    "remains_required": _l("Please give the date and how many sets of remains were recovered (at least one)."),
}

register_section("staff.sites", _l("Sites"),
                 _l("The places the teams survey and excavate, with their tips and independent accounts."), order=12)


def _place_name(code: str | None) -> str:
    place = geo.place(code)
    return place.name(current_locale()) if place else ""


def _team_choices() -> list[SelectChoice]:
    teams = get_session().scalars(select(SearchTeam).where(SearchTeam.active).order_by(SearchTeam.code))
    return [SelectChoice("", _("Choose a team"))] + [
        SelectChoice(str(t.id), f"{t.code} — {t.name}" if t.name else t.code) for t in teams]


def _error(code: str, **values: Any) -> str:
    return str(SITE_ERRORS.get(code, SITE_ERRORS["site_not_found"])) % values if values else str(
        SITE_ERRORS.get(code, SITE_ERRORS["site_not_found"]))


@bp.get("/sites", endpoint="sites")
@roles_required(*MODERATORS)
def site_list() -> ResponseReturnValue:
    form = SiteFilterForm(request.args)
    form.province.choices = [SelectChoice("", _("All provinces"))] + [
        SelectChoice(p.code, p.name(current_locale())) for p in geo.provinces()]
    status = 200
    if form.validate():
        filters = site_queue.SiteFilter(
            statuses=(SiteStatus(form.status.data),) if form.status.data else (),
            province_code=form.province.data or None, min_accounts=form.min_accounts.data or 0,
            sort=site_queue.SiteSort(form.sort.data) if form.sort.data in site_queue.SiteSort._value2member_map_
            else site_queue.SiteSort.NEWEST)
    else:
        flash(_("Some filters were not understood and were left out."), "error")
        filters, status = site_queue.SiteFilter(), 400
    page = site_queue.site_page(get_session(), filters, request.args.get("after"))
    next_url = url_with_query("staff.sites", request.args, drop=("after",), after=page.next_cursor) \
        if page.next_cursor else None
    return render_template("staff/sites/queue.html", form=form, page=page, next_url=next_url,
                           place_name=_place_name, SITE_STATUS_LABELS=SITE_STATUS_LABELS), status


def _site_or_404(site_id: int) -> Site:
    site = get_session().get(Site, site_id)
    if site is None:
        abort(404)
    return site


def _site_page(site: Site, status: int = 200, **forms: Any) -> ResponseReturnValue:
    session = get_session()
    tips = sites.site_tips(session, site.id)
    move_form = forms.get("move") or SiteMoveForm(formdata=None)
    move_form.target.choices = [SelectChoice(s.value, SITE_STATUSES[s].move_label)
                                for s in allowed_site_moves(site.status)]
    plan_form = forms.get("plan") or PlanForm(formdata=None, team=str(site.team_id or ""),
                                              planned_month=site.planned_month.isoformat()[:7]
                                              if site.planned_month else "")
    plan_form.team.choices = _team_choices()
    visit_form = forms.get("visit") or VisitForm(formdata=None, team=str(site.team_id or ""))
    visit_form.team.choices = _team_choices()
    moves = {s: SITE_STATUSES[s] for s in allowed_site_moves(site.status)}
    needs = set().union(*(m.requires for m in moves.values())) if moves else set()
    response = Response(render_template(
        "staff/sites/site.html", site=site, tips=tips, counts=sites.corroboration(tips),
        family_links=inquiries.links_of_site(session, site.id),
        move_form=move_form, plan_form=plan_form, visit_form=visit_form,
        attach_form=forms.get("attach") or AttachForm(formdata=None),
        edit_form=forms.get("edit") or SiteEditForm(formdata=None, name=site.name, latitude=site.latitude,
                                                    longitude=site.longitude, uncertainty_m=site.uncertainty_m),
        HOW_KNOWN_LABELS=HOW_KNOWN_LABELS,
        needs_date=bool(needs & {ON_DATE, REMAINS}), needs_remains=REMAINS in needs, can_plan=PLAN in needs or
        site.status == SiteStatus.SURVEY_PLANNED,
        audit=sites.site_audit(session, site.id),
        place_name=_place_name, SITE_STATUS_LABELS=SITE_STATUS_LABELS, STATUS_LABELS=STATUS_LABELS,
        CHANNEL_LABELS=CHANNEL_LABELS, FINDING_LABELS=FINDING_LABELS,
        tipster_wording=SITE_STATUSES[site.status].tipster,
    ), status=status)
    return no_store(response)


@bp.get("/sites/<int:site_id>")
@roles_required(*MODERATORS)
def site(site_id: int) -> ResponseReturnValue:
    return _site_page(_site_or_404(site_id))


def _to_site(site_id: int, anchor: str = "") -> ResponseReturnValue:
    return redirect(url_for("staff.site", site_id=site_id, _anchor=anchor or None), code=303)


@bp.post("/tips/<int:tip_id>/site")
@roles_required(*MODERATORS)
def site_create(tip_id: int) -> ResponseReturnValue:
    form = NewSiteForm()
    if not form.validate():
        flash(_("The name of the site is too long."), "error")
        return redirect(url_for("staff.tip", tip_id=tip_id), code=303)
    try:
        new = sites.create_site_from_tip(get_session(), tip_id, current_actor(), form.name.data or "")
    except sites.SiteError as error:
        if error.code == "tip_not_found":
            abort(404)
        flash(_error(error.code), "error")
        return redirect(url_for("staff.tip", tip_id=tip_id), code=303)
    flash(_("Site #%(id)s created from tip #%(tip)s.", id=new.id, tip=tip_id), "ok")
    return _to_site(new.id)


@bp.post("/tips/<int:tip_id>/site/attach")
@roles_required(*MODERATORS)
def tip_attach(tip_id: int) -> ResponseReturnValue:
    """Attach this tip to a site (the tip page's box and its likely duplicates)."""
    form = AttachToSiteForm()
    if not form.validate():
        flash(_error("site_not_found"), "error")
        return redirect(url_for("staff.tip", tip_id=tip_id), code=303)
    return _attach(form.site_id.data or 0, tip_id, back=url_for("staff.tip", tip_id=tip_id))


@bp.post("/sites/<int:site_id>/attach")
@roles_required(*MODERATORS)
def site_attach(site_id: int) -> ResponseReturnValue:
    form = AttachForm()
    if not form.validate():
        flash(_error("tip_not_found"), "error")
        return _site_page(_site_or_404(site_id), status=400, attach=form)
    return _attach(site_id, form.tip_id.data or 0, back=url_for("staff.site", site_id=site_id))


def _attach(site_id: int, tip_id: int, back: str) -> ResponseReturnValue:
    try:
        sites.attach_tip(get_session(), site_id, tip_id, current_actor())
    except sites.SiteError as error:
        flash(_error(error.code), "error")
        return redirect(back, code=303)
    flash(_("Tip #%(tip)s attached to site #%(id)s.", tip=tip_id, id=site_id), "ok")
    return _to_site(site_id, "tips")


@bp.post("/tips/<int:tip_id>/site/split")
@roles_required(*MODERATORS)
def site_split(tip_id: int) -> ResponseReturnValue:
    try:
        old = sites.split_tip(get_session(), tip_id, current_actor())
    except sites.SiteError as error:
        if error.code == "tip_not_found":
            abort(404)
        flash(_error(error.code), "error")
        return redirect(url_for("staff.tip", tip_id=tip_id), code=303)
    flash(_("Tip #%(tip)s split off site #%(id)s.", tip=tip_id, id=old.id), "ok")
    return _to_site(old.id, "tips")


@bp.post("/sites/<int:site_id>/move")
@roles_required(*MODERATORS)
def site_move(site_id: int) -> ResponseReturnValue:
    current = _site_or_404(site_id)
    form = SiteMoveForm()
    form.target.choices = [SelectChoice(s.value, s.value) for s in SiteStatus]
    if not form.validate():
        # Not every input of the move form is on the page (only what a move needs): say what was wrong.
        flash(" ".join(str(error) for errors in form.errors.values() for error in errors), "error")
        return _site_page(current, status=400, move=form)
    target = SiteStatus(form.target.data)
    try:
        sites.move_site(get_session(), site_id, target, current_actor(), team_id=current.team_id,
                        planned_month=current.planned_month, on_date=form.on_date.data,
                        remains_count=form.remains_count.data or 0)
    except SiteTransitionError as error:
        message = _error(error.code, source=SITE_STATUS_LABELS[current.status], target=SITE_STATUS_LABELS[target])
        form.target.errors = [message]
        flash(message, "error")
        return _site_page(_site_or_404(site_id), status=400, move=form)
    except sites.SiteError as error:
        flash(_error(error.code), "error")
        return _site_page(_site_or_404(site_id), status=400, move=form)
    flash(_("The site is now “%(status)s”.", status=SITE_STATUS_LABELS[target]), "ok")
    return _to_site(site_id)


def _month(text: str | None) -> date | None:
    try:
        year, month = (int(part) for part in (text or "").split("-"))
        return date(year, month, 1) if 2000 <= year <= 2100 else None
    except ValueError:
        return None


@bp.post("/sites/<int:site_id>/plan")
@roles_required(*MODERATORS)
def site_plan(site_id: int) -> ResponseReturnValue:
    current = _site_or_404(site_id)
    form = PlanForm()
    form.team.choices = _team_choices()
    month = _month(form.planned_month.data)
    if not form.validate() or month is None:
        if month is None:
            form.planned_month.errors = [*form.planned_month.errors, _("Please give the month as YYYY-MM.")]
        return _site_page(current, status=400, plan=form)
    try:
        sites.plan_site(get_session(), site_id, int(form.team.data), month, current_actor())
    except (sites.SiteError, SiteTransitionError) as error:
        flash(_error(error.code), "error")
        return _site_page(_site_or_404(site_id), status=400, plan=form)
    flash(_("The site is planned."), "ok")
    return _to_site(site_id)


@bp.post("/sites/<int:site_id>/visits")
@roles_required(*MODERATORS)
def site_visit(site_id: int) -> ResponseReturnValue:
    current = _site_or_404(site_id)
    form = VisitForm()
    form.team.choices = _team_choices()
    if not form.validate():
        return _site_page(current, status=400, visit=form)
    visit = sites.VisitInput(visited_on=form.visited_on.data, team_id=int(form.team.data),
                             finding=VisitFinding(form.finding.data), remains_count=form.remains_count.data or 0,
                             notes=form.notes.data or "")
    try:
        sites.record_visit(get_session(), site_id, visit, current_actor())
    except (sites.SiteError, SiteTransitionError) as error:
        message = _error(error.code)
        form.finding.errors = [message]
        flash(message, "error")
        return _site_page(_site_or_404(site_id), status=400, visit=form)
    flash(_("The visit is recorded."), "ok")
    return _to_site(site_id, "visits")


@bp.post("/sites/<int:site_id>/edit")
@roles_required(*MODERATORS)
def site_edit(site_id: int) -> ResponseReturnValue:
    current = _site_or_404(site_id)
    form = SiteEditForm()
    if not form.validate():
        return _site_page(current, status=400, edit=form)
    location = sites.SiteLocation(
        name=form.name.data or "",
        latitude=float(form.latitude.data) if form.latitude.data is not None else None,
        longitude=float(form.longitude.data) if form.longitude.data is not None else None,
        uncertainty_m=form.uncertainty_m.data)
    try:
        sites.edit_site(get_session(), site_id, location, current_actor())
    except sites.SiteError as error:
        form.latitude.errors = [_error(error.code)]
        return _site_page(_site_or_404(site_id), status=400, edit=form)
    flash(_("Site saved."), "ok")
    return _to_site(site_id)
