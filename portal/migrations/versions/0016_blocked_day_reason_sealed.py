"""blocked_day: the adviser's reason for a blocked day is sealed

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

# The context of portal.services.booking.availability, as it was when this ran.
BLOCK_REASON_CONTEXT = "blocked_day.reason"


def upgrade() -> None:
    op.add_column("blocked_day", sa.Column("reason_encrypted", sa.LargeBinary(), nullable=True))
    bind = op.get_bind()
    written = bind.execute(sa.text("SELECT id, reason FROM blocked_day WHERE reason <> ''")).all()
    if written:
        # The key comes from the portal's configuration: `flask db upgrade` runs with the application.
        from portal.crypto import encrypt

        for row_id, reason in written:
            bind.execute(
                sa.text("UPDATE blocked_day SET reason_encrypted = :sealed WHERE id = :id"),
                {"sealed": encrypt(reason, BLOCK_REASON_CONTEXT), "id": row_id},
            )
    op.drop_column("blocked_day", "reason")


def downgrade() -> None:
    # The sealed text is not opened again here: a downgrade leaves the old column empty.
    op.add_column("blocked_day", sa.Column("reason", sa.String(length=200), nullable=False, server_default=""))
    op.drop_column("blocked_day", "reason_encrypted")
