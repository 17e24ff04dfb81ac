"""The audit log in words, for the people who read it: a tip's history and the admins' audit page.

An entry is stored as codes (``tip.transition`` with ``{"from": "in_review", "to": "verified"}``);
staff read a sentence in their own language ("Moved from In review to Verified"), with the stored
values turned into their labels (``portal.labels``), and the time written the way their language
writes it. The codes stay in the database and in exports; only the page changes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from flask import Flask
from flask_babel import get_locale, get_timezone, gettext, ngettext
from flask_babel import lazy_gettext as _l

from portal.i18n import format_moment, localise_digits
from portal.labels import CHANNEL_LABELS, OUTCOME_LABELS, STATUS_LABELS
from portal.models.audit import AuditEntry
from portal.models.tip import TipChannel, TipOutcome, TipStatus
from portal.tip_facts import REDACTABLE

# A tip's fields as a moderator names them, for "Removed: …".
FIELD_NAMES = {
    **{fact.key: fact.label for fact in REDACTABLE}, "coordinates": _l("Coordinates"),
    "on_behalf_relationship": _l("Sent on behalf of someone"), "message": _l("a message"), "photo": _l("a photo"),
}
# A site's fields, for "Changed site #…: …" (portal.services.sites.edit_site).
SITE_FIELD_NAMES = {"name": _l("Name of the site"), "latitude": _l("Coordinates"), "longitude": _l("Coordinates"),
                    "uncertainty_m": _l("Uncertainty (metres)")}
# One sentence per action that needs no detail.
PLAIN = {
    "tip.note_added": _l("Added an internal note."),
    "tip.message_sent": _l("Sent a message to the tipster."),
    "tip.contact_viewed": _l("Looked at the contact details."),
    "inquiry.received": _l("An inquiry from a family arrived."),
    "inquiry.family_message": _l("The family wrote a message."),
    "inquiry.message_sent": _l("Sent a message to the family."),
    "inquiry.contact_viewed": _l("Looked at the family's contact details."),
    "inquiry.purged": _l("The family's contact details were removed, as the retention rule says."),
    "staff.signed_out": _l("Signed out."),
    "staff.session_ended": _l("A session ended."),
    "staff.account_created": _l("Created a staff account."),
    "staff.setup_link_opened": _l("Opened the set-up link."),
    "staff.setup_completed": _l("Finished setting up the account."),
    "staff.sign_in_failed": _l("A sign-in failed."),
    "staff.sign_in_slowed": _l("Sign-in slowed down after failed attempts."),
    "staff.sign_in": _l("Signed in."),
    "staff.signed_out_everywhere": _l("Signed out on every device."),
    "staff.role_changed": _l("Changed a staff member's role."),
    "staff.account_enabled": _l("Turned an account on."),
    "staff.account_disabled": _l("Turned an account off."),
    "staff.second_factor_reset": _l("Reset a staff member's sign-in codes."),
    "staff.totp_key_rotated": _l("Re-encrypted the sign-in code keys."),
}
CONTENT = {
    "created": _l("Created %(what)s."), "updated": _l("Changed %(what)s."), "deleted": _l("Deleted %(what)s."),
    "added": _l("Added %(what)s."),
}


@dataclass(frozen=True)
class AuditLine:
    """One entry as it reads: when, who, what happened and the details that matter, all in words."""

    entry: AuditEntry
    when: str
    who: str
    what: str
    details: tuple[str, ...]


def moment(value: datetime, width: str = "short") -> str:
    """A staff-facing time in the page's language (``portal.i18n.format_moment``), remembered per
    language, zone and moment: a queue page shows the same few moments many times."""
    return _moment(str(get_locale()), str(get_timezone()), value, width)


def moments(width: str = "short") -> Callable[[datetime], str]:
    """:func:`moment` for the many moments of one page: the language and zone looked up once
    (asked per row, the lookups cost more than the remembered answer)."""
    locale, zone = str(get_locale()), str(get_timezone())
    return lambda value: _moment(locale, zone, value, width)


@lru_cache(maxsize=2048)
def _moment(_locale: str, _zone: str, value: datetime, width: str) -> str:
    return format_moment(value, width)


def _status(value: Any) -> str:
    try:
        return str(STATUS_LABELS[TipStatus(value)])
    except ValueError:
        return str(value)


def _what(entry: AuditEntry) -> str:
    d: dict[str, Any] = entry.detail or {}
    action = entry.action
    if action == "tip.received":
        channel = d.get("channel") or entry.subject
        try:
            how = str(CHANNEL_LABELS[TipChannel(channel)])
        except ValueError:
            how = str(channel or "")
        return gettext("Tip received (%(channel)s).", channel=how)
    if action == "tip.followup":
        return gettext("The tipster wrote again.")
    if action == "tip.transition":
        return gettext("Moved from “%(source)s” to “%(target)s”.", source=_status(d.get("from")),
                       target=_status(d.get("to")))
    if action == "tip.assigned":
        if d.get("assignee"):
            return gettext("Assigned to %(name)s.", name=d["assignee"])
        return gettext("No longer assigned to anyone.")
    if action == "tip.redacted":
        field = FIELD_NAMES.get(str(d.get("field")), d.get("field"))
        return gettext("Removed for good: %(field)s.", field=field)
    if action == "tip.exported":
        if d.get("include_contact"):
            return gettext("Exported (%(format)s), with contact details.", format=str(d.get("format", "")).upper())
        return gettext("Exported (%(format)s).", format=str(d.get("format", "")).upper())
    if action == "tips.exported":
        count = int(d.get("count", 0))
        return ngettext("%(num)s tip exported (%(format)s).", "%(num)s tips exported (%(format)s).", count,
                        format=str(d.get("format", "")).upper())
    if action == "tip.purged":
        return gettext("Contact details and photos removed after %(days)s days, as the retention rule says.",
                       days=localise_digits(str(d.get("retention_days", ""))))
    if action.startswith("site."):
        return _site_what(action, d)
    if action in PLAIN:
        return str(PLAIN[action])
    if action.startswith("paper."):
        return _paper(action, d)
    if action.startswith("inquiry."):
        return _inquiry_what(action, d)
    if action.startswith("content."):
        kind, _, verb = action.removeprefix("content.").rpartition("_")
        template = CONTENT.get(verb)
        if template is not None:
            return str(template) % {"what": entry.subject or kind}
    return action


def _paper(action: str, d: dict[str, Any]) -> str:
    """The paper channel's entries (portal.services.paper)."""
    forms = int(d.get("forms") or d.get("unused") or 0)
    if action == "paper.point_created":
        return gettext("Added the distribution point “%(name)s”.", name=d.get("name", ""))
    if action == "paper.point_updated":
        return gettext("Changed the distribution point “%(name)s”.", name=d.get("name", ""))
    if action == "paper.batch_created":
        return ngettext("Made a batch of %(num)s paper form.", "Made a batch of %(num)s paper forms.", forms)
    if action == "paper.batch_printed":
        return ngettext("Printed %(num)s paper form.", "Printed %(num)s paper forms.", forms)
    if action == "paper.batch_voided":
        return ngettext("Voided a batch of paper forms: %(num)s unused code stopped working.",
                        "Voided a batch of paper forms: %(num)s unused codes stopped working.", forms)
    if action == "paper.returned_recorded":
        return ngettext("Recorded %(num)s paper form returned.", "Recorded %(num)s paper forms returned.", forms)
    if action == "paper.form_keyed":
        if d.get("printed_code"):
            return gettext("Keyed in from a paper form, with the receipt code printed on it.")
        return gettext("Keyed in from a paper form without a readable code: given a new one.")
    return action


def _inquiry_what(action: str, d: dict[str, Any]) -> str:
    """Families' inquiries (portal.services.inquiries, issue #19)."""
    from portal.models.inquiry import InquiryStatus
    from portal.services.inquiries import INQUIRY_STATUS_LABELS

    def label(value: Any) -> str:
        try:
            return str(INQUIRY_STATUS_LABELS[InquiryStatus(value)])
        except ValueError:
            return str(value)

    target = (gettext("site #%(number)s", number=localise_digits(str(d["site"]))) if d.get("site")
              else gettext("tip #%(number)s", number=localise_digits(str(d.get("tip", "")))))
    if action == "inquiry.link_confirmed":
        return gettext("Confirmed that %(target)s may concern the person the family asks about.", target=target)
    if action == "inquiry.link_dismissed":
        return gettext("Dismissed %(target)s: it does not concern the person the family asks about.", target=target)
    if action == "inquiry.transition":
        return gettext("Inquiry moved from “%(source)s” to “%(target)s”.", source=label(d.get("from")),
                       target=label(d.get("to")))
    return action


def _site_what(action: str, d: dict[str, Any]) -> str:
    """Sites' entries (portal.services.sites, issue #18)."""
    from portal.models.site import SiteStatus
    from portal.services.site_workflow import SITE_STATUS_LABELS

    def label(value: Any) -> str:
        try:
            return str(SITE_STATUS_LABELS[SiteStatus(value)])
        except ValueError:
            return str(value)

    site = localise_digits(str(d.get("site_id", "")))
    if action == "site.created":
        return gettext("Created site #%(site)s.", site=site)
    if action == "site.tip_attached":
        return gettext("Attached a tip to site #%(site)s.", site=site)
    if action == "site.tip_split":
        return gettext("Split a tip off site #%(site)s.", site=site)
    if action == "site.transition":
        return gettext("Site moved from “%(source)s” to “%(target)s”.", source=label(d.get("from")),
                       target=label(d.get("to")))
    if action == "site.edited":
        return gettext("Changed site #%(site)s: %(fields)s.", site=site,
                       fields=", ".join(dict.fromkeys(str(SITE_FIELD_NAMES.get(f, f)) for f in d.get("fields", []))))
    if action == "site.planned":
        return gettext("Planned for team %(team)s in %(month)s.", team=d.get("team", ""),
                       month=localise_digits(str(d.get("planned_month", ""))))
    if action == "site.visit_recorded":
        return gettext("Visit of %(day)s recorded (team %(team)s): %(count)s sets of remains.",
                       day=localise_digits(str(d.get("visited_on", ""))), team=d.get("team", ""),
                       count=localise_digits(str(d.get("remains_count", 0))))
    return action


def _details(entry: AuditEntry) -> tuple[str, ...]:
    d: dict[str, Any] = entry.detail or {}
    lines: list[str] = []
    if entry.action in ("tip.received", "tip.followup") and d.get("photos"):
        count = int(d["photos"])
        lines.append(ngettext("%(num)s photo", "%(num)s photos", count))
    if entry.action == "tip.transition":
        if d.get("reason"):
            lines.append(gettext("Reason: %(reason)s", reason=d["reason"]))
        if d.get("duplicate_of"):
            lines.append(gettext("Repeats tip #%(id)s", id=d["duplicate_of"]))
        if d.get("outcome"):
            try:
                outcome = str(OUTCOME_LABELS[TipOutcome(d["outcome"])])
            except ValueError:
                outcome = str(d["outcome"])
            lines.append(gettext("Outcome: %(outcome)s", outcome=outcome))
        if d.get("team"):
            lines.append(gettext("Search team: %(team)s", team=d["team"]))
        if d.get("remains_count") is not None and "remains_count" in d:
            lines.append(gettext("Sets of remains: %(count)s", count=localise_digits(str(d["remains_count"]))))
    if entry.action == "tips.exported" and d.get("include_contact"):
        lines.append(gettext("With contact details."))
    return tuple(lines)


def describe(entry: AuditEntry) -> AuditLine:
    return AuditLine(entry=entry, when=moment(entry.created_at), who=entry.actor_name or "—",
                     what=_what(entry), details=_details(entry))


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(describe_audit=describe)
    app.jinja_env.filters["staff_time"] = moment
