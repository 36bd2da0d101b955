"""comments.quote_prefix, comments.quote_suffix: a text-quote selector with each quoted passage

The text just before and after a quoted passage, as the browser saw it, finds the passage again in
the revision it was written on and in later ones (editorial.reviews.annotations). Existing quotes keep
none: they are matched by their exact text alone.

Revision ID: 0015
Revises: 0014

"""
from alembic import op
import sqlalchemy as sa


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('comments') as batch:
        batch.add_column(sa.Column('quote_prefix', sa.String(length=64), nullable=True))
        batch.add_column(sa.Column('quote_suffix', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('comments') as batch:
        batch.drop_column('quote_suffix')
        batch.drop_column('quote_prefix')
