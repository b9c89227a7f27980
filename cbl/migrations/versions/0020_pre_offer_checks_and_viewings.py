"""The checks recorded on a shortlist place before an offer (verification, fraud: passed or failed, with a
note, who and when); viewings in their own table, several for one offer or a block viewing for several
households at once, the offers' one viewing each moved there

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-03 15:58:14.035803
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel
import cbl.models.columns


revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('viewing',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('void_id', sa.Integer(), nullable=False),
    sa.Column('advert_id', sa.Integer(), nullable=True),
    sa.Column('at', cbl.models.columns.UTCDateTime(timezone=True), nullable=False),
    sa.Column('place', sqlmodel.sql.sqltypes.AutoString(length=400), nullable=False),
    sa.Column('accompanied', sa.Boolean(), nullable=False),
    sa.Column('block', sa.Boolean(), nullable=False),
    sa.Column('arranged_by_id', sa.Integer(), nullable=True),
    sa.Column('arranged_at', cbl.models.columns.UTCDateTime(timezone=True), nullable=False),
    sa.Column('concluded_at', cbl.models.columns.UTCDateTime(timezone=True), nullable=True),
    sa.Column('concluded_by_id', sa.Integer(), nullable=True),
    sa.Column('offer_id', sa.Integer(), nullable=True),
    sa.Column('cancel_reason', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.ForeignKeyConstraint(['advert_id'], ['advert.id'], name=op.f('fk_viewing_advert_id_advert')),
    sa.ForeignKeyConstraint(['arranged_by_id'], ['staff_user.id'], name=op.f('fk_viewing_arranged_by_id_staff_user')),
    sa.ForeignKeyConstraint(['concluded_by_id'], ['staff_user.id'], name=op.f('fk_viewing_concluded_by_id_staff_user')),
    sa.ForeignKeyConstraint(['offer_id'], ['offer.id'], name=op.f('fk_viewing_offer_id_offer')),
    sa.ForeignKeyConstraint(['void_id'], ['void.id'], name=op.f('fk_viewing_void_id_void')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_viewing'))
    )
    with op.batch_alter_table('viewing', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_viewing_advert_id'), ['advert_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_viewing_void_id'), ['void_id'], unique=False)
        batch_op.create_index('uq_viewing_open_block', ['advert_id'], unique=True, sqlite_where=sa.text('block AND concluded_at IS NULL'), postgresql_where=sa.text('block AND concluded_at IS NULL'))

    op.create_table('pre_offer_check',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('applicant_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('verification', 'fraud', name='offercheckkind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('passed', sa.Boolean(), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', cbl.models.columns.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['applicant_id'], ['applicant.id'], name=op.f('fk_pre_offer_check_applicant_id_applicant')),
    sa.ForeignKeyConstraint(['entry_id'], ['shortlist_entry.id'], name=op.f('fk_pre_offer_check_entry_id_shortlist_entry')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['staff_user.id'], name=op.f('fk_pre_offer_check_recorded_by_id_staff_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pre_offer_check'))
    )
    with op.batch_alter_table('pre_offer_check', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pre_offer_check_applicant_id'), ['applicant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pre_offer_check_entry_id'), ['entry_id'], unique=False)

    op.create_table('viewing_invitation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('viewing_id', sa.Integer(), nullable=False),
    sa.Column('applicant_id', sa.Integer(), nullable=False),
    sa.Column('offer_id', sa.Integer(), nullable=True),
    sa.Column('entry_id', sa.Integer(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=True),
    sa.Column('attended', sa.Boolean(), nullable=True),
    sa.Column('wants_home', sa.Boolean(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', cbl.models.columns.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['applicant_id'], ['applicant.id'], name=op.f('fk_viewing_invitation_applicant_id_applicant')),
    sa.ForeignKeyConstraint(['entry_id'], ['shortlist_entry.id'], name=op.f('fk_viewing_invitation_entry_id_shortlist_entry')),
    sa.ForeignKeyConstraint(['offer_id'], ['offer.id'], name=op.f('fk_viewing_invitation_offer_id_offer')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['staff_user.id'], name=op.f('fk_viewing_invitation_recorded_by_id_staff_user')),
    sa.ForeignKeyConstraint(['viewing_id'], ['viewing.id'], name=op.f('fk_viewing_invitation_viewing_id_viewing')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_viewing_invitation')),
    sa.UniqueConstraint('viewing_id', 'applicant_id', name=op.f('uq_viewing_invitation_viewing_id_applicant_id'))
    )
    with op.batch_alter_table('viewing_invitation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_viewing_invitation_applicant_id'), ['applicant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_viewing_invitation_offer_id'), ['offer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_viewing_invitation_viewing_id'), ['viewing_id'], unique=False)

    _move_viewings_out_of_offers()
    with op.batch_alter_table('offer', schema=None) as batch_op:
        batch_op.drop_column('viewing_accompanied')
        batch_op.drop_column('viewing_attended')
        batch_op.drop_column('viewing_at')


def downgrade() -> None:
    with op.batch_alter_table('offer', schema=None) as batch_op:
        batch_op.add_column(sa.Column('viewing_at', cbl.models.columns.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('viewing_attended', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('viewing_accompanied', sa.Boolean(), nullable=False, server_default=sa.false()))
    _put_viewings_back_on_offers()

    with op.batch_alter_table('viewing_invitation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_viewing_invitation_viewing_id'))
        batch_op.drop_index(batch_op.f('ix_viewing_invitation_offer_id'))
        batch_op.drop_index(batch_op.f('ix_viewing_invitation_applicant_id'))

    op.drop_table('viewing_invitation')
    with op.batch_alter_table('pre_offer_check', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pre_offer_check_entry_id'))
        batch_op.drop_index(batch_op.f('ix_pre_offer_check_applicant_id'))

    op.drop_table('pre_offer_check')
    with op.batch_alter_table('viewing', schema=None) as batch_op:
        batch_op.drop_index('uq_viewing_open_block', sqlite_where=sa.text('block AND concluded_at IS NULL'), postgresql_where=sa.text('block AND concluded_at IS NULL'))
        batch_op.drop_index(batch_op.f('ix_viewing_void_id'))
        batch_op.drop_index(batch_op.f('ix_viewing_advert_id'))

    op.drop_table('viewing')


_OFFER = sa.table('offer', sa.column('id', sa.Integer()), sa.column('applicant_id', sa.Integer()),
                  sa.column('void_id', sa.Integer()), sa.column('advert_id', sa.Integer()),
                  sa.column('made_at', cbl.models.columns.UTCDateTime()), sa.column('made_by_id', sa.Integer()),
                  sa.column('viewing_at', cbl.models.columns.UTCDateTime()),
                  sa.column('viewing_accompanied', sa.Boolean()), sa.column('viewing_attended', sa.Boolean()))
_VIEWING = sa.table('viewing', sa.column('id', sa.Integer()), sa.column('void_id', sa.Integer()),
                    sa.column('advert_id', sa.Integer()), sa.column('at', cbl.models.columns.UTCDateTime()),
                    sa.column('place', sa.String()), sa.column('accompanied', sa.Boolean()),
                    sa.column('block', sa.Boolean()), sa.column('arranged_by_id', sa.Integer()),
                    sa.column('arranged_at', cbl.models.columns.UTCDateTime()))
_INVITATION = sa.table('viewing_invitation', sa.column('id', sa.Integer()), sa.column('viewing_id', sa.Integer()),
                       sa.column('applicant_id', sa.Integer()), sa.column('offer_id', sa.Integer()),
                       sa.column('attended', sa.Boolean()))


def _move_viewings_out_of_offers() -> None:
    """Each offer's one viewing becomes a viewing of the offer's home with the household invited to it."""
    connection = op.get_bind()
    for offer in connection.execute(sa.select(_OFFER).where(_OFFER.c.viewing_at.is_not(None))).all():
        viewing_id = connection.execute(sa.insert(_VIEWING).values(
            void_id=offer.void_id, advert_id=offer.advert_id, at=offer.viewing_at, place='',
            accompanied=offer.viewing_accompanied, block=False, arranged_by_id=offer.made_by_id,
            arranged_at=offer.made_at)).inserted_primary_key[0]
        connection.execute(sa.insert(_INVITATION).values(viewing_id=viewing_id, applicant_id=offer.applicant_id,
                                                         offer_id=offer.id, attended=offer.viewing_attended))


def _put_viewings_back_on_offers() -> None:
    """Each offer keeps its latest viewing (the table held one an offer)."""
    connection = op.get_bind()
    latest = connection.execute(
        sa.select(_INVITATION.c.offer_id, _VIEWING.c.at, _VIEWING.c.accompanied, _INVITATION.c.attended)
        .join(_VIEWING, _VIEWING.c.id == _INVITATION.c.viewing_id)
        .where(_INVITATION.c.offer_id.is_not(None)).order_by(_VIEWING.c.at)).all()
    for offer_id, at, accompanied, attended in latest:
        connection.execute(sa.update(_OFFER).where(_OFFER.c.id == offer_id).values(
            viewing_at=at, viewing_accompanied=accompanied, viewing_attended=attended))
