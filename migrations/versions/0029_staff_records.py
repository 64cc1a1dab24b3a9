"""staff records: teachers' qualification, attestation and employment; the programme documents

Revision ID: 0029_staff_records
Revises: 0028_student_diagnostics
Create Date: 2026-12-01 11:00:00

`staff_record`: one per teacher (user), with the qualification category, education, the year
pedagogical work began, the last and next attestation and the dates hired and left.
`programme_document`: the school's development and education programmes, work programmes and
curricula with the date approved and who approved them (000 §2.5, §2.7).
"""
from alembic import op
import sqlalchemy as sa


revision = '0029_staff_records'
down_revision = "0028_student_diagnostics"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('staff_record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=10), nullable=False),
    sa.Column('education', sa.String(length=24), nullable=False),
    sa.Column('teaching_since', sa.Integer(), nullable=True),
    sa.Column('last_attestation_on', sa.Date(), nullable=True),
    sa.Column('next_attestation_on', sa.Date(), nullable=True),
    sa.Column('hired_on', sa.Date(), nullable=True),
    sa.Column('left_on', sa.Date(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.CheckConstraint("category IN ('none', 'second', 'first', 'highest')", name=op.f('ck_staff_record_category')),
    sa.CheckConstraint("education IN ('higher_pedagogical', 'higher_other', 'vocational_pedagogical', "
                       "'vocational_other', 'secondary')", name=op.f('ck_staff_record_education')),
    sa.CheckConstraint('teaching_since BETWEEN 1940 AND 2100', name=op.f('ck_staff_record_teaching_since')),
    sa.CheckConstraint('left_on IS NULL OR hired_on IS NULL OR left_on >= hired_on',
                       name=op.f('ck_staff_record_left_after_hired')),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_staff_record_school_id_school'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_staff_record_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_record')),
    sa.UniqueConstraint('user_id', name=op.f('uq_staff_record_user_id'))
    )
    with op.batch_alter_table('staff_record', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_record_school_id'), ['school_id'], unique=False)

    op.create_table('programme_document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=True),
    sa.Column('grade', sa.Integer(), nullable=True),
    sa.Column('approved_on', sa.Date(), nullable=False),
    sa.Column('approved_by', sa.String(length=200), nullable=False),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.CheckConstraint("kind IN ('development', 'education', 'work', 'curriculum')", name=op.f('ck_programme_document_kind')),
    sa.CheckConstraint('grade IS NULL OR grade BETWEEN 1 AND 11', name=op.f('ck_programme_document_grade')),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_programme_document_school_id_school'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['subject_id'], ['subject.id'], name=op.f('fk_programme_document_subject_id_subject'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programme_document'))
    )
    with op.batch_alter_table('programme_document', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_programme_document_school_id'), ['school_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_programme_document_subject_id'), ['subject_id'], unique=False)


def downgrade():
    with op.batch_alter_table('programme_document', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_programme_document_subject_id'))
        batch_op.drop_index(batch_op.f('ix_programme_document_school_id'))

    op.drop_table('programme_document')
    with op.batch_alter_table('staff_record', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_record_school_id'))

    op.drop_table('staff_record')
