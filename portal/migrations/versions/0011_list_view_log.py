"""a list page is logged as one chained entry naming the clients shown, found by client once a day

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("access_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("client_ids", sa.Text(), nullable=True))
    op.create_table(
        "access_log_list_view",
        sa.Column("client_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("actor_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("object_type", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("client_id", "day", "actor_id", "object_type", name=op.f("pk_access_log_list_view")),
        sqlite_with_rowid=False,
    )


def downgrade() -> None:
    op.drop_table("access_log_list_view")
    with op.batch_alter_table("access_log", schema=None) as batch_op:
        batch_op.drop_column("client_ids")
