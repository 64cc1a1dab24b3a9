"""student diagnostics: diagnostics the students fill in themselves with personal codes

Revision ID: 0028_student_diagnostics
Revises: 0027_api_tokens
Create Date: 2026-12-01 10:56:21

school.student_diagnostics is the school's rule (off by default: the director switches it on);
diagnostic.respondent says who filled a record in (staff or the student); diagnostic_round is a
student-filled diagnostic started for a class, diagnostic_code its students' single-use codes
(salted hashes only). Downgrading drops the rounds and their codes; the records the students
filled in stay, as records without a named filler.
"""
import sqlalchemy as sa
from alembic import op

revision = '0028_student_diagnostics'
down_revision = "0027_api_tokens"
branch_labels = None
depends_on = None

RESPONDENTS = "respondent IN ('staff', 'student')"


def upgrade():
    op.create_table('diagnostic_round',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('instrument_id', sa.Integer(), nullable=False),
    sa.Column('instrument_key', sa.String(length=60), nullable=False),
    sa.Column('class_id', sa.Integer(), nullable=False),
    sa.Column('year_id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=16), nullable=False),
    sa.Column('code_salt', sa.String(length=32), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('started_by_id', sa.Integer(), nullable=True),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('open', 'closed')", name=op.f('ck_diagnostic_round_status')),
    sa.ForeignKeyConstraint(['class_id'], ['class_group.id'], name=op.f('fk_diagnostic_round_class_id_class_group'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['instrument_id'], ['instrument.id'], name=op.f('fk_diagnostic_round_instrument_id_instrument')),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_diagnostic_round_school_id_school'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['started_by_id'], ['user.id'], name=op.f('fk_diagnostic_round_started_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['year_id'], ['academic_year.id'], name=op.f('fk_diagnostic_round_year_id_academic_year'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_diagnostic_round')),
    sa.UniqueConstraint('slug', name=op.f('uq_diagnostic_round_slug'))
    )
    with op.batch_alter_table('diagnostic_round', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_diagnostic_round_class_id'), ['class_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_diagnostic_round_instrument_id'), ['instrument_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_diagnostic_round_school_id'), ['school_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_diagnostic_round_year_id'), ['year_id'], unique=False)

    op.create_table('diagnostic_code',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('student_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('used', sa.Boolean(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['diagnostic_round.id'], name=op.f('fk_diagnostic_code_round_id_diagnostic_round'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_diagnostic_code_school_id_school'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['student_id'], ['student.id'], name=op.f('fk_diagnostic_code_student_id_student'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_diagnostic_code')),
    sa.UniqueConstraint('round_id', 'code_hash', name=op.f('uq_diagnostic_code_round_id_code_hash')),
    sa.UniqueConstraint('round_id', 'student_id', name=op.f('uq_diagnostic_code_round_id_student_id'))
    )
    with op.batch_alter_table('diagnostic_code', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_diagnostic_code_round_id'), ['round_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_diagnostic_code_school_id'), ['school_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_diagnostic_code_student_id'), ['student_id'], unique=False)

    with op.batch_alter_table('diagnostic', schema=None) as batch_op:
        batch_op.add_column(sa.Column('respondent', sa.String(length=10), server_default='staff', nullable=False))
        batch_op.create_check_constraint(batch_op.f('ck_diagnostic_respondent'), sa.text(RESPONDENTS))

    with op.batch_alter_table('school', schema=None) as batch_op:
        batch_op.add_column(sa.Column('student_diagnostics', sa.Boolean(), server_default=sa.false(), nullable=False))



def downgrade():
    with op.batch_alter_table('school', schema=None) as batch_op:
        batch_op.drop_column('student_diagnostics')

    with op.batch_alter_table('diagnostic', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_diagnostic_respondent'), type_='check')
        batch_op.drop_column('respondent')

    with op.batch_alter_table('diagnostic_code', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_diagnostic_code_student_id'))
        batch_op.drop_index(batch_op.f('ix_diagnostic_code_school_id'))
        batch_op.drop_index(batch_op.f('ix_diagnostic_code_round_id'))

    op.drop_table('diagnostic_code')
    with op.batch_alter_table('diagnostic_round', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_diagnostic_round_year_id'))
        batch_op.drop_index(batch_op.f('ix_diagnostic_round_school_id'))
        batch_op.drop_index(batch_op.f('ix_diagnostic_round_instrument_id'))
        batch_op.drop_index(batch_op.f('ix_diagnostic_round_class_id'))

    op.drop_table('diagnostic_round')
