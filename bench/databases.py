"""Databases for a benchmark run: SQLite files in the run's folder, PostgreSQL databases of their own."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import make_url, text

from bench.data import generate
from portal import create_app
from portal.db import make_engine
from portal.migrations import upgrade

# The server the scale, race and load runs use; each run creates a database of its own there.
POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
ENV = {"PORTAL_ENV": "development", "PORTAL_RATELIMIT_ENABLED": "false"}


def portal_env(database_url: str) -> dict[str, str]:
    """The environment of a gunicorn serving the portal on this database."""
    return {**ENV, "PORTAL_DATABASE_URL": database_url}


def app_for(database_url: str) -> Any:
    return create_app({"DATABASE_URL": database_url, "ENV": "development", "RATELIMIT_ENABLED": False})


def build(database_url: str, clients: int, *, items: int = 20, events_per_client: int = 4) -> dict[str, Any]:
    """Migrate, generate the data, and return the facts the pages need (ids, session cookies)."""
    upgrade(database_url)
    app = app_for(database_url)
    facts = generate(app, clients, items=items, events_per_client=events_per_client)
    app.extensions["polku.engine"].dispose()
    return facts


def analyse(database_url: str) -> None:
    """On PostgreSQL, what autovacuum would do soon after a bulk load: statistics for the planner."""
    if not database_url.startswith("postgresql"):
        return
    engine = make_engine(database_url).execution_options(isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text("VACUUM ANALYZE"))
    engine.dispose()


def sqlite_url(workdir: Path, name: str) -> str:
    return f"sqlite:///{workdir / name}.sqlite3"


def postgres_reachable() -> bool:
    try:
        engine = make_engine(POSTGRES_URL)
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
    except Exception:  # any failure means: no PostgreSQL for this run
        return False
    return True


@contextmanager
def postgres_database(purpose: str) -> Iterator[str]:
    """A fresh database on the bench server, dropped afterwards (like tests/conftest.py does)."""
    name = f"polku_bench_{purpose}_{os.getpid()}_{secrets.token_hex(3)}"
    admin = make_engine(POSTGRES_URL).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
