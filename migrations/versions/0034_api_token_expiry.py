"""api token expiry: every token of the read API expires

Revision ID: 0034_api_token_expiry
Revises: 0033_round_codes_version
Create Date: 2026-12-02 10:00:00

api_token.expires_at (NOT NULL) is the first instant a token opens nothing; a new token's owner
chooses 30, 90 or 365 days. Tokens made before this revision get created_at + 365 days, counted
in UTC (a day is 24 hours whatever the session's time zone), then the column becomes NOT NULL.
"""
from datetime import timedelta, timezone

from alembic import op
import sqlalchemy as sa


revision = '0034_api_token_expiry'
down_revision = "0033_round_codes_version"
branch_labels = None
depends_on = None

OLD_TOKENS_LIFETIME = timedelta(days=365)


def upgrade():
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True))
    token = sa.table('api_token', sa.column('id', sa.Integer), sa.column('created_at', sa.DateTime(timezone=True)),
                     sa.column('expires_at', sa.DateTime(timezone=True)))
    connection = op.get_bind()
    rows = connection.execute(sa.select(token.c.id, token.c.created_at).where(token.c.expires_at.is_(None))).all()
    if rows:
        # SQLite keeps naive UTC values (app.models.base.AwareDateTime); PostgreSQL gives them in
        # the session's zone: turned to UTC first, so that a year is 365 × 24 hours across DST.
        values = [{"token_id": row_id, "expiry": (created if created.tzinfo is None
                                                  else created.astimezone(timezone.utc)) + OLD_TOKENS_LIFETIME}
                  for row_id, created in rows]
        connection.execute(token.update().where(token.c.id == sa.bindparam('token_id'))
                           .values(expires_at=sa.bindparam('expiry')), values)
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.alter_column('expires_at', existing_type=sa.DateTime(timezone=True), nullable=False)


def downgrade():
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.drop_column('expires_at')
