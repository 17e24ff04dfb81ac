"""Forms of the review queue and a tip's page."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    Field,
    HiddenField,
    IntegerField,
    MultipleFileField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from portal.forms import PortalForm
from portal.labels import CHANNEL_LABELS, OUTCOME_LABELS, STATUS_LABELS
from portal.models.tip import MAX_MESSAGE, TipChannel, TipOutcome, TipStatus
from portal.models.types import MAX_ID
from portal.services.queue import Sort
from portal.services.tips import TipInput
from portal.services.workflow import DUPLICATE_OF, FIELD_OUTCOME, REASON, Requirement
from portal.tips.forms import TipForm

REQUIRED = _l("Please fill in this field.")

SORT_LABELS = {Sort.NEWEST: _l("Newest first"), Sort.OLDEST: _l("Oldest first")}


class QueueFilterForm(PortalForm):
    """The queue's filters travel in the URL (GET), so a filtered queue can be bookmarked."""

    class Meta:
        csrf = False

    status = SelectMultipleField(_l("Status"), validators=[Optional()],
                                 choices=[SelectChoice(s.value, STATUS_LABELS[s]) for s in TipStatus])
    province = SelectField(_l("Province"), validators=[Optional()], validate_choice=True)
    district = SelectField(_l("District"), validators=[Optional()], validate_choice=True)
    created_from = DateField(_l("Received from"), validators=[Optional()])
    created_to = DateField(_l("Received until"), validators=[Optional()])
    mine = BooleanField(_l("Assigned to me"))
    has_photos = BooleanField(_l("Has photos"))
    has_contact = BooleanField(_l("Has contact details"))
    q = StringField(_l("Search"), validators=[Optional(), Length(max=200)])
    sort = SelectField(_l("Order"), default=Sort.NEWEST.value, validators=[Optional()],
                       choices=[SelectChoice(s.value, SORT_LABELS[s]) for s in Sort])
    after = HiddenField(validators=[Optional(), Length(max=40)])


class TransitionForm(PortalForm):
    """One move of the workflow. A move's form shows the inputs for what its target requires
    (``portal.services.workflow.STATUSES``), and only those."""

    # Which inputs give each requirement, in the order they are shown.
    REQUIREMENT_FIELDS: dict[Requirement, tuple[str, ...]] = {
        REASON: ("reason",),
        DUPLICATE_OF: ("duplicate_of",),
        FIELD_OUTCOME: ("outcome", "team", "searched_on", "remains_count"),
    }

    target = HiddenField(validators=[DataRequired()])
    reason = TextAreaField(_l("Reason (required to reject; not shown to the tipster)"),
                           validators=[Optional(), Length(max=2000)])
    duplicate_of = IntegerField(_l("Number of the tip this one repeats"),
                                validators=[Optional(), NumberRange(min=1, max=MAX_ID)])
    outcome = SelectField(_l("Field outcome"),
                          choices=[SelectChoice("", "—")] + [SelectChoice(o.value, OUTCOME_LABELS[o])
                                                             for o in TipOutcome],
                          validators=[Optional()])
    team = StringField(_l("Search team"), validators=[Optional(), Length(max=120)])
    searched_on = DateField(_l("Date of the search"), validators=[Optional()])
    remains_count = IntegerField(_l("Sets of remains recovered"),
                                 validators=[Optional(), NumberRange(min=0, max=10000)])

    def inputs_for(self, requires: frozenset[Requirement]) -> list[Field]:
        """The inputs a move needs, for a target that ``requires`` these."""
        return [self[name] for requirement, names in self.REQUIREMENT_FIELDS.items() if requirement in requires
                for name in names]


class AssignForm(PortalForm):
    assignee = SelectField(_l("Assigned to"), validators=[Optional()], validate_choice=True)


class NoteForm(PortalForm):
    body = TextAreaField(_l("Internal note (only staff see it)"),
                         validators=[DataRequired(REQUIRED), Length(max=MAX_MESSAGE)])


class MessageForm(PortalForm):
    body = TextAreaField(_l("Message to the tipster (they read it with their receipt code)"),
                         validators=[DataRequired(REQUIRED), Length(max=MAX_MESSAGE)])


class RedactForm(PortalForm):
    """What to redact. The tip page's Redact link sends it by GET, which only asks; the question's
    "Remove" button posts it again with ``confirm=remove``, which removes."""

    field = HiddenField(validators=[DataRequired(), Length(max=40)])
    item = HiddenField(validators=[Optional(), Length(max=12)])
    confirm = HiddenField(validators=[Optional(), Length(max=12)])


class AuditSearchForm(PortalForm):
    class Meta:
        csrf = False

    q = StringField(_l("Action, person or tip number"), validators=[Optional(), Length(max=100)])


class StaffTipForm(TipForm):
    """A tip received by phone, on paper or in person, typed in by staff."""

    channel = SelectField(_l("How the tip reached us"), validators=[DataRequired(REQUIRED)], default="phone",
                          choices=[SelectChoice(c.value, CHANNEL_LABELS[c]) for c in TipChannel
                                   if c != TipChannel.WEB])
    consent = BooleanField(_l("The person agreed that staff of the search committees may keep their contact "
                              "details to ask about this report."))
    # Staff on an office connection attach the photos with the tip; the public form sends them after it.
    photos = MultipleFileField(_l("Photos"))
    use_photo_location = BooleanField(_l("Use the location stored in my photo"))

    def to_input(self, *args: Any, **kwargs: Any) -> TipInput:
        return replace(super().to_input(*args, **kwargs), use_photo_location=bool(self.use_photo_location.data))
