"""consent: the professional's message and the reasons given for declining or revoking are sealed

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

# The contexts of portal.services.consent, as they were when this ran.
MESSAGE_CONTEXT = "consent_request.message"
REASON_CONTEXT = "consent_event.reason"
SQLITE_NO_UPDATE = (
    "CREATE TRIGGER consent_event_no_update BEFORE UPDATE ON consent_event "
    "BEGIN SELECT RAISE(ABORT, 'consent_event rows are never updated'); END"
)


def upgrade() -> None:
    with op.batch_alter_table("consent_request", schema=None) as batch_op:
        batch_op.add_column(sa.Column("message_encrypted", sa.LargeBinary(), nullable=True))
    op.add_column("consent_event", sa.Column("reason_encrypted", sa.LargeBinary(), nullable=True))
    _seal_written_text()
    with op.batch_alter_table("consent_request", schema=None) as batch_op:
        batch_op.drop_column("message")


def _seal_written_text() -> None:
    """Text written before this revision, sealed as the portal now writes it."""
    bind = op.get_bind()
    messages = bind.execute(sa.text("SELECT id, message FROM consent_request WHERE message IS NOT NULL")).all()
    reasons = bind.execute(
        sa.text(
            "SELECT id, reason FROM consent_event "
            "WHERE reason IS NOT NULL AND kind IN ('declined', 'revoked')"
        )
    ).all()
    if not messages and not reasons:
        return
    # The key comes from the portal's configuration: `flask db upgrade` runs with the application.
    from portal.crypto import encrypt

    for row_id, message in messages:
        bind.execute(
            sa.text("UPDATE consent_request SET message_encrypted = :sealed WHERE id = :id"),
            {"sealed": encrypt(message, MESSAGE_CONTEXT), "id": row_id},
        )
    # Events are never updated (a trigger refuses it), except here, once.
    postgresql = bind.dialect.name == "postgresql"
    op.execute(
        "ALTER TABLE consent_event DISABLE TRIGGER consent_event_no_update"
        if postgresql
        else "DROP TRIGGER IF EXISTS consent_event_no_update"
    )
    for row_id, reason in reasons:
        bind.execute(
            sa.text("UPDATE consent_event SET reason_encrypted = :sealed, reason = NULL WHERE id = :id"),
            {"sealed": encrypt(reason, REASON_CONTEXT), "id": row_id},
        )
    op.execute(
        "ALTER TABLE consent_event ENABLE TRIGGER consent_event_no_update" if postgresql else SQLITE_NO_UPDATE
    )


def downgrade() -> None:
    # The sealed text is not opened again here: a downgrade leaves the old columns empty.
    with op.batch_alter_table("consent_request", schema=None) as batch_op:
        batch_op.add_column(sa.Column("message", sa.Text(), nullable=True))
        batch_op.drop_column("message_encrypted")
    # Not in batch: copying the table on SQLite would leave its trigger behind.
    op.drop_column("consent_event", "reason_encrypted")
