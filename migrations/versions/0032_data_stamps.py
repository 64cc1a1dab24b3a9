"""data stamps: a token per school renewed by every committed write of its rows

Revision ID: 0032_data_stamps
Revises: 0031_mo_level
Create Date: 2026-12-01 18:10:00

school.data_stamp lets the indicators' values be kept between views until the school's data
changes (app/services/core/data_stamps.py). Existing schools get a random token each.
"""
import secrets

from alembic import op
import sqlalchemy as sa


revision = '0032_data_stamps'
down_revision = "0031_mo_level"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('school', schema=None) as batch_op:
        batch_op.add_column(sa.Column('data_stamp', sa.String(length=32), nullable=True))
    school = sa.table('school', sa.column('id', sa.Integer), sa.column('data_stamp', sa.String))
    connection = op.get_bind()
    for (school_id,) in connection.execute(sa.select(school.c.id)).all():
        connection.execute(school.update().where(school.c.id == school_id).values(data_stamp=secrets.token_hex(16)))


def downgrade():
    with op.batch_alter_table('school', schema=None) as batch_op:
        batch_op.drop_column('data_stamp')
