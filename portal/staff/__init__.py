"""Blueprint for staff: sign-in, the review queue, content editing, accounts.

``signin_views``: signing in and out, set-up links, the staff home, one's own account and sessions.
``account_views``: administrators' staff accounts. ``review_views``, ``content_views`` and
``export_views``: the queue and tips, public content, exports; ``paper_views``: the paper
channel. Who may open what: ``access``.
"""

from flask import Blueprint

from portal.staff.access import require_declared_access, staff_context, staff_headers

bp = Blueprint("staff", __name__, url_prefix="/<lang:lang>/staff")
bp.before_request(require_declared_access)  # a staff view that declares no roles is refused
bp.after_app_request(staff_headers)
bp.context_processor(staff_context)

from portal.staff import (  # noqa: E402,F401  (registers the routes)
    account_views,
    content_views,
    export_views,
    inquiry_views,
    paper_views,
    review_views,
    signin_views,
    site_views,
    team_views,
)
