"""figures of their own year: classrooms are recorded per academic year

Revision ID: 0018_year_figures
Revises: 0017_school_clock
Create Date: 2026-12-01 03:00:00

classroom.year_id: each academic year keeps its own state of the classrooms, so that the
comparison with last year compares two years (before, 1.93 ICT units per classroom "last
year" was this year's figure). Existing rows go to the school's current year (else its
latest); a classroom name is unique per school and year.

club_member: the students of a club, so that the coverage counts each student once (before,
the places of all clubs were added: 107.9 % of the students).

indicator_target: the target and threshold that held in an earlier year, kept when the
indicator's target changes (before, a new target rewrote every past year's status).
"""
import sqlalchemy as sa
from alembic import op


revision = '0018_year_figures'
down_revision = '0017_school_clock'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('club_member',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('club_id', sa.Integer(), nullable=False),
    sa.Column('student_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['club_id'], ['club.id'], name=op.f('fk_club_member_club_id_club'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['student_id'], ['student.id'], name=op.f('fk_club_member_student_id_student'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_club_member')),
    sa.UniqueConstraint('club_id', 'student_id', name=op.f('uq_club_member_club_id_student_id'))
    )
    with op.batch_alter_table('club_member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_club_member_club_id'), ['club_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_club_member_student_id'), ['student_id'], unique=False)
    op.create_table('indicator_target',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('indicator_id', sa.Integer(), nullable=False),
    sa.Column('year_id', sa.Integer(), nullable=False),
    sa.Column('target', sa.Float(), nullable=True),
    sa.Column('threshold', sa.Float(), nullable=True),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['indicator_id'], ['indicator.id'], name=op.f('fk_indicator_target_indicator_id_indicator'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_indicator_target_school_id_school'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['year_id'], ['academic_year.id'], name=op.f('fk_indicator_target_year_id_academic_year'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_indicator_target')),
    sa.UniqueConstraint('indicator_id', 'year_id', name=op.f('uq_indicator_target_indicator_id_year_id'))
    )
    with op.batch_alter_table('indicator_target', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_indicator_target_indicator_id'), ['indicator_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_indicator_target_school_id'), ['school_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_indicator_target_year_id'), ['year_id'], unique=False)
    with op.batch_alter_table('classroom', schema=None) as batch_op:
        batch_op.add_column(sa.Column('year_id', sa.Integer(), nullable=True))
    op.execute(
        "UPDATE classroom SET year_id = (SELECT y.id FROM academic_year y WHERE y.school_id = classroom.school_id "
        "ORDER BY y.is_current DESC, y.starts_on DESC LIMIT 1)")
    op.execute("DELETE FROM classroom WHERE year_id IS NULL")
    with op.batch_alter_table('classroom', schema=None) as batch_op:
        batch_op.alter_column('year_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_constraint('uq_classroom_school_id_name', type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_classroom_school_id_year_id_name'),
                                          ['school_id', 'year_id', 'name'])
        batch_op.create_index(batch_op.f('ix_classroom_year_id'), ['year_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_classroom_year_id_academic_year'), 'academic_year',
                                    ['year_id'], ['id'], ondelete='CASCADE')


def downgrade():
    op.drop_table('club_member')
    op.drop_table('indicator_target')
    with op.batch_alter_table('classroom', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_classroom_year_id_academic_year'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_classroom_year_id'))
        batch_op.drop_constraint(batch_op.f('uq_classroom_school_id_year_id_name'), type_='unique')
    op.execute("DELETE FROM classroom WHERE id NOT IN (SELECT MIN(id) FROM classroom GROUP BY school_id, name)")
    with op.batch_alter_table('classroom', schema=None) as batch_op:
        batch_op.create_unique_constraint('uq_classroom_school_id_name', ['school_id', 'name'])
        batch_op.drop_column('year_id')
