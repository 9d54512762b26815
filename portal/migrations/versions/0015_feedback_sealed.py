"""feedback: the message, the page and the reply address are sealed; who handled it and when

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

# The contexts of portal.services.feedback, as they were when this ran.
CONTEXTS = {"message": "feedback.message", "page": "feedback.page", "reply_to": "feedback.reply_to"}


def upgrade() -> None:
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.add_column(sa.Column("message_encrypted", sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column("page_encrypted", sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column("reply_to_encrypted", sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column("handled_by_id", sa.Integer(), nullable=True))
        batch_op.alter_column("answered_at", new_column_name="handled_at")
        batch_op.create_foreign_key(
            batch_op.f("fk_feedback_handled_by_id_staff_user"),
            "staff_user",
            ["handled_by_id"],
            ["id"],
            ondelete="SET NULL",
        )
    _seal_written_text()
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.alter_column("message_encrypted", existing_type=sa.LargeBinary(), nullable=False)
        batch_op.drop_column("message")
        batch_op.drop_column("page")
        batch_op.drop_column("reply_to")


def _seal_written_text() -> None:
    """Feedback written before this revision, sealed as the portal now writes it."""
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT id, message, page, reply_to FROM feedback")).all()
    if not rows:
        return
    # The key comes from the portal's configuration: `flask db upgrade` runs with the application.
    from portal.crypto import encrypt

    for row_id, *texts in rows:
        sealed = {
            f"{name}_encrypted": encrypt(value, context) if value else None
            for (name, context), value in zip(CONTEXTS.items(), texts, strict=True)
        }
        sealed["message_encrypted"] = sealed["message_encrypted"] or encrypt("", CONTEXTS["message"])
        bind.execute(
            sa.text(
                "UPDATE feedback SET message_encrypted = :message_encrypted,"
                " page_encrypted = :page_encrypted, reply_to_encrypted = :reply_to_encrypted WHERE id = :id"
            ),
            {**sealed, "id": row_id},
        )


def downgrade() -> None:
    # The sealed text is not opened again here: a downgrade leaves the old columns empty.
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.add_column(sa.Column("message", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("page", sa.String(length=300), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("reply_to", sa.String(length=254), nullable=True))
        batch_op.drop_constraint(batch_op.f("fk_feedback_handled_by_id_staff_user"), type_="foreignkey")
        batch_op.drop_column("handled_by_id")
        batch_op.alter_column("handled_at", new_column_name="answered_at")
        batch_op.drop_column("reply_to_encrypted")
        batch_op.drop_column("page_encrypted")
        batch_op.drop_column("message_encrypted")
