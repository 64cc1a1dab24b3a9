"""once-only writes: the spent tokens of forms already sent

Revision ID: 0016_once_tokens
Revises: 0015_measures
Create Date: 2026-12-01 03:00:00

spent_token holds the once-only token of every state-changing form already sent (app/web/once.py),
so that a refresh, a double click or Back and send again changes nothing a second time. Rows
live as long as a token (two days) and are deleted as new ones are spent.
"""
import sqlalchemy as sa
from alembic import op


revision = '0016_once_tokens'
down_revision = '0015_measures'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('spent_token',
    sa.Column('token', sa.String(length=32), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('spent_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_spent_token_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('token', name=op.f('pk_spent_token'))
    )
    with op.batch_alter_table('spent_token', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_spent_token_spent_at'), ['spent_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_spent_token_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('spent_token', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_spent_token_user_id'))
        batch_op.drop_index(batch_op.f('ix_spent_token_spent_at'))
    op.drop_table('spent_token')
