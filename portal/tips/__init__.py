"""Blueprint for tipsters: the tip form, the receipt and following up."""

from flask import Blueprint

bp = Blueprint("tips", __name__, url_prefix="/<lang:lang>/tips")

from portal.tips import views  # noqa: E402,F401  (registers the routes)
