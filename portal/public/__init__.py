"""Blueprint for families and the public: home, monuments, the story, statistics, privacy."""

from flask import Blueprint

bp = Blueprint("public", __name__)

from portal.public import views  # noqa: E402,F401  (registers the routes)
