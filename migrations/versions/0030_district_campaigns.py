"""district campaigns and district reports: one campaign across a district's schools, the
district's issued reports

Revision ID: 0030_district_campaigns
Revises: 0029_staff_records
Create Date: 2026-12-01 11:00:00

`district_campaign` is one questionnaire campaign of a district; each school's part is an
ordinary campaign of the school (campaign.district_campaign_id). `district_document` keeps the
district's report as issued (number, date, author, version, figures, HTML).
"""
from alembic import op
import sqlalchemy as sa


revision = '0030_district_campaigns'
down_revision = "0029_staff_records"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('district_campaign',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('district_id', sa.Integer(), nullable=False),
    sa.Column('instrument_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('audience', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('min_group_size', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('draft', 'open', 'closed')", name=op.f('ck_district_campaign_status')),
    sa.CheckConstraint('min_group_size >= 1', name=op.f('ck_district_campaign_min_group_size')),
    sa.ForeignKeyConstraint(['district_id'], ['district.id'], name=op.f('fk_district_campaign_district_id_district'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['instrument_id'], ['instrument.id'], name=op.f('fk_district_campaign_instrument_id_instrument'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_district_campaign_created_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_district_campaign'))
    )
    with op.batch_alter_table('district_campaign', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_district_campaign_district_id'), ['district_id'], unique=False)
    op.create_table('district_document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('district_id', sa.Integer(), nullable=False),
    sa.Column('year_name', sa.String(length=20), nullable=False),
    sa.Column('lang', sa.String(length=5), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('number', sa.String(length=40), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('author_name', sa.String(length=200), nullable=False),
    sa.Column('figures', sa.JSON(), nullable=False),
    sa.Column('html', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['district_id'], ['district.id'], name=op.f('fk_district_document_district_id_district'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['author_id'], ['user.id'], name=op.f('fk_district_document_author_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_district_document')),
    sa.UniqueConstraint('district_id', 'year_name', 'lang', 'version', name=op.f('uq_district_document_district_id_year_name_lang_version'))
    )
    with op.batch_alter_table('district_document', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_district_document_district_id'), ['district_id'], unique=False)
    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.add_column(sa.Column('district_campaign_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_campaign_district_campaign_id'), ['district_campaign_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_campaign_district_campaign_id_district_campaign'),
                                    'district_campaign', ['district_campaign_id'], ['id'], ondelete='RESTRICT')


def downgrade():
    # The schools' parts stay as the schools' own campaigns.
    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_campaign_district_campaign_id_district_campaign'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_campaign_district_campaign_id'))
        batch_op.drop_column('district_campaign_id')
    with op.batch_alter_table('district_document', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_district_document_district_id'))
    op.drop_table('district_document')
    with op.batch_alter_table('district_campaign', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_district_campaign_district_id'))
    op.drop_table('district_campaign')
