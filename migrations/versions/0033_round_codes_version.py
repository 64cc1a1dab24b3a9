"""round codes version: a student round counts the batches of codes issued for it

Revision ID: 0033_round_codes_version
Revises: 0032_data_stamps
Create Date: 2026-12-02 09:00:00

diagnostic_round.codes_version (0 for a round without codes) grows by one with every batch of
codes issued. The issue form carries the number its page saw: a POST from a stale page or a
second tab no longer replaces (voids) the slips printed meanwhile. Existing rounds start at 0.
"""
import sqlalchemy as sa
from alembic import op

revision = '0033_round_codes_version'
down_revision = "0032_data_stamps"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('diagnostic_round', schema=None) as batch_op:
        batch_op.add_column(sa.Column('codes_version', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('diagnostic_round', schema=None) as batch_op:
        batch_op.drop_column('codes_version')
