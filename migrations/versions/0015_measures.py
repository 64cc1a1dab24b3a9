"""measures and issued documents: the register of measures (what the school decided about a
figure, who does it by when, the indicator to re-check) and the справки and annual reports as
issued (number, date, author, figures and rendered HTML, frozen)

Revision ID: 0015_measures
Revises: 0014_unlinkable_responses
Create Date: 2026-12-01 02:18:00
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0015_measures'
down_revision = '0014_unlinkable_responses'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('issued_document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('subject', sa.String(length=40), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('number', sa.String(length=40), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('author_name', sa.String(length=200), nullable=False),
    sa.Column('lang', sa.String(length=5), nullable=False),
    sa.Column('figures', sa.JSON(), nullable=False),
    sa.Column('html', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.CheckConstraint("kind IN ('note', 'report')", name=op.f('ck_issued_document_kind')),
    sa.ForeignKeyConstraint(['author_id'], ['user.id'], name=op.f('fk_issued_document_author_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_issued_document_school_id_school'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['year_id'], ['academic_year.id'], name=op.f('fk_issued_document_year_id_academic_year'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_issued_document')),
    sa.UniqueConstraint('school_id', 'year_id', 'kind', 'subject', 'version', name=op.f('uq_issued_document_school_id_year_id_kind_subject_version'))
    )
    with op.batch_alter_table('issued_document', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_issued_document_school_id'), ['school_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_issued_document_year_id'), ['year_id'], unique=False)

    op.create_table('measure',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year_id', sa.Integer(), nullable=False),
    sa.Column('term_id', sa.Integer(), nullable=True),
    sa.Column('source', sa.String(length=12), nullable=False),
    sa.Column('source_ref', sa.String(length=300), nullable=True),
    sa.Column('indicator_id', sa.Integer(), nullable=True),
    sa.Column('value_before', sa.Float(), nullable=True),
    sa.Column('action', sa.Text(), nullable=False),
    sa.Column('responsible_id', sa.Integer(), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('done_on', sa.Date(), nullable=True),
    sa.Column('evidence_note', sa.Text(), nullable=True),
    sa.Column('evidence_ref', sa.String(length=300), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("source IN ('indicator', 'note', 'observation', 'survey', 'student')", name=op.f('ck_measure_source')),
    sa.CheckConstraint("status IN ('planned', 'in_progress', 'done', 'cancelled')", name=op.f('ck_measure_status')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_measure_created_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['indicator_id'], ['indicator.id'], name=op.f('fk_measure_indicator_id_indicator'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['responsible_id'], ['user.id'], name=op.f('fk_measure_responsible_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_measure_school_id_school'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['term_id'], ['term.id'], name=op.f('fk_measure_term_id_term'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['year_id'], ['academic_year.id'], name=op.f('fk_measure_year_id_academic_year'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_measure'))
    )
    with op.batch_alter_table('measure', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_measure_indicator_id'), ['indicator_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_measure_responsible_id'), ['responsible_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_measure_school_id'), ['school_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_measure_year_id'), ['year_id'], unique=False)



def downgrade():
    with op.batch_alter_table('measure', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_measure_year_id'))
        batch_op.drop_index(batch_op.f('ix_measure_school_id'))
        batch_op.drop_index(batch_op.f('ix_measure_responsible_id'))
        batch_op.drop_index(batch_op.f('ix_measure_indicator_id'))

    op.drop_table('measure')
    with op.batch_alter_table('issued_document', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_issued_document_year_id'))
        batch_op.drop_index(batch_op.f('ix_issued_document_school_id'))

    op.drop_table('issued_document')
