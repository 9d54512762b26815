"""questionnaire responses and review notes

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 10:12:41.118204
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import portal.models.base

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# A submitted response is never changed: the answers, the status and the client stay as sent.
# Review fields (reviewed_at, reviewed_by_id, review_version) may still change.
IMMUTABLE_COLUMNS = (
    "client_id",
    "questionnaire_key",
    "questionnaire_version",
    "status",
    "content_encrypted",
    "submitted_at",
)
SQLITE_TRIGGER = """
CREATE TRIGGER questionnaire_response_submitted_is_final
BEFORE UPDATE ON questionnaire_response
WHEN OLD.status = 'submitted' AND ({changed})
BEGIN
    SELECT RAISE(ABORT, 'a submitted questionnaire response is never changed');
END
"""
POSTGRESQL_FUNCTION = """
CREATE FUNCTION questionnaire_response_submitted_is_final() RETURNS trigger AS $$
BEGIN
    IF OLD.status = 'submitted' AND ({changed}) THEN
        RAISE EXCEPTION 'a submitted questionnaire response is never changed';
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql
"""
POSTGRESQL_TRIGGER = """
CREATE TRIGGER questionnaire_response_submitted_is_final
BEFORE UPDATE ON questionnaire_response
FOR EACH ROW EXECUTE FUNCTION questionnaire_response_submitted_is_final()
"""


def upgrade() -> None:
    op.create_table(
        "questionnaire_response",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("questionnaire_key", sa.String(length=64), nullable=False),
        sa.Column("questionnaire_version", sa.Integer(), nullable=False),
        sa.Column("assigned_by_id", sa.Integer(), nullable=True),
        sa.Column("assigned_at", portal.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=True),
        sa.Column("interview_at", portal.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("content_encrypted", sa.LargeBinary(), nullable=True),
        sa.Column("updated_at", portal.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", portal.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("reviewed_at", portal.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("reviewed_by_id", sa.Integer(), nullable=True),
        sa.Column("review_version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "(status = 'draft' AND submitted_at IS NULL) OR (status = 'submitted' AND submitted_at IS NOT NULL)",
            name=op.f("ck_questionnaire_response_submitted_at"),
        ),
        sa.CheckConstraint(
            "reviewed_at IS NULL OR status = 'submitted'",
            name=op.f("ck_questionnaire_response_reviewed_when_submitted"),
        ),
        sa.CheckConstraint(
            "status IN ('draft', 'submitted')", name=op.f("ck_questionnaire_response_status")
        ),
        sa.CheckConstraint(
            "version > 0 AND review_version >= 0", name=op.f("ck_questionnaire_response_versions")
        ),
        sa.ForeignKeyConstraint(
            ["assigned_by_id"],
            ["staff_user.id"],
            name=op.f("fk_questionnaire_response_assigned_by_id_staff_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["client.id"],
            name=op.f("fk_questionnaire_response_client_id_client"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reviewed_by_id"],
            ["staff_user.id"],
            name=op.f("fk_questionnaire_response_reviewed_by_id_staff_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_questionnaire_response")),
    )
    with op.batch_alter_table("questionnaire_response", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_questionnaire_response_client_id"), ["client_id"], unique=False
        )
        batch_op.create_index(
            "uq_questionnaire_response_open",
            ["client_id", "questionnaire_key"],
            unique=True,
            sqlite_where=sa.text("status = 'draft'"),
            postgresql_where=sa.text("status = 'draft'"),
        )

    op.create_table(
        "questionnaire_review_note",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("response_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("created_at", portal.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("text_encrypted", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["staff_user.id"],
            name=op.f("fk_questionnaire_review_note_author_id_staff_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["questionnaire_response.id"],
            name=op.f("fk_questionnaire_review_note_response_id_questionnaire_response"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_questionnaire_review_note")),
    )
    with op.batch_alter_table("questionnaire_review_note", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_questionnaire_review_note_response_id"), ["response_id"], unique=False
        )

    if op.get_bind().dialect.name == "postgresql":
        changed = " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in IMMUTABLE_COLUMNS)
        op.execute(POSTGRESQL_FUNCTION.format(changed=changed))
        op.execute(POSTGRESQL_TRIGGER)
    else:
        changed = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in IMMUTABLE_COLUMNS)
        op.execute(SQLITE_TRIGGER.format(changed=changed))


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS questionnaire_response_submitted_is_final ON questionnaire_response")
        op.execute("DROP FUNCTION IF EXISTS questionnaire_response_submitted_is_final()")
    else:
        op.execute("DROP TRIGGER IF EXISTS questionnaire_response_submitted_is_final")
    with op.batch_alter_table("questionnaire_review_note", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_questionnaire_review_note_response_id"))
    op.drop_table("questionnaire_review_note")
    with op.batch_alter_table("questionnaire_response", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_questionnaire_response_open",
            sqlite_where=sa.text("status = 'draft'"),
            postgresql_where=sa.text("status = 'draft'"),
        )
        batch_op.drop_index(batch_op.f("ix_questionnaire_response_client_id"))
    op.drop_table("questionnaire_response")
