"""control work tasks: the tasks of a control work with their maximum points, students'
points per task (элементный анализ), the teacher's analysis with its planned correction (a
measure); measures prompted by a control work's analysis; the quarter report as an issued
document

Revision ID: 0022_control_work_tasks
Revises: 0021_support_plans
Create Date: 2026-12-01 06:05:00
"""
import sqlalchemy as sa
from alembic import op


revision = '0022_control_work_tasks'
down_revision = "0021_support_plans"
branch_labels = None
depends_on = None

SOURCES = "source IN ('indicator', 'note', 'observation', 'survey', 'student', 'control_work')"
OLD_SOURCES = "source IN ('indicator', 'note', 'observation', 'survey', 'student')"
KINDS = "kind IN ('note', 'report', 'quarter')"
OLD_KINDS = "kind IN ('note', 'report')"


def upgrade():
    with op.batch_alter_table('measure', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_measure_source'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_measure_source'), sa.text(SOURCES))
    with op.batch_alter_table('issued_document', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_issued_document_kind'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_issued_document_kind'), sa.text(KINDS))

    op.create_table('assessment_task',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.SmallInteger(), nullable=False),
    sa.Column('topic', sa.String(length=200), nullable=True),
    sa.Column('max_points', sa.Float(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.CheckConstraint('max_points > 0', name=op.f('ck_assessment_task_max_points')),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessment.id'], name=op.f('fk_assessment_task_assessment_id_assessment'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_assessment_task_school_id_school'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessment_task')),
    sa.UniqueConstraint('assessment_id', 'number', name=op.f('uq_assessment_task_assessment_id_number'))
    )
    with op.batch_alter_table('assessment_task', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assessment_task_assessment_id'), ['assessment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_assessment_task_school_id'), ['school_id'], unique=False)

    op.create_table('task_score',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('student_id', sa.Integer(), nullable=False),
    sa.Column('points', sa.Float(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.CheckConstraint('points >= 0', name=op.f('ck_task_score_points')),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_task_score_school_id_school'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['student_id'], ['student.id'], name=op.f('fk_task_score_student_id_student'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['task_id'], ['assessment_task.id'], name=op.f('fk_task_score_task_id_assessment_task'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_task_score')),
    sa.UniqueConstraint('task_id', 'student_id', name=op.f('uq_task_score_task_id_student_id'))
    )
    with op.batch_alter_table('task_score', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_task_score_school_id'), ['school_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_task_score_student_id'), ['student_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_task_score_task_id'), ['task_id'], unique=False)

    op.create_table('control_work_analysis',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('analysis', sa.Text(), nullable=False),
    sa.Column('correction', sa.Text(), nullable=False),
    sa.Column('measure_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessment.id'], name=op.f('fk_control_work_analysis_assessment_id_assessment'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_control_work_analysis_created_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['measure_id'], ['measure.id'], name=op.f('fk_control_work_analysis_measure_id_measure'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_control_work_analysis_school_id_school'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_control_work_analysis')),
    sa.UniqueConstraint('assessment_id', name=op.f('uq_control_work_analysis_assessment_id'))
    )
    with op.batch_alter_table('control_work_analysis', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_control_work_analysis_school_id'), ['school_id'], unique=False)


def downgrade():
    with op.batch_alter_table('control_work_analysis', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_control_work_analysis_school_id'))
    op.drop_table('control_work_analysis')
    with op.batch_alter_table('task_score', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_task_score_task_id'))
        batch_op.drop_index(batch_op.f('ix_task_score_student_id'))
        batch_op.drop_index(batch_op.f('ix_task_score_school_id'))
    op.drop_table('task_score')
    with op.batch_alter_table('assessment_task', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assessment_task_school_id'))
        batch_op.drop_index(batch_op.f('ix_assessment_task_assessment_id'))
    op.drop_table('assessment_task')
    op.execute("DELETE FROM issued_document WHERE kind = 'quarter'")
    op.execute("UPDATE measure SET source = 'note' WHERE source = 'control_work'")
    with op.batch_alter_table('issued_document', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_issued_document_kind'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_issued_document_kind'), sa.text(OLD_KINDS))
    with op.batch_alter_table('measure', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_measure_source'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_measure_source'), sa.text(OLD_SOURCES))
