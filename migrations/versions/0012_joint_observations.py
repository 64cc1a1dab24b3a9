"""joint observations: an observation may name the observation whose lesson it observed too

Revision ID: 0012_joint_observations
Revises: 0011_hardening
Create Date: 2026-12-01 03:00:00

observation.joint_with_id: set when an observer joins a colleague's observation ("I observed
this lesson too"); the two then count as one lesson (the observers' mean per criterion) even if
their headers differ, and their scores give the observers' agreement. Without it, observations
of the same teacher, class, subject, kind and date by different observers are joint as well
(app/services/observations/joint.py). Existing rows keep NULL.
"""
import sqlalchemy as sa
from alembic import op


revision = '0012_joint_observations'
down_revision = '0011_hardening'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('observation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('joint_with_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_observation_joint_with_id'), ['joint_with_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_observation_joint_with_id_observation'), 'observation',
                                    ['joint_with_id'], ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('observation', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_observation_joint_with_id_observation'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_observation_joint_with_id'))
        batch_op.drop_column('joint_with_id')
