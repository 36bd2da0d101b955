"""citations.missing: what an imported record still lacks (#18)

Imports keep a record that has a title but lacks, say, its year and journal (a PMID-and-title
PubMed record) instead of dropping it; `missing` lists what to add, as a JSON list of messages,
and is NULL for a complete record. The new source types (conference papers, theses, preprints,
reports) and fields (editors, report number...) live in the `data` JSON and need no column.

Revision ID: 0017
Revises: 0015

"""
from alembic import op
import sqlalchemy as sa


revision = '0017'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('citations', sa.Column('missing', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('citations') as batch:
        batch.drop_column('missing')
