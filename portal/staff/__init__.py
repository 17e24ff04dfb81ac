"""Blueprint for staff: sign-in, the review queue, content editing, accounts."""

from flask import Blueprint

bp = Blueprint("staff", __name__, url_prefix="/<lang:lang>/staff")

from portal.staff import content_views, export_views, review_views, views  # noqa: E402,F401  (registers the routes)
