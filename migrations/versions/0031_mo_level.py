"""mo level: a methodical association's own variable indicators and its year's proposals

Revision ID: 0031_mo_level
Revises: 0030_district_campaigns
Create Date: 2026-12-01 11:00:00

indicator.ma_id marks a variable indicator as one methodical association's (the variable part
of the database, monitoring regulation §2.17); `association_year` keeps the association's
proposals to the development programme for its annual report; issued_document takes kind
"mo" (the association's annual report as issued).
"""
from alembic import op
import sqlalchemy as sa


revision = '0031_mo_level'
down_revision = "0030_district_campaigns"
branch_labels = None
depends_on = None

KINDS = "kind IN ('note', 'report', 'quarter', 'mo')"
OLD_KINDS = "kind IN ('note', 'report', 'quarter')"


def upgrade():
    op.create_table('association_year',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ma_id', sa.Integer(), nullable=False),
    sa.Column('year_id', sa.Integer(), nullable=False),
    sa.Column('proposals', sa.Text(), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['ma_id'], ['methodical_association.id'],
                            name=op.f('fk_association_year_ma_id_methodical_association'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_association_year_school_id_school'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user.id'], name=op.f('fk_association_year_updated_by_id_user'),
                            ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['year_id'], ['academic_year.id'], name=op.f('fk_association_year_year_id_academic_year'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_association_year')),
    sa.UniqueConstraint('ma_id', 'year_id', name=op.f('uq_association_year_ma_id_year_id'))
    )
    with op.batch_alter_table('association_year', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_association_year_ma_id'), ['ma_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_association_year_school_id'), ['school_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_association_year_year_id'), ['year_id'], unique=False)
    with op.batch_alter_table('indicator', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ma_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_indicator_ma_id'), ['ma_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_indicator_ma_id_methodical_association'), 'methodical_association',
                                    ['ma_id'], ['id'], ondelete='CASCADE')
    with op.batch_alter_table('issued_document', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_issued_document_kind'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_issued_document_kind'), sa.text(KINDS))


def downgrade():
    op.execute("DELETE FROM issued_document WHERE kind = 'mo'")
    op.execute("DELETE FROM indicator WHERE ma_id IS NOT NULL")
    with op.batch_alter_table('issued_document', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_issued_document_kind'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_issued_document_kind'), sa.text(OLD_KINDS))
    with op.batch_alter_table('indicator', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_indicator_ma_id_methodical_association'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_indicator_ma_id'))
        batch_op.drop_column('ma_id')
    with op.batch_alter_table('association_year', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_association_year_year_id'))
        batch_op.drop_index(batch_op.f('ix_association_year_school_id'))
        batch_op.drop_index(batch_op.f('ix_association_year_ma_id'))
    op.drop_table('association_year')
