"""Search teams and the season (issue #18): the admins' team list, each team's packet (GPX, GeoJSON
and field sheets of its sites' tips, through the one export registry ``portal.services.exports``)
and the season page (per team and per province, as a table and a server-rendered chart)."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session
from wtforms import RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from portal import geo
from portal.db import get_session
from portal.forms import PortalForm
from portal.i18n import current_locale, format_number
from portal.models.site import SearchTeam, Site
from portal.models.staff import StaffRole
from portal.models.tip import Tip
from portal.security import no_store
from portal.services import exports, site_stats, teams
from portal.services.charts import Bar, bar_chart, describe
from portal.services.site_workflow import SITE_STATUS_LABELS
from portal.staff import bp
from portal.staff.access import current_actor, register_section, roles_required
from portal.staff.export_views import _download, _sheets
from portal.staff.site_forms import TeamForm

MODERATORS = (StaffRole.MODERATOR,)
# The team packet offers the registry's map and print formats (no second exporter).
PACKET_FORMATS = ("gpx", "geojson", "sheets")

register_section("staff.season", _l("Season"), _l("Sites planned, surveyed and excavated, per team and province."),
                 order=13)
register_section("staff.teams", _l("Search teams"), _l("The teams of each dry season."), order=80)


class PacketForm(PortalForm):
    format = RadioField(_l("Format"), choices=[SelectChoice(key, exports.FORMATS[key].label)
                                               for key in PACKET_FORMATS],
                        default="gpx", validators=[InputRequired(_l("Please choose a format."))])


@bp.route("/teams", methods=["GET", "POST"], endpoint="teams")
@roles_required(StaffRole.ADMIN)
def team_list() -> ResponseReturnValue:
    session = get_session()
    form = TeamForm(formdata=request.form if request.method == "POST" else None, season=teams.SEASON)
    status = 200
    if request.method == "POST":
        if form.validate():
            try:
                teams.save_team(session, current_actor(), team_id=None, code=form.code.data or "",
                                name=form.name.data or "", season=form.season.data or teams.SEASON,
                                source=form.source.data or "")
            except teams.TeamError:
                form.code.errors = [_("Another team already has this code.")]
            else:
                flash(_("Team saved."), "ok")
                return redirect(url_for("staff.teams"), code=303)
        status = 400
    return no_store(Response(render_template("staff/sites/teams.html", teams=teams.teams(session), form=form),
                             status=status))


@bp.post("/teams/<int:team_id>/active")
@roles_required(StaffRole.ADMIN)
def team_active(team_id: int) -> ResponseReturnValue:
    session = get_session()
    team = session.get(SearchTeam, team_id)
    if team is None:
        abort(404)
    teams.save_team(session, current_actor(), team_id=team.id, code=team.code, name=team.name, season=team.season,
                    source=team.source, active=not team.active)
    flash(_("Team saved."), "ok")
    return redirect(url_for("staff.teams"), code=303)


def packet_season(team_id: int) -> str | None:
    """The season a team's packet is for: ``?season=`` when the team has sites in it, else its latest."""
    known = list(get_session().scalars(select(Site.season).where(Site.team_id == team_id, Site.season.is_not(None))
                                       .distinct().order_by(Site.season.desc())))
    asked = request.values.get("season")
    return asked if asked in known else (known[0] if known else None)


def packet_tips(session: Session, team_id: int, season: str | None) -> list[Tip]:
    """The tips of the sites planned for the team in one season, site by site (``bench/sites.py``
    measures it)."""
    query = (select(Tip).join(Site, Site.id == Tip.site_id).where(Site.team_id == team_id, Site.season == season)
             .order_by(Site.planned_month, Site.id, Tip.id).limit(exports.MAX_EXPORT))
    return list(session.scalars(query))


@bp.route("/teams/<int:team_id>/packet", methods=["GET", "POST"])
@roles_required(*MODERATORS)
def team_packet(team_id: int) -> ResponseReturnValue:
    """One page per team: the list of its sites and one download per format. Only a POST with a
    CSRF token exports, and each export is audited like every other."""
    session = get_session()
    team = session.get(SearchTeam, team_id)
    if team is None:
        abort(404)
    form = PacketForm(formdata=request.form if request.method == "POST" else None)
    if request.method == "POST" and form.validate():
        fmt = exports.export_format(form.format.data)
        language = current_locale()
        tips = packet_tips(session, team.id, packet_season(team.id))[:fmt.max_tips or exports.MAX_EXPORT]
        flat = exports.flatten_all(tips, language, False)
        exports.record_export(session, current_actor(), fmt, flat, language=language, include_contact=False,
                              filters={"team": team.code, "season": packet_season(team.id)})
        if fmt.serialise is None:
            return _sheets(flat, language)
        response = _download(fmt, fmt.serialise(flat, language, False))
        response.headers["Content-Disposition"] = (
            f'attachment; filename="{exports.filename(fmt).replace("-tips-", f"-team-{team.code}-")}"')
        return response
    season_shown = packet_season(team.id)
    planned = list(session.scalars(select(Site).where(Site.team_id == team.id, Site.season == season_shown)
                                   .order_by(Site.planned_month, Site.id)))
    return no_store(Response(render_template(
        "staff/sites/packet.html", team=team, form=form, sites=planned, season=season_shown,
        SITE_STATUS_LABELS=SITE_STATUS_LABELS,
        place_name=_place_name), status=400 if request.method == "POST" else 200))


def _place_name(code: str | None) -> str:
    place = geo.place(code)
    return place.name(current_locale()) if place else ""


@bp.get("/season")
@roles_required(*MODERATORS)
def season() -> ResponseReturnValue:
    session = get_session()
    known = site_stats.seasons(session) or [teams.SEASON]
    chosen = request.args.get("season", known[0])
    if chosen not in known:
        chosen = known[0]
    locale = current_locale()
    by_team = site_stats.season_by_team(session, chosen)
    by_province = site_stats.season_by_province(session, chosen)
    team_bars = [Bar(line.key, line.remains) for line in by_team]
    province_bars = [Bar(_place_name(line.key) or _("Province not given"), line.planned) for line in by_province]
    team_chart = bar_chart(team_bars, chart_id="season-teams", title=_("Sets of remains recovered, per team"),
                           description=describe(team_bars, format_number), locale=locale,
                           format_value=format_number) if by_team else None
    province_chart = bar_chart(province_bars, chart_id="season-provinces", title=_("Sites planned, per province"),
                               description=describe(province_bars, format_number), locale=locale,
                               format_value=format_number) if by_province else None
    all_teams = list(session.scalars(select(SearchTeam).order_by(SearchTeam.code)))
    return render_template("staff/sites/season.html", season=chosen, seasons=known, by_team=by_team,
                           by_province=by_province, team_chart=team_chart, province_chart=province_chart,
                           place_name=_place_name, teams=all_teams)
