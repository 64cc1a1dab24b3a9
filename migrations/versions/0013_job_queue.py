"""the task queue of export jobs: attempts and heartbeat on export_job, files in export_chunk

Revision ID: 0013_job_queue
Revises: 0012_joint_observations
Create Date: 2026-12-01 03:00:00

A worker claims a job (attempts + 1) and beats heartbeat_at while it builds; a running job
without a heartbeat for a lease died with its worker and is queued again or failed. Finished
workbooks and the saved problems of refused imports are kept in export_chunk (pieces of at
most 1 MB), so every app node can serve them. Existing rows keep attempts 0 and their files
on disk (the download and the cleanup still read such paths).
"""
import sqlalchemy as sa
from alembic import op


revision = '0013_job_queue'
down_revision = '0012_joint_observations'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('export_chunk',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('blob', sa.String(length=80), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_export_chunk')),
    sa.UniqueConstraint('blob', 'seq', name=op.f('uq_export_chunk_blob_seq'))
    )
    with op.batch_alter_table('export_job', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attempts', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('heartbeat_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('export_job', schema=None) as batch_op:
        batch_op.drop_column('heartbeat_at')
        batch_op.drop_column('attempts')
    op.drop_table('export_chunk')
