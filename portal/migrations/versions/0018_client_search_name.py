"""client: the name as the searches read it, folded (no case, no accents) and in both orders

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("client", sa.Column("search_name", sa.String(length=410), nullable=False, server_default=""))
    from portal.models.names import search_name

    bind = op.get_bind()
    for row_id, given, family in bind.execute(sa.text("SELECT id, given_name, family_name FROM client")).all():
        bind.execute(
            sa.text("UPDATE client SET search_name = :name WHERE id = :id"),
            {"name": search_name(given or "", family or ""), "id": row_id},
        )


def downgrade() -> None:
    op.drop_column("client", "search_name")
