"""revisions.topic: the topic is content, reviewed and published with the text

Readers see an article's topic (the topic index, the page, its JSON-LD), so it is now part of each
immutable revision instead of a field of the article that its author could change on a live page.
Existing revisions take their article's topic; the append-only guard is lifted for that one UPDATE.

Revision ID: 0013
Revises: 0012

"""
from alembic import op
import sqlalchemy as sa

from editorial.audit.history_guard import create_append_only_triggers, drop_append_only_triggers


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('revisions', sa.Column('topic', sa.String(length=120), nullable=False, server_default=''))
    drop_append_only_triggers('revisions')
    op.execute("UPDATE revisions SET topic = (SELECT topic FROM articles WHERE articles.id = revisions.article_id)")
    create_append_only_triggers('revisions')


def downgrade():
    drop_append_only_triggers('revisions')
    with op.batch_alter_table('revisions') as batch:
        batch.drop_column('topic')
    create_append_only_triggers('revisions')
