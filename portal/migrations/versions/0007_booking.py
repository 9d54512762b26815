"""booking: slots, weekly rules, blocked days, offers and bookings

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28 23:59:00

Besides the tables, one rule the models cannot state: an adviser's published times never overlap.
PostgreSQL keeps it with an exclusion constraint over time ranges (btree_gist for the adviser id);
SQLite with a trigger. Both count the type's buffers (occupied_from .. occupied_until).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import portal.models.base

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

SQLITE_OVERLAP_TRIGGER = """
CREATE TRIGGER tr_slot_no_overlap BEFORE INSERT ON slot
WHEN NEW.status <> 'withdrawn' AND EXISTS (
    SELECT 1 FROM slot
    WHERE slot.adviser_id = NEW.adviser_id AND slot.status <> 'withdrawn'
      AND slot.occupied_from < NEW.occupied_until AND slot.occupied_until > NEW.occupied_from
)
BEGIN
    SELECT RAISE(ABORT, 'slot overlap: the adviser already has a time then');
END
"""


def upgrade() -> None:

    op.create_table('appointment_offer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('appointment_type', sa.String(length=64), nullable=False),
    sa.Column('offered_by_id', sa.Integer(), nullable=True),
    sa.Column('offered_at', portal.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['client.id'], name=op.f('fk_appointment_offer_client_id_client'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['offered_by_id'], ['staff_user.id'], name=op.f('fk_appointment_offer_offered_by_id_staff_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_appointment_offer')),
    sa.UniqueConstraint('client_id', 'appointment_type', name=op.f('uq_appointment_offer_client_id_appointment_type'))
    )
    op.create_table('availability_rule',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('adviser_id', sa.Integer(), nullable=False),
    sa.Column('appointment_type', sa.String(length=64), nullable=False),
    sa.Column('weekday', sa.Integer(), nullable=False),
    sa.Column('start_time', sa.String(length=5), nullable=False),
    sa.Column('end_time', sa.String(length=5), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_until', sa.Date(), nullable=False),
    sa.Column('modalities', sa.String(length=40), nullable=False),
    sa.Column('office_key', sa.String(length=40), nullable=True),
    sa.Column('created_at', portal.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('weekday BETWEEN 0 AND 6', name=op.f('ck_availability_rule_weekday')),
    sa.ForeignKeyConstraint(['adviser_id'], ['staff_user.id'], name=op.f('fk_availability_rule_adviser_id_staff_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_availability_rule'))
    )
    with op.batch_alter_table('availability_rule', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_availability_rule_adviser_id'), ['adviser_id'], unique=False)

    op.create_table('blocked_day',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('adviser_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('created_at', portal.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['adviser_id'], ['staff_user.id'], name=op.f('fk_blocked_day_adviser_id_staff_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_blocked_day')),
    sa.UniqueConstraint('adviser_id', 'day', name=op.f('uq_blocked_day_adviser_id_day'))
    )
    op.create_table('slot',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('adviser_id', sa.Integer(), nullable=False),
    sa.Column('appointment_type', sa.String(length=64), nullable=False),
    sa.Column('starts_at', portal.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ends_at', portal.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('occupied_from', portal.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('occupied_until', portal.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('modalities', sa.String(length=40), nullable=False),
    sa.Column('office_key', sa.String(length=40), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('rule_id', sa.Integer(), nullable=True),
    sa.Column('created_at', portal.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('withdrawn_at', portal.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('free', 'booked', 'withdrawn')", name=op.f('ck_slot_status')),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_slot_positive')),
    sa.CheckConstraint('occupied_from <= starts_at AND occupied_until >= ends_at', name=op.f('ck_slot_occupied')),
    sa.ForeignKeyConstraint(['adviser_id'], ['staff_user.id'], name=op.f('fk_slot_adviser_id_staff_user'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['rule_id'], ['availability_rule.id'], name=op.f('fk_slot_rule_id_availability_rule'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_slot'))
    )
    with op.batch_alter_table('slot', schema=None) as batch_op:
        batch_op.create_index('ix_slot_adviser_occupied', ['adviser_id', 'occupied_from', 'occupied_until'], unique=False)
        batch_op.create_index(batch_op.f('ix_slot_rule_id'), ['rule_id'], unique=False)
        batch_op.create_index('ix_slot_type_status_starts', ['appointment_type', 'status', 'starts_at'], unique=False)

    op.create_table('booking',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uid', sa.String(length=64), nullable=False),
    sa.Column('slot_id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('appointment_type', sa.String(length=64), nullable=False),
    sa.Column('starts_at', portal.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ends_at', portal.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('is_current', sa.Boolean(), nullable=False),
    sa.Column('modality', sa.String(length=16), nullable=False),
    sa.Column('interpreter_language', sa.String(length=60), nullable=True),
    sa.Column('accessibility_encrypted', sa.LargeBinary(), nullable=True),
    sa.Column('message_encrypted', sa.LargeBinary(), nullable=True),
    sa.Column('video_url', sa.String(length=500), nullable=True),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('booked_by_staff_id', sa.Integer(), nullable=True),
    sa.Column('created_at', portal.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', portal.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('cancelled_at', portal.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('cancelled_by', sa.String(length=16), nullable=True),
    sa.Column('cancel_reason', sa.String(length=500), nullable=True),
    sa.CheckConstraint("status = 'booked' OR NOT is_current", name=op.f('ck_booking_current_is_booked')),
    sa.CheckConstraint("status IN ('booked', 'cancelled', 'done', 'no_show')", name=op.f('ck_booking_status')),
    sa.ForeignKeyConstraint(['booked_by_staff_id'], ['staff_user.id'], name=op.f('fk_booking_booked_by_staff_id_staff_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['client_id'], ['client.id'], name=op.f('fk_booking_client_id_client'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['slot_id'], ['slot.id'], name=op.f('fk_booking_slot_id_slot'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_booking')),
    sa.UniqueConstraint('uid', name=op.f('uq_booking_uid'))
    )
    with op.batch_alter_table('booking', schema=None) as batch_op:
        batch_op.create_index('ix_booking_client_starts', ['client_id', 'starts_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_booking_slot_id'), ['slot_id'], unique=False)
        batch_op.create_index('uq_booking_client_type_current', ['client_id', 'appointment_type'], unique=True, sqlite_where=sa.text('is_current'), postgresql_where=sa.text('is_current'))
        batch_op.create_index('uq_booking_slot_booked', ['slot_id'], unique=True, sqlite_where=sa.text("status = 'booked'"), postgresql_where=sa.text("status = 'booked'"))

    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        op.execute(
            "ALTER TABLE slot ADD CONSTRAINT ex_slot_adviser_overlap EXCLUDE USING gist "
            "(adviser_id WITH =, tstzrange(occupied_from, occupied_until, '[)') WITH &&) "
            "WHERE (status <> 'withdrawn')"
        )
    elif op.get_bind().dialect.name == "sqlite":
        op.execute(SQLITE_OVERLAP_TRIGGER)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS tr_slot_no_overlap")
    with op.batch_alter_table('booking', schema=None) as batch_op:
        batch_op.drop_index('uq_booking_slot_booked', sqlite_where=sa.text("status = 'booked'"), postgresql_where=sa.text("status = 'booked'"))
        batch_op.drop_index('uq_booking_client_type_current', sqlite_where=sa.text('is_current'), postgresql_where=sa.text('is_current'))
        batch_op.drop_index(batch_op.f('ix_booking_slot_id'))
        batch_op.drop_index('ix_booking_client_starts')

    op.drop_table('booking')
    with op.batch_alter_table('slot', schema=None) as batch_op:
        batch_op.drop_index('ix_slot_type_status_starts')
        batch_op.drop_index(batch_op.f('ix_slot_rule_id'))
        batch_op.drop_index('ix_slot_adviser_occupied')

    op.drop_table('slot')
    op.drop_table('blocked_day')
    with op.batch_alter_table('availability_rule', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_availability_rule_adviser_id'))

    op.drop_table('availability_rule')
    op.drop_table('appointment_offer')
