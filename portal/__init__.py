"""The Friendship Portal: ``create_app`` builds the application."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from flask import Flask

from portal.config import build_config

PROJECT_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: configuration, extensions, blueprints, hooks and CLI — nothing else."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=os.path.join(PROJECT_ROOT, "templates"),
        static_folder=os.path.join(PROJECT_ROOT, "static"),
    )
    app.config.from_mapping(build_config(app.instance_path, config))
    os.makedirs(app.instance_path, exist_ok=True)

    from portal import (
        assets,
        audit_words,
        cli,
        db,
        errors,
        i18n,
        logfilters,
        navigation,
        page_cache,
        sanitize,
        security,
    )
    from portal.extensions import limiter

    logfilters.install()
    db.init_app(app)
    # Registered first so that its after-request hook runs last, on the finished response.
    page_cache.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    limiter.init_app(app)
    errors.init_app(app)
    navigation.init_app(app)
    audit_words.init_app(app)
    sanitize.init_app(app)
    assets.init_app(app)

    from portal.families import bp as families_bp
    from portal.public import bp as public_bp
    from portal.staff import bp as staff_bp
    from portal.tips import bp as tips_bp

    app.register_blueprint(public_bp)
    app.register_blueprint(tips_bp)
    app.register_blueprint(families_bp)
    app.register_blueprint(staff_bp)

    cli.init_app(app)
    return app
