"""districts: a district (education department) above its schools, its staff and its rating

Revision ID: 0025_districts
Revises: 0024_nurse_role
Create Date: 2026-12-01 06:00:00

`district` holds schools (school.district_id, empty for a school of no district). A district's
staff belong to the district, not to a school: user.school_id may be empty when user.district_id
is set, never both and never neither (ck_user_one_home); user_role's constraint lists the roles
district_admin and district_specialist. `district_rating_weight` keeps the indicators and
weights of the district's rating of its schools.
"""
from alembic import op
import sqlalchemy as sa


revision = '0025_districts'
down_revision = "0024_nurse_role"
branch_labels = None
depends_on = None

SCHOOL_ROLES = "'admin', 'deputy', 'mo_head', 'teacher', 'class_teacher', 'psychologist', 'nurse', 'expert'"
ROLES = f"role IN ({SCHOOL_ROLES}, 'district_admin', 'district_specialist')"
OLD_ROLES = f"role IN ({SCHOOL_ROLES})"


def upgrade():
    op.create_table('district',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('name_ru', sa.String(length=200), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_district')),
    sa.UniqueConstraint('code', name=op.f('uq_district_code'))
    )
    op.create_table('district_rating_weight',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('district_id', sa.Integer(), nullable=False),
    sa.Column('indicator_key', sa.String(length=60), nullable=False),
    sa.Column('weight', sa.Float(), nullable=False),
    sa.CheckConstraint('weight > 0', name=op.f('ck_district_rating_weight_weight')),
    sa.ForeignKeyConstraint(['district_id'], ['district.id'], name=op.f('fk_district_rating_weight_district_id_district'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_district_rating_weight')),
    sa.UniqueConstraint('district_id', 'indicator_key', name=op.f('uq_district_rating_weight_district_id_indicator_key'))
    )
    with op.batch_alter_table('district_rating_weight', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_district_rating_weight_district_id'), ['district_id'], unique=False)
    with op.batch_alter_table('school', schema=None) as batch_op:
        batch_op.add_column(sa.Column('district_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_school_district_id'), ['district_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_school_district_id_district'), 'district', ['district_id'], ['id'],
                                    ondelete='SET NULL')
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('district_id', sa.Integer(), nullable=True))
        batch_op.alter_column('school_id', existing_type=sa.Integer(), nullable=True)
        batch_op.create_index(batch_op.f('ix_user_district_id'), ['district_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_user_district_id_district'), 'district', ['district_id'], ['id'],
                                    ondelete='CASCADE')
        batch_op.create_check_constraint(batch_op.f('ck_user_one_home'),
                                         sa.text('(school_id IS NULL) <> (district_id IS NULL)'))
    with op.batch_alter_table('user_role', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_user_role_role'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_user_role_role'), sa.text(ROLES))


def downgrade():
    # District accounts have no school: they go, with their roles, sessions' tokens and audit authorship.
    district_users = 'SELECT id FROM "user" WHERE school_id IS NULL'
    op.execute(f"DELETE FROM user_role WHERE user_id IN ({district_users})")
    op.execute(f"DELETE FROM spent_token WHERE user_id IN ({district_users})")
    op.execute(f"UPDATE audit_log SET user_id = NULL WHERE user_id IN ({district_users})")
    op.execute('DELETE FROM "user" WHERE school_id IS NULL')
    with op.batch_alter_table('user_role', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_user_role_role'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_user_role_role'), sa.text(OLD_ROLES))
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_user_one_home'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_user_district_id_district'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_user_district_id'))
        batch_op.alter_column('school_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('district_id')
    with op.batch_alter_table('school', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_school_district_id_district'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_school_district_id'))
        batch_op.drop_column('district_id')
    with op.batch_alter_table('district_rating_weight', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_district_rating_weight_district_id'))
    op.drop_table('district_rating_weight')
    op.drop_table('district')
