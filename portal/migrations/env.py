"""Alembic environment: the URL comes from the portal's configuration, the metadata from the models."""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy import engine_from_config, pool

import portal.models
from portal.models.base import Base

_ = portal.models
config = context.config
url = config.get_main_option("sqlalchemy.url") or os.environ.get("PORTAL_DATABASE_URL")
if not url:
    raise SystemExit("Set PORTAL_DATABASE_URL, or run `flask db upgrade`.")


def run_offline() -> None:
    context.configure(url=url, target_metadata=Base.metadata, literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connectable = engine_from_config(
        {"sqlalchemy.url": url}, prefix="sqlalchemy.", poolclass=pool.NullPool, future=True
    )
    with connectable.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            # SQLite alters tables by copying them; batch mode does that for us.
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
