"""users.time_zone: the IANA zone a user reads times in (times are still stored in UTC)

Revision ID: 0014
Revises: 0013

"""
from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users') as batch:
        batch.add_column(sa.Column('time_zone', sa.String(length=64), nullable=False, server_default='UTC'))


def downgrade():
    with op.batch_alter_table('users') as batch:
        batch.drop_column('time_zone')
