"""unlinkable responses: random 64-bit response ids, no sequence behind them

Revision ID: 0014_unlinkable_responses
Revises: 0013_job_queue
Create Date: 2026-12-01 03:00:00

A response's id was the next value of a sequence, so ids told the order of arrival and sat next
to the transaction that spent an access code. Ids are now random in 1 .. 2**53 - 1, given by the
application (app.models.surveys.random_response_id): on PostgreSQL response.id and
answer.response_id become BIGINT and response.id loses its sequence default. SQLite's INTEGER
key is 64-bit already: nothing changes there. Existing responses keep their ids.
"""
import sqlalchemy as sa
from alembic import op


revision = '0014_unlinkable_responses'
down_revision = '0013_job_queue'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.alter_column('response', 'id', type_=sa.BigInteger(), existing_type=sa.Integer(), server_default=None,
                    existing_nullable=False)
    op.alter_column('answer', 'response_id', type_=sa.BigInteger(), existing_type=sa.Integer(),
                    existing_nullable=False)
    op.execute("DROP SEQUENCE IF EXISTS response_id_seq")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    # Random ids above 2**31 - 1 do not fit an INTEGER: the downgrade then fails and changes nothing.
    op.alter_column('answer', 'response_id', type_=sa.Integer(), existing_type=sa.BigInteger(),
                    existing_nullable=False)
    op.alter_column('response', 'id', type_=sa.Integer(), existing_type=sa.BigInteger(), existing_nullable=False)
    op.execute("CREATE SEQUENCE IF NOT EXISTS response_id_seq OWNED BY response.id")
    op.execute("SELECT setval('response_id_seq', COALESCE((SELECT max(id) FROM response), 0) + 1, false)")
    op.execute("ALTER TABLE response ALTER COLUMN id SET DEFAULT nextval('response_id_seq')")
