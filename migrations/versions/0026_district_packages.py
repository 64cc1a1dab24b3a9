"""district packages: schools of other installations, their signed packages, imported averages

Revision ID: 0026_district_packages
Revises: 0025_districts
Create Date: 2026-12-01 11:00:00

`district_remote_school` keeps the schools of other installations that send the district signed
packages (their Ed25519 public key); `district_package` one imported package per school and year
(its digest, its indicators and survey indices as sent), `district_package_result` the package's
term-mark counts by term, class and subject; `district_average` the regional and national
averages the district imported.
"""
from alembic import op
import sqlalchemy as sa


revision = '0026_district_packages'
down_revision = "0025_districts"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('district_remote_school',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('district_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('name_ru', sa.String(length=200), nullable=True),
    sa.Column('public_key', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['district_id'], ['district.id'], name=op.f('fk_district_remote_school_district_id_district'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_district_remote_school')),
    sa.UniqueConstraint('district_id', 'code', name=op.f('uq_district_remote_school_district_id_code'))
    )
    with op.batch_alter_table('district_remote_school', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_district_remote_school_district_id'), ['district_id'], unique=False)
    op.create_table('district_package',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('remote_school_id', sa.Integer(), nullable=False),
    sa.Column('year_name', sa.String(length=40), nullable=False),
    sa.Column('made_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('imported_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['imported_by_id'], ['user.id'], name=op.f('fk_district_package_imported_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['remote_school_id'], ['district_remote_school.id'], name=op.f('fk_district_package_remote_school_id_district_remote_school'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_district_package')),
    sa.UniqueConstraint('remote_school_id', 'year_name', name=op.f('uq_district_package_remote_school_id_year_name'))
    )
    with op.batch_alter_table('district_package', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_district_package_remote_school_id'), ['remote_school_id'], unique=False)
    op.create_table('district_package_result',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('package_id', sa.Integer(), nullable=False),
    sa.Column('term_kind', sa.String(length=20), nullable=False),
    sa.Column('term_number', sa.Integer(), nullable=False),
    sa.Column('grade', sa.Integer(), nullable=False),
    sa.Column('class_letter', sa.String(length=20), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.Column('n5', sa.Integer(), nullable=False),
    sa.Column('n4', sa.Integer(), nullable=False),
    sa.Column('n3', sa.Integer(), nullable=False),
    sa.Column('n2', sa.Integer(), nullable=False),
    sa.Column('n1', sa.Integer(), nullable=False),
    sa.Column('absent', sa.Integer(), nullable=False),
    sa.CheckConstraint('n = n5 + n4 + n3 + n2 + n1', name=op.f('ck_district_package_result_n')),
    sa.ForeignKeyConstraint(['package_id'], ['district_package.id'], name=op.f('fk_district_package_result_package_id_district_package'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_district_package_result'))
    )
    with op.batch_alter_table('district_package_result', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_district_package_result_package_id'), ['package_id'], unique=False)
    op.create_table('district_average',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('district_id', sa.Integer(), nullable=False),
    sa.Column('year_name', sa.String(length=40), nullable=False),
    sa.Column('level', sa.String(length=20), nullable=False),
    sa.Column('measure', sa.String(length=20), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('grade', sa.Integer(), nullable=True),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('n', sa.Integer(), nullable=True),
    sa.Column('source', sa.Text(), nullable=True),
    sa.CheckConstraint("level IN ('region', 'country')", name=op.f('ck_district_average_level')),
    sa.CheckConstraint("measure IN ('pass_rate', 'quality', 'sou', 'mean', 'ort')", name=op.f('ck_district_average_measure')),
    sa.ForeignKeyConstraint(['district_id'], ['district.id'], name=op.f('fk_district_average_district_id_district'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_district_average'))
    )
    with op.batch_alter_table('district_average', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_district_average_district_id'), ['district_id'], unique=False)


def downgrade():
    op.drop_table('district_average')
    op.drop_table('district_package_result')
    op.drop_table('district_package')
    op.drop_table('district_remote_school')
