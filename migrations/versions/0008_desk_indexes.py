"""indexes for the editor desk: latest publications and most overdue reviews first

Measured at 10,000 articles (bench/README.md): without them each list sorted the whole table.

Revision ID: 0008
Revises: 0007

"""
from alembic import op


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_articles_published_at', 'articles', ['published_at'])
    op.create_index('ix_assignments_due_date', 'assignments', ['due_date'])


def downgrade():
    op.drop_index('ix_assignments_due_date', table_name='assignments')
    op.drop_index('ix_articles_published_at', table_name='articles')
