"""drop article_slugs: the slug history nothing ever wrote

Slugs are set once, from the first title, and nothing in the product changes them, so the table
that kept former slugs for redirects was only ever filled by tests. It was no audit record either
(a row was deleted when an article moved back to a former slug). Downgrade re-creates it empty.

Revision ID: 0022
Revises: 0019

"""
from alembic import op
import sqlalchemy as sa


revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('article_slugs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_article_slugs_article_id'))
    op.drop_table('article_slugs')


def downgrade():
    op.create_table('article_slugs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['articles.id'], name=op.f('fk_article_slugs_article_id_articles')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_article_slugs')),
    sa.UniqueConstraint('slug', name=op.f('uq_article_slugs_slug'))
    )
    with op.batch_alter_table('article_slugs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_article_slugs_article_id'), ['article_id'], unique=False)
