"""Blueprint for families: asking about a relative who fell in Cambodia, the receipt, following up."""

from flask import Blueprint

bp = Blueprint("families", __name__, url_prefix="/<lang:lang>/inquiries")

from portal.families import views  # noqa: E402,F401  (registers the routes)
