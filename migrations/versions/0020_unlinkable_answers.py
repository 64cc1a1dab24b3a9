"""unlinkable answers: random 64-bit answer ids, existing ones shuffled

Revision ID: 0020_unlinkable_answers
Revises: 0019_diagnostics
Create Date: 2026-12-01 06:10:00

Response ids are random since 0014, but an answer's id was the next value of a sequence: the
smallest answer id of each response told the order in which responses arrived (which a
teacher who saw one parent send at a meeting could use, and which the shuffled exports hide).
Answer ids are now random in 1 .. 2**53 - 1, given by the application
(app.models.surveys.random_response_id): on PostgreSQL answer.id becomes BIGINT and loses its
sequence. Existing answers are renumbered 1..n in a random order, on both databases.
"""
import sqlalchemy as sa
from alembic import op


revision = '0020_unlinkable_answers'
down_revision = '0019_diagnostics'
branch_labels = None
depends_on = None


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.alter_column('answer', 'id', type_=sa.BigInteger(), existing_type=sa.Integer(), server_default=None,
                        existing_nullable=False)
        op.execute("DROP SEQUENCE IF EXISTS answer_id_seq")
    # No answer keeps the id it had: a random permutation of 1..n (negative ids on the way).
    op.execute("CREATE TEMPORARY TABLE answer_shuffle AS "
               "SELECT id AS old_id, ROW_NUMBER() OVER (ORDER BY RANDOM()) AS new_id FROM answer")
    op.execute("CREATE INDEX ix_answer_shuffle_old ON answer_shuffle (old_id)")
    op.execute("UPDATE answer SET id = -id")
    op.execute("UPDATE answer SET id = (SELECT new_id FROM answer_shuffle WHERE old_id = -answer.id)")
    op.execute("DROP TABLE answer_shuffle")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    # Random ids above 2**31 - 1 do not fit an INTEGER: the downgrade then fails and changes nothing.
    op.alter_column('answer', 'id', type_=sa.Integer(), existing_type=sa.BigInteger(), existing_nullable=False)
    op.execute("CREATE SEQUENCE IF NOT EXISTS answer_id_seq OWNED BY answer.id")
    op.execute("SELECT setval('answer_id_seq', COALESCE((SELECT max(id) FROM answer), 0) + 1, false)")
    op.execute("ALTER TABLE answer ALTER COLUMN id SET DEFAULT nextval('answer_id_seq')")
