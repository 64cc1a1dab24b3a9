"""support plans: the school's early-warning rules and individual support plans for flagged
students (steps with dates and responsible people, contacts with parents, the outcome)

Revision ID: 0021_support_plans
Revises: 0020_unlinkable_answers
Create Date: 2026-12-01 05:48:02

New tables only: an empty and a populated database upgrade alike.
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0021_support_plans'
down_revision = "0020_unlinkable_answers"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('warning_rule',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('low_marks', sa.SmallInteger(), nullable=True),
    sa.Column('mean_below', sa.Float(), nullable=True),
    sa.Column('last_n', sa.SmallInteger(), nullable=False),
    sa.Column('drop_by', sa.Float(), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.CheckConstraint('last_n >= 1', name=op.f('ck_warning_rule_last_n')),
    sa.CheckConstraint('low_marks IS NULL OR low_marks >= 1', name=op.f('ck_warning_rule_low_marks')),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_warning_rule_school_id_school'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user.id'], name=op.f('fk_warning_rule_updated_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_warning_rule')),
    sa.UniqueConstraint('school_id', name=op.f('uq_warning_rule_school_id'))
    )
    with op.batch_alter_table('warning_rule', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_warning_rule_school_id'), ['school_id'], unique=False)

    op.create_table('support_plan',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('student_id', sa.Integer(), nullable=False),
    sa.Column('term_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('reasons', sa.Text(), nullable=True),
    sa.Column('outcome', sa.Text(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('open', 'closed', 'cancelled')", name=op.f('ck_support_plan_status')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_support_plan_created_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_support_plan_school_id_school'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['student_id'], ['student.id'], name=op.f('fk_support_plan_student_id_student'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['term_id'], ['term.id'], name=op.f('fk_support_plan_term_id_term'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_support_plan')),
    sa.UniqueConstraint('student_id', 'term_id', name=op.f('uq_support_plan_student_id_term_id'))
    )
    with op.batch_alter_table('support_plan', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_support_plan_school_id'), ['school_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_support_plan_student_id'), ['student_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_support_plan_term_id'), ['term_id'], unique=False)

    op.create_table('parent_contact',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('form', sa.String(length=10), nullable=False),
    sa.Column('outcome', sa.Text(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.CheckConstraint("form IN ('meeting', 'phone', 'message', 'visit')", name=op.f('ck_parent_contact_form')),
    sa.ForeignKeyConstraint(['plan_id'], ['support_plan.id'], name=op.f('fk_parent_contact_plan_id_support_plan'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user.id'], name=op.f('fk_parent_contact_recorded_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_parent_contact_school_id_school'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_parent_contact'))
    )
    with op.batch_alter_table('parent_contact', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_parent_contact_plan_id'), ['plan_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_parent_contact_school_id'), ['school_id'], unique=False)

    op.create_table('support_step',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('what', sa.Text(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('responsible_id', sa.Integer(), nullable=True),
    sa.Column('done_on', sa.Date(), nullable=True),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['support_plan.id'], name=op.f('fk_support_step_plan_id_support_plan'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['responsible_id'], ['user.id'], name=op.f('fk_support_step_responsible_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_support_step_school_id_school'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_support_step'))
    )
    with op.batch_alter_table('support_step', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_support_step_plan_id'), ['plan_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_support_step_school_id'), ['school_id'], unique=False)



def downgrade():
    with op.batch_alter_table('support_step', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_support_step_school_id'))
        batch_op.drop_index(batch_op.f('ix_support_step_plan_id'))

    op.drop_table('support_step')
    with op.batch_alter_table('parent_contact', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_parent_contact_school_id'))
        batch_op.drop_index(batch_op.f('ix_parent_contact_plan_id'))

    op.drop_table('parent_contact')
    with op.batch_alter_table('support_plan', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_support_plan_term_id'))
        batch_op.drop_index(batch_op.f('ix_support_plan_student_id'))
        batch_op.drop_index(batch_op.f('ix_support_plan_school_id'))

    op.drop_table('support_plan')
    with op.batch_alter_table('warning_rule', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_warning_rule_school_id'))

    op.drop_table('warning_rule')
