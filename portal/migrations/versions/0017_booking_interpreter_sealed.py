"""booking: the language an interpreter is needed for is sealed like the other needs

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

# The context of portal.services.booking.bookings, as it was when this ran.
INTERPRETER_CONTEXT = "booking.interpreter_language"


# Plain ALTER TABLE, not batch: copying the table on SQLite would not keep the WHERE of its partial
# unique indexes (one booking holds a slot, one current booking a type).


def upgrade() -> None:
    op.add_column("booking", sa.Column("interpreter_language_encrypted", sa.LargeBinary(), nullable=True))
    bind = op.get_bind()
    written = bind.execute(
        sa.text("SELECT id, interpreter_language FROM booking WHERE interpreter_language <> ''")
    ).all()
    if written:
        # The key comes from the portal's configuration: `flask db upgrade` runs with the application.
        from portal.crypto import encrypt

        for row_id, language in written:
            bind.execute(
                sa.text("UPDATE booking SET interpreter_language_encrypted = :sealed WHERE id = :id"),
                {"sealed": encrypt(language, INTERPRETER_CONTEXT), "id": row_id},
            )
    op.drop_column("booking", "interpreter_language")


def downgrade() -> None:
    # The sealed text is not opened again here: a downgrade leaves the old column empty.
    op.add_column("booking", sa.Column("interpreter_language", sa.String(length=60), nullable=True))
    op.drop_column("booking", "interpreter_language_encrypted")
