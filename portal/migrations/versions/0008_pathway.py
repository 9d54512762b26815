"""pathways and the client's notification channel

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import portal.models.base

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("client", schema=None) as batch_op:
        batch_op.add_column(sa.Column("notify_by", sa.String(length=10), nullable=False, server_default="email"))
    op.create_table(
        "pathway",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("template_key", sa.String(length=80), nullable=False),
        sa.Column("template_version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("current_step", sa.String(length=80), nullable=False),
        sa.Column("started_at", portal.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("started_by_id", sa.Integer(), nullable=True),
        sa.Column("closed_at", portal.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(length=40), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["client_id"], ["client.id"], name=op.f("fk_pathway_client_id_client"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["started_by_id"], ["staff_user.id"], name=op.f("fk_pathway_started_by_id_staff_user"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pathway")),
    )
    with op.batch_alter_table("pathway", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pathway_client_id"), ["client_id"], unique=False)
        batch_op.create_index(
            "uq_pathway_one_active",
            ["client_id"],
            unique=True,
            sqlite_where=sa.text("status = 'active'"),
            postgresql_where=sa.text("status = 'active'"),
        )
    op.create_table(
        "pathway_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pathway_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("step", sa.String(length=80), nullable=True),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("note_encrypted", sa.LargeBinary(), nullable=True),
        sa.Column("visible_to_client", sa.Boolean(), nullable=False),
        sa.Column("note_for_client", sa.Boolean(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("created_at", portal.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["staff_user.id"], name=op.f("fk_pathway_event_actor_id_staff_user"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["pathway_id"], ["pathway.id"], name=op.f("fk_pathway_event_pathway_id_pathway"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pathway_event")),
    )
    with op.batch_alter_table("pathway_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pathway_event_pathway_id"), ["pathway_id"], unique=False)


def downgrade() -> None:
    op.drop_table("pathway_event")
    op.drop_table("pathway")
    with op.batch_alter_table("client", schema=None) as batch_op:
        batch_op.drop_column("notify_by")
