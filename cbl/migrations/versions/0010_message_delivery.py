"""Message delivery: claims, retries, carriers' ids and failures on the outbox; households' contact
preferences and the texts they send; providers' lettings e-mail address and the
council's contact details for letters; text messages as a channel; offers' reminders

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 16:44:33.377206
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel
import cbl.models.columns


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


CHANNELS = ('letter', 'email')
STATUSES = ('pending', 'sent', 'failed')


def _states(channels: tuple[str, ...], statuses: tuple[str, ...]) -> None:
    """The CHECK constraints of the outbox's channel and status columns, with these values."""
    if op.get_bind().dialect.name == 'sqlite':
        # SQLite cannot change a constraint: the table is copied with the columns' new types.
        with op.batch_alter_table('outbox_message', recreate='always') as batch_op:
            batch_op.alter_column('channel', type_=_enum(channels, 'channel'))
            batch_op.alter_column('status', type_=_enum(statuses, 'outboxstatus'))
        return
    for column, name, values in (('channel', 'channel', channels), ('status', 'outboxstatus', statuses)):
        op.drop_constraint(op.f(f'ck_outbox_message_{name}'), 'outbox_message', type_='check')
        op.create_check_constraint(op.f(f'ck_outbox_message_{name}'), 'outbox_message', sa.column(column).in_(values))


def _enum(values: tuple[str, ...], name: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def upgrade() -> None:
    op.create_table('contact_preference',
    sa.Column('applicant_id', sa.Integer(), nullable=False),
    sa.Column('by_email', sa.Boolean(), nullable=False),
    sa.Column('by_text', sa.Boolean(), nullable=False),
    sa.Column('by_post', sa.Boolean(), nullable=False),
    sa.Column('large_print', sa.Boolean(), nullable=False),
    sa.Column('email_consent_at', cbl.models.columns.UTCDateTime(timezone=True), nullable=True),
    sa.Column('confirmed_mobile', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
    sa.Column('mobile_confirmed_at', cbl.models.columns.UTCDateTime(timezone=True), nullable=True),
    sa.Column('new_homes_alert', sa.Boolean(), nullable=False),
    sa.Column('updated_at', cbl.models.columns.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['applicant_id'], ['applicant.id'], name=op.f('fk_contact_preference_applicant_id_applicant')),
    sa.PrimaryKeyConstraint('applicant_id', name=op.f('pk_contact_preference'))
    )
    with op.batch_alter_table('contact_preference', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contact_preference_confirmed_mobile'), ['confirmed_mobile'], unique=False)

    op.create_table('received_text',
    sa.Column('notify_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('received_at', cbl.models.columns.UTCDateTime(timezone=True), nullable=False),
    sa.Column('source_number', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('applicant_id', sa.Integer(), nullable=True),
    sa.Column('text', sqlmodel.sql.sqltypes.AutoString(length=160), nullable=False),
    sa.Column('outcome', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.ForeignKeyConstraint(['applicant_id'], ['applicant.id'], name=op.f('fk_received_text_applicant_id_applicant')),
    sa.PrimaryKeyConstraint('notify_id', name=op.f('pk_received_text'))
    )
    with op.batch_alter_table('received_text', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_received_text_applicant_id'), ['applicant_id'], unique=False)

    with op.batch_alter_table('offer', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reminder_sent_at', cbl.models.columns.UTCDateTime(timezone=True), nullable=True))

    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lettings_email', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True))
        batch_op.add_column(sa.Column('contact_details', sqlmodel.sql.sqltypes.AutoString(length=400), nullable=True))

    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('recipient', sqlmodel.sql.sqltypes.AutoString(length=320), nullable=True))
        batch_op.add_column(sa.Column('personalisation', sa.JSON(), nullable=False, server_default='{}'))
        batch_op.add_column(sa.Column('large_print', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('attempts', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('next_attempt_at', cbl.models.columns.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('claimed_until', cbl.models.columns.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('claimed_by', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.add_column(sa.Column('carrier', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True))
        batch_op.add_column(sa.Column('carrier_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.add_column(sa.Column('delivered_at', cbl.models.columns.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('failure', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True))
        batch_op.create_index(batch_op.f('ix_outbox_message_carrier_id'), ['carrier_id'], unique=False)
        batch_op.create_index('ix_outbox_message_status_next_attempt_at', ['status', 'next_attempt_at'], unique=False)

    # The defaults above were for the rows already there; the models set their own.
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        for column in ('personalisation', 'large_print', 'attempts'):
            batch_op.alter_column(column, server_default=None)
    _states(CHANNELS + ('sms',), STATUSES + ('sending', 'delivered'))


def downgrade() -> None:
    _states(CHANNELS, STATUSES)
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_message_status_next_attempt_at')
        batch_op.drop_index(batch_op.f('ix_outbox_message_carrier_id'))
        batch_op.drop_column('failure')
        batch_op.drop_column('delivered_at')
        batch_op.drop_column('carrier_id')
        batch_op.drop_column('carrier')
        batch_op.drop_column('claimed_by')
        batch_op.drop_column('claimed_until')
        batch_op.drop_column('next_attempt_at')
        batch_op.drop_column('attempts')
        batch_op.drop_column('large_print')
        batch_op.drop_column('personalisation')
        batch_op.drop_column('recipient')

    with op.batch_alter_table('offer', schema=None) as batch_op:
        batch_op.drop_column('reminder_sent_at')

    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.drop_column('contact_details')
        batch_op.drop_column('lettings_email')

    with op.batch_alter_table('contact_preference', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contact_preference_confirmed_mobile'))

    op.drop_table('contact_preference')
    with op.batch_alter_table('received_text', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_received_text_applicant_id'))

    op.drop_table('received_text')
