"""Running the Alembic migrations from code (the CLI and the tests use this)."""

from __future__ import annotations

import os

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Engine

from portal import PROJECT_ROOT

# Heads, plural: feature branches of the schema may be merged later; "heads" applies them all.
HEAD = "heads"


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", os.path.join(PROJECT_ROOT, "migrations"))
    config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False)
                           .replace("%", "%%"))
    return config


def upgrade(engine: Engine, revision: str = HEAD) -> None:
    with engine.begin() as connection:
        config = alembic_config(engine)
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def downgrade(engine: Engine, revision: str) -> None:
    with engine.begin() as connection:
        config = alembic_config(engine)
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def current(engine: Engine) -> set[str]:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return set(MigrationContext.configure(connection).get_current_heads())
