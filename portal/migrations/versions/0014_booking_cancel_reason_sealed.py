"""booking: the professional's reason for a cancellation is sealed

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

# The context of portal.services.booking.bookings, as it was when this ran.
CANCEL_REASON_CONTEXT = "booking.cancel_reason"


# Plain ALTER TABLE, not batch: copying the table on SQLite would not keep the WHERE of its partial
# unique indexes (one booking holds a slot, one current booking a type).


def upgrade() -> None:
    op.add_column("booking", sa.Column("cancel_reason_encrypted", sa.LargeBinary(), nullable=True))
    bind = op.get_bind()
    written = bind.execute(sa.text("SELECT id, cancel_reason FROM booking WHERE cancel_reason IS NOT NULL")).all()
    if written:
        # The key comes from the portal's configuration: `flask db upgrade` runs with the application.
        from portal.crypto import encrypt

        for row_id, reason in written:
            bind.execute(
                sa.text("UPDATE booking SET cancel_reason_encrypted = :sealed WHERE id = :id"),
                {"sealed": encrypt(reason, CANCEL_REASON_CONTEXT), "id": row_id},
            )
    op.drop_column("booking", "cancel_reason")


def downgrade() -> None:
    # The sealed text is not opened again here: a downgrade leaves the old column empty.
    op.add_column("booking", sa.Column("cancel_reason", sa.String(length=500), nullable=True))
    op.drop_column("booking", "cancel_reason_encrypted")
