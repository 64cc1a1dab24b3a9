"""one-page surveys: responses are stored complete, so no resume token or page pointer

Revision ID: 0008_one_page_surveys
Revises: 0007_exports
Create Date: 2026-11-23 14:40:00

Drafts of the old page-by-page flow stay as status 'draft' rows; results never counted them.
"""
from alembic import op
import sqlalchemy as sa


revision = '0008_one_page_surveys'
down_revision = '0007_exports'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('response', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_response_resume_hash'), type_='unique')
        batch_op.drop_column('resume_hash')
        batch_op.drop_column('next_section')


def downgrade():
    with op.batch_alter_table('response', schema=None) as batch_op:
        batch_op.add_column(sa.Column('next_section', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('resume_hash', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_response_resume_hash'), ['resume_hash'])
