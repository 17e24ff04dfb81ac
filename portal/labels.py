"""The words staff read for a tip's stored values (status, outcome, channel, how the tipster knows).

One set for the staff pages and every export, so one translation serves both. A status's words
(staff's, the move button's and the tipster's) are declared with the rest of the state in the
workflow's table, ``portal.services.workflow.STATUSES``; ``STATUS_LABELS`` is read from it.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.models.tip import HowKnown, TipChannel, TipOutcome
from portal.services.workflow import STATUS_LABELS

__all__ = ["CHANNEL_LABELS", "HOW_KNOWN_LABELS", "OUTCOME_LABELS", "STATUS_LABELS"]

OUTCOME_LABELS = {
    TipOutcome.REMAINS_RECOVERED: _l("Remains recovered"),
    TipOutcome.NOTHING_FOUND: _l("Searched, nothing found"),
    TipOutcome.ALREADY_KNOWN: _l("Site already known"),
    TipOutcome.NOT_SEARCHABLE: _l("Site inaccessible"),
}
HOW_KNOWN_LABELS = {
    HowKnown.SAW: _l("Saw it themselves"),
    HowKnown.TOLD: _l("Was told by someone"),
    HowKnown.DOCUMENTS: _l("From letters, papers or other documents"),
}
CHANNEL_LABELS = {
    TipChannel.WEB: _l("This website"),
    TipChannel.PHONE: _l("By phone"),
    TipChannel.PAPER: _l("On paper"),
    TipChannel.IN_PERSON: _l("In person"),
}
