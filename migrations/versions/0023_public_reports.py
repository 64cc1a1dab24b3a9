"""public reports: the school's public report page (a stable random address) and which issued
version of the public report it shows, published or withdrawn

Revision ID: 0023_public_reports
Revises: 0022_control_work_tasks
Create Date: 2026-12-01 06:00:00

The issued versions themselves are issued_document rows (kind "report", subject
"public:<lang>"): no change to that table.
"""
from alembic import op
import sqlalchemy as sa


revision = '0023_public_reports'
down_revision = "0022_control_work_tasks"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('public_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=24), nullable=False),
    sa.Column('year_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('changed_by_id', sa.Integer(), nullable=True),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.CheckConstraint("status IN ('published', 'withdrawn')", name=op.f('ck_public_report_status')),
    sa.ForeignKeyConstraint(['changed_by_id'], ['user.id'], name=op.f('fk_public_report_changed_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_public_report_school_id_school'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['year_id'], ['academic_year.id'], name=op.f('fk_public_report_year_id_academic_year'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_public_report')),
    sa.UniqueConstraint('school_id', name=op.f('uq_public_report_school_id')),
    sa.UniqueConstraint('slug', name=op.f('uq_public_report_slug'))
    )
    with op.batch_alter_table('public_report', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_public_report_school_id'), ['school_id'], unique=False)


def downgrade():
    with op.batch_alter_table('public_report', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_public_report_school_id'))
    op.drop_table('public_report')
