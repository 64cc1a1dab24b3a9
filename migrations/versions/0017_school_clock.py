"""the school's clock: a time zone per school

Revision ID: 0017_school_clock
Revises: 0016_once_tokens
Create Date: 2026-12-01 03:00:00

school.timezone is the IANA zone of the school's wall clock (campaign windows, due dates,
overdue lists and every time shown are read in it); existing schools get Asia/Bishkek.
Datetime columns keep their type (timestamp with time zone on PostgreSQL); the app reads
them back aware in UTC on SQLite too (app.models.base.AwareDateTime).
"""
import sqlalchemy as sa
from alembic import op


revision = '0017_school_clock'
down_revision = '0016_once_tokens'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('school', schema=None) as batch_op:
        batch_op.add_column(sa.Column('timezone', sa.String(length=64), nullable=False,
                                      server_default='Asia/Bishkek'))


def downgrade():
    with op.batch_alter_table('school', schema=None) as batch_op:
        batch_op.drop_column('timezone')
