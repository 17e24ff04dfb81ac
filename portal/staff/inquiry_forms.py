"""Forms of the staff's inquiry pages (issue #19)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, IntegerField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange

from portal.forms import PortalForm
from portal.models.tip import MAX_MESSAGE
from portal.models.types import MAX_ID
from portal.staff.review_forms import REQUIRED


class LinkForm(PortalForm):
    """Confirm or dismiss a proposed tip (or site), or link a tip a moderator found themselves."""

    tip = IntegerField(_l("Tip number"), validators=[
        DataRequired(message=_l("Please give the number of a tip.")),
        NumberRange(min=1, max=MAX_ID, message=_l("Please give the number of a tip."))])
    decision = HiddenField()
    to_site = BooleanField(_l("Link the site this tip belongs to"), default=True)


class FamilyMessageForm(PortalForm):
    body = TextAreaField(_l("Message to the family (they read it with their receipt code)"),
                         validators=[DataRequired(REQUIRED), Length(max=MAX_MESSAGE)])


class InquiryMoveForm(PortalForm):
    target = HiddenField()
