"""The words staff read for a tip's stored values (status, outcome, channel, how the tipster knows).

One set for the staff pages and every export, so one translation serves both. What the tipster
sees of a status is different and lives in ``portal.services.tips`` (CONVENTIONS.md, "Tip states").
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.models.tip import HowKnown, TipChannel, TipOutcome, TipStatus

STATUS_LABELS = {
    TipStatus.NEW: _l("New"),
    TipStatus.IN_REVIEW: _l("In review"),
    TipStatus.VERIFIED: _l("Verified"),
    TipStatus.PASSED_TO_TEAM: _l("Passed to a search team"),
    TipStatus.CLOSED: _l("Closed"),
    TipStatus.REJECTED: _l("Rejected"),
    TipStatus.DUPLICATE: _l("Duplicate"),
}
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
