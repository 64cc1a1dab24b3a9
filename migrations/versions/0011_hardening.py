"""security hardening: a login throttle table and the expert's own account on expert scores

Revision ID: 0011_hardening
Revises: 0010_one_instrument_engine
Create Date: 2026-12-01 10:00:00

login_throttle counts failed logins per key (HMAC of email + address, of the email alone, or of
a trusted device) with one atomic UPDATE per attempt, shared by every worker; it replaces
user.failed_logins / user.locked_until, which locked the owner out and were counted per
read-modify-write. expert_score.expert_user_id holds the account of an expert who uploaded
their own sheet (their identity comes from the login, not from cell B2); existing rows keep
NULL, i.e. the name in B2 remains their identity.
"""
import sqlalchemy as sa
from alembic import op


revision = '0011_hardening'
down_revision = '0010_one_instrument_engine'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('login_throttle',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('blocked_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_login_throttle'))
    )
    with op.batch_alter_table('login_throttle', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_throttle_blocked_until'), ['blocked_until'], unique=False)
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('failed_logins')
        batch_op.drop_column('locked_until')
    with op.batch_alter_table('expert_score', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expert_user_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_expert_score_expert_user_id'), ['expert_user_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_expert_score_expert_user_id_user'), 'user', ['expert_user_id'],
                                    ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('expert_score', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_expert_score_expert_user_id_user'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_expert_score_expert_user_id'))
        batch_op.drop_column('expert_user_id')
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('failed_logins', sa.Integer(), nullable=False, server_default='0'))
    with op.batch_alter_table('login_throttle', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_throttle_blocked_until'))
    op.drop_table('login_throttle')
