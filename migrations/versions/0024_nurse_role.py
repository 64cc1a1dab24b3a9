"""nurse role: the school nurse fills in the health-group diagnostic

Revision ID: 0024_nurse_role
Revises: 0023_public_reports
Create Date: 2026-12-01 05:55:00

user_role.role's constraint lists the roles (app.models.people.ROLES); it gains `nurse`.
Downgrading removes the nurse roles first (a user keeps their other roles).
"""
from alembic import op
import sqlalchemy as sa


revision = '0024_nurse_role'
down_revision = "0023_public_reports"
branch_labels = None
depends_on = None

ROLES = "role IN ('admin', 'deputy', 'mo_head', 'teacher', 'class_teacher', 'psychologist', 'nurse', 'expert')"
OLD_ROLES = "role IN ('admin', 'deputy', 'mo_head', 'teacher', 'class_teacher', 'psychologist', 'expert')"


def upgrade():
    with op.batch_alter_table('user_role', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_user_role_role'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_user_role_role'), sa.text(ROLES))


def downgrade():
    op.execute("DELETE FROM user_role WHERE role = 'nurse'")
    with op.batch_alter_table('user_role', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_user_role_role'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_user_role_role'), sa.text(OLD_ROLES))
