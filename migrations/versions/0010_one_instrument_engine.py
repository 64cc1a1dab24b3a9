"""one instrument engine: observation scores take every item type and "not applicable"

Revision ID: 0010_one_instrument_engine
Revises: 0009_covering_indexes
Create Date: 2026-11-24 10:00:00

observation_score.item_kind was limited to the four item types the observations' own model
knew (criterion, yes_no, number, text); protocols now use the instrument language's item types,
so the constraint lists all of them (surveys/kinds.py OBSERVATION.item_types(), written out here
as they are at this revision). A criterion with `allow_na` may be answered "not applicable":
`not_applicable` is true and the score is null, which the new constraint
ck_observation_score_not_applicable keeps. Existing rows are false: nothing else changes.
"""
from alembic import op
import sqlalchemy as sa


revision = '0010_one_instrument_engine'
down_revision = '0009_covering_indexes'
branch_labels = None
depends_on = None

ITEM_KINDS = "item_kind IN ('single', 'multi', 'yes_no', 'likert', 'matrix', 'criterion', 'number', 'text')"
OLD_ITEM_KINDS = "item_kind IN ('criterion', 'yes_no', 'number', 'text')"


def upgrade():
    with op.batch_alter_table('observation_score', schema=None) as batch_op:
        batch_op.add_column(sa.Column('not_applicable', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.drop_constraint(batch_op.f('ck_observation_score_item_kind'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_observation_score_item_kind'), sa.text(ITEM_KINDS))
        batch_op.create_check_constraint(batch_op.f('ck_observation_score_not_applicable'),
                                         sa.text('NOT not_applicable OR score IS NULL'))


def downgrade():
    # A "not applicable" answer becomes a criterion not scored; other item types have no row.
    op.execute("DELETE FROM observation_score WHERE item_kind NOT IN ('criterion', 'yes_no', 'number', 'text')")
    with op.batch_alter_table('observation_score', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_observation_score_not_applicable'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_observation_score_item_kind'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_observation_score_item_kind'), sa.text(OLD_ITEM_KINDS))
        batch_op.drop_column('not_applicable')
