"""Forms of the site queue and a site's page (issue #18)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, DecimalField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from portal.forms import PortalForm
from portal.models.site import MAX_SITE_NAME, MAX_TEAM_CODE, SiteStatus, VisitFinding
from portal.models.types import MAX_ID
from portal.services.site_queue import SiteSort
from portal.services.site_workflow import SITE_STATUS_LABELS

REQUIRED = _l("Please fill in this field.")
SITE_SORT_LABELS = {SiteSort.NEWEST: _l("Newest first"), SiteSort.CORROBORATION: _l("Most independent accounts first")}
FINDING_LABELS = {
    VisitFinding.SURVEYED: _l("Surveyed, nothing decided yet"),
    VisitFinding.SIGNS_FOUND: _l("Signs of graves: to excavate"),
    VisitFinding.REMAINS_RECOVERED: _l("Remains recovered"),
    VisitFinding.NOTHING_FOUND: _l("Nothing found"),
}


class SiteFilterForm(PortalForm):
    """The site queue's filters, in the URL (GET)."""

    class Meta:
        csrf = False

    status = SelectField(_l("Field status"), validators=[Optional()],
                         choices=[SelectChoice("", _l("Every status"))] + [
                             SelectChoice(s.value, SITE_STATUS_LABELS[s]) for s in SiteStatus])
    province = SelectField(_l("Province"), validators=[Optional()], validate_choice=True)
    min_accounts = IntegerField(_l("At least this many independent accounts"),
                                validators=[Optional(), NumberRange(min=0, max=999)])
    sort = SelectField(_l("Order"), default=SiteSort.NEWEST.value, validators=[Optional()],
                       choices=[SelectChoice(s.value, SITE_SORT_LABELS[s]) for s in SiteSort])


class NewSiteForm(PortalForm):
    name = StringField(_l("Name of the site"), validators=[Optional(), Length(max=MAX_SITE_NAME)])


class SiteEditForm(PortalForm):
    name = StringField(_l("Name of the site"), validators=[Optional(), Length(max=MAX_SITE_NAME)])
    latitude = DecimalField(_l("Latitude"), places=None, validators=[Optional(), NumberRange(min=-90, max=90)])
    longitude = DecimalField(_l("Longitude"), places=None, validators=[Optional(), NumberRange(min=-180, max=180)])
    uncertainty_m = IntegerField(_l("Uncertainty (metres)"), validators=[Optional(), NumberRange(min=0, max=100_000)])


class AttachForm(PortalForm):
    tip_id = IntegerField(_l("Number of the tip to attach"),
                          validators=[DataRequired(REQUIRED), NumberRange(min=1, max=MAX_ID)])


class AttachToSiteForm(PortalForm):
    site_id = IntegerField(_l("Number of the site"),
                           validators=[DataRequired(REQUIRED), NumberRange(min=1, max=MAX_ID)])


class SiteMoveForm(PortalForm):
    target = SelectField(_l("Move to"), validators=[DataRequired(REQUIRED)], validate_choice=True)
    on_date = DateField(_l("On (date)"), validators=[Optional()])
    remains_count = IntegerField(_l("Sets of remains recovered"), validators=[Optional(), NumberRange(min=0,
                                                                                                        max=10_000)])


class PlanForm(PortalForm):
    team = SelectField(_l("Search team"), validators=[DataRequired(REQUIRED)], validate_choice=True)
    planned_month = StringField(_l("Planned month (YYYY-MM)"),
                                validators=[DataRequired(REQUIRED), Length(min=7, max=7)],
                                render_kw={"inputmode": "numeric", "pattern": "[0-9]{4}-[0-9]{2}",
                                           "placeholder": "2026-01"})


class VisitForm(PortalForm):
    visited_on = DateField(_l("Date of the visit"), validators=[DataRequired(REQUIRED)])
    team = SelectField(_l("Search team"), validators=[DataRequired(REQUIRED)], validate_choice=True)
    finding = SelectField(_l("What was found"), validators=[DataRequired(REQUIRED)],
                          choices=[SelectChoice(f.value, FINDING_LABELS[f]) for f in VisitFinding])
    remains_count = IntegerField(_l("Sets of remains recovered"), default=0,
                                 validators=[Optional(), NumberRange(min=0, max=10_000)])
    notes = TextAreaField(_l("Notes (staff only)"), validators=[Optional(), Length(max=4000)])


class TeamForm(PortalForm):
    code = StringField(_l("Team code"), validators=[DataRequired(REQUIRED), Length(max=MAX_TEAM_CODE)])
    name = StringField(_l("Team name"), validators=[Optional(), Length(max=MAX_SITE_NAME)])
    season = StringField(_l("Dry season (e.g. 2025-2026)"),
                         validators=[DataRequired(REQUIRED), Length(min=9, max=9)])
    source = StringField(_l("Source of the name"), validators=[Optional(), Length(max=300)])
