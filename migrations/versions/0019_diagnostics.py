"""diagnostics: records of diagnostic instruments filled in by staff about a named student

Revision ID: 0019_diagnostics
Revises: 0018_year_figures
Create Date: 2026-12-01 02:18:35

A third kind of instrument, `diagnostic` (surveys/kinds.py): instrument.kind's constraint lists
it. `diagnostic` is one student's record of one instrument in one year (unique per student,
year and instrument key), `diagnostic_answer` its answers, stored like observation_score's.
"""
from alembic import op
import sqlalchemy as sa


revision = '0019_diagnostics'
down_revision = '0018_year_figures'
branch_labels = None
depends_on = None

KINDS = "kind IN ('survey', 'observation', 'diagnostic')"
OLD_KINDS = "kind IN ('survey', 'observation')"


def upgrade():
    with op.batch_alter_table('instrument', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_instrument_kind'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_instrument_kind'), sa.text(KINDS))
    op.create_table('diagnostic',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('instrument_id', sa.Integer(), nullable=False),
    sa.Column('instrument_key', sa.String(length=60), nullable=False),
    sa.Column('year_id', sa.Integer(), nullable=False),
    sa.Column('student_id', sa.Integer(), nullable=False),
    sa.Column('class_id', sa.Integer(), nullable=False),
    sa.Column('filled_by_id', sa.Integer(), nullable=True),
    sa.Column('filled_on', sa.Date(), nullable=False),
    sa.Column('outcome', sa.String(length=60), nullable=True),
    sa.Column('confidential', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['class_id'], ['class_group.id'], name=op.f('fk_diagnostic_class_id_class_group'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['filled_by_id'], ['user.id'], name=op.f('fk_diagnostic_filled_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['instrument_id'], ['instrument.id'], name=op.f('fk_diagnostic_instrument_id_instrument')),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_diagnostic_school_id_school'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['student_id'], ['student.id'], name=op.f('fk_diagnostic_student_id_student'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['year_id'], ['academic_year.id'], name=op.f('fk_diagnostic_year_id_academic_year'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_diagnostic')),
    sa.UniqueConstraint('student_id', 'year_id', 'instrument_key', name=op.f('uq_diagnostic_student_id_year_id_instrument_key'))
    )
    with op.batch_alter_table('diagnostic', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_diagnostic_class_id'), ['class_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_diagnostic_filled_by_id'), ['filled_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_diagnostic_instrument_id'), ['instrument_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_diagnostic_school_id'), ['school_id'], unique=False)
        batch_op.create_index('ix_diagnostic_school_year_key', ['school_id', 'year_id', 'instrument_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_diagnostic_student_id'), ['student_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_diagnostic_year_id'), ['year_id'], unique=False)

    op.create_table('diagnostic_answer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('diagnostic_id', sa.Integer(), nullable=False),
    sa.Column('section_key', sa.String(length=60), nullable=False),
    sa.Column('item_key', sa.String(length=60), nullable=False),
    sa.Column('item_kind', sa.String(length=10), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=True),
    sa.Column('not_applicable', sa.Boolean(), nullable=False),
    sa.Column('min_score', sa.Integer(), nullable=True),
    sa.Column('max_score', sa.Integer(), nullable=True),
    sa.Column('number', sa.Float(), nullable=True),
    sa.Column('text', sa.Text(), nullable=True),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.CheckConstraint("item_kind IN ('single', 'multi', 'yes_no', 'likert', 'matrix', 'criterion', 'number', 'text')", name=op.f('ck_diagnostic_answer_item_kind')),
    sa.CheckConstraint('score IS NULL OR (score >= min_score AND score <= max_score)', name=op.f('ck_diagnostic_answer_score_range')),
    sa.ForeignKeyConstraint(['diagnostic_id'], ['diagnostic.id'], name=op.f('fk_diagnostic_answer_diagnostic_id_diagnostic'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_diagnostic_answer_school_id_school'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_diagnostic_answer')),
    sa.UniqueConstraint('diagnostic_id', 'item_key', name=op.f('uq_diagnostic_answer_diagnostic_id_item_key'))
    )
    with op.batch_alter_table('diagnostic_answer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_diagnostic_answer_diagnostic_id'), ['diagnostic_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_diagnostic_answer_school_id'), ['school_id'], unique=False)


def downgrade():
    with op.batch_alter_table('diagnostic_answer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_diagnostic_answer_school_id'))
        batch_op.drop_index(batch_op.f('ix_diagnostic_answer_diagnostic_id'))

    op.drop_table('diagnostic_answer')
    with op.batch_alter_table('diagnostic', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_diagnostic_year_id'))
        batch_op.drop_index(batch_op.f('ix_diagnostic_student_id'))
        batch_op.drop_index('ix_diagnostic_school_year_key')
        batch_op.drop_index(batch_op.f('ix_diagnostic_school_id'))
        batch_op.drop_index(batch_op.f('ix_diagnostic_instrument_id'))
        batch_op.drop_index(batch_op.f('ix_diagnostic_filled_by_id'))
        batch_op.drop_index(batch_op.f('ix_diagnostic_class_id'))

    op.drop_table('diagnostic')
    op.execute("DELETE FROM instrument WHERE kind = 'diagnostic'")
    with op.batch_alter_table('instrument', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_instrument_kind'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_instrument_kind'), sa.text(OLD_KINDS))
