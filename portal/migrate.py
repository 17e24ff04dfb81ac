"""Running the Alembic migrations from code (the CLI and the tests use this)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection, Engine

from portal import PROJECT_ROOT

# Heads, plural: feature branches of the schema may be merged later; "heads" applies them all.
HEAD = "heads"


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", os.path.join(PROJECT_ROOT, "migrations"))
    config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False)
                           .replace("%", "%%"))
    return config


class ForeignKeyViolation(RuntimeError):
    """A migration left rows that refer to nothing; it was rolled back."""


@contextmanager
def _migration_connection(engine: Engine) -> Iterator[Connection]:
    """One transaction for the whole migration.

    On SQLite a batch migration rebuilds a table (copy, drop, rename). With foreign keys on, dropping
    the old ``tips`` table would cascade and delete every photo and message of every tip, so they
    are off while it runs (a pragma that only takes effect outside a transaction) and checked before
    the commit instead.
    """
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            connection.connection.dbapi_connection.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
        try:
            with connection.begin():
                yield connection
                if sqlite and connection.exec_driver_sql("PRAGMA foreign_key_check").first() is not None:
                    raise ForeignKeyViolation("the migration left rows that refer to nothing")
        finally:
            if sqlite:
                connection.connection.dbapi_connection.execute("PRAGMA foreign_keys=ON")  # type: ignore[union-attr]


def upgrade(engine: Engine, revision: str = HEAD) -> None:
    with _migration_connection(engine) as connection:
        config = alembic_config(engine)
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def downgrade(engine: Engine, revision: str) -> None:
    with _migration_connection(engine) as connection:
        config = alembic_config(engine)
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def current(engine: Engine) -> set[str]:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return set(MigrationContext.configure(connection).get_current_heads())
