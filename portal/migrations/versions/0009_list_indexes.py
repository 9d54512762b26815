"""indexes for the professionals' client list and review queue at a national scale

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

SUBMITTED = sa.text("status = 'submitted'")


def upgrade() -> None:
    with op.batch_alter_table("client", schema=None) as batch_op:
        batch_op.create_index("ix_client_name_order", ["family_name", "given_name", "id"], unique=False)
    op.create_index(
        "ix_questionnaire_response_queue",
        "questionnaire_response",
        [
            sa.text("(reviewed_at IS NOT NULL)"),
            sa.text("(interview_at IS NULL)"),
            "interview_at",
            "submitted_at",
            "id",
        ],
        unique=False,
        sqlite_where=SUBMITTED,
        postgresql_where=SUBMITTED,
    )
    op.create_index(
        "ix_questionnaire_response_submitted_client",
        "questionnaire_response",
        ["client_id"],
        unique=False,
        sqlite_where=SUBMITTED,
        postgresql_where=SUBMITTED,
    )


def downgrade() -> None:
    op.drop_index("ix_questionnaire_response_submitted_client", table_name="questionnaire_response")
    op.drop_index("ix_questionnaire_response_queue", table_name="questionnaire_response")
    with op.batch_alter_table("client", schema=None) as batch_op:
        batch_op.drop_index("ix_client_name_order")
