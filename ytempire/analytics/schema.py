"""The store's schema, brought to the newest Alembic revision on first use of a URL.

``upgrade(engine)`` is ``alembic upgrade head`` run programmatically with the migration
scripts shipped in ``ytempire/analytics/migrations``. Concurrent processes may open a fresh
database at once, so the upgrade holds a lock: an advisory lock on PostgreSQL (per schema), a
file lock beside a SQLite file. A database made before migrations existed (the skeleton's
``create_all``) is recognised and stamped at revision ``0001`` first.
"""

from __future__ import annotations

import threading
from contextlib import nullcontext
from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, inspect, text

from ytempire.workspace import file_lock

MIGRATIONS = Path(__file__).parent / "migrations"
# The revision that matches the tables the walking skeleton created with ``create_all``.
SKELETON_REVISION = "0001"

_PG_LOCK = "SELECT pg_advisory_xact_lock(hashtext('ytempire-migrate:' || current_schema()))"
# Alembic's ``context`` is one module-level proxy: one upgrade at a time per process.
_process_lock = threading.Lock()


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic config for the shipped scripts, migrating ``connection`` when given."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


@lru_cache(maxsize=1)
def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:  # pragma: no cover - the package ships its scripts
        raise RuntimeError(f"no migration scripts in {MIGRATIONS}")
    return head


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine) -> str:
    """Bring ``engine``'s database to the head revision; return the revision it is at."""
    with engine.connect() as conn:
        if current_revision(conn) == head_revision():
            return head_revision()
    database = engine.url.database
    on_file = engine.dialect.name == "sqlite" and database not in (None, "", ":memory:")
    locked = file_lock(Path(f"{database}.migrate.lock")) if on_file else nullcontext()
    with _process_lock, locked, engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            # Released when this transaction ends; PostgreSQL's DDL is transactional.
            conn.execute(text(_PG_LOCK))
        config = alembic_config(conn)
        if current_revision(conn) is None and inspect(conn).has_table("ai_pipeline_events"):
            command.stamp(config, SKELETON_REVISION)
        command.upgrade(config, "head")
        revision = current_revision(conn)
    return revision or head_revision()
