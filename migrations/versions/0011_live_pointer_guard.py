"""articles.live_revision_id moves only with a matching publish event

`UPDATE articles SET live_revision_id = current_revision_id` needed no trigger to put an unreviewed
draft in front of readers. A trigger now accepts a new live revision only when the newest audit event
is the publication of exactly that revision of that article (editorial/audit/history_guard.py).

Revision ID: 0011
Revises: 0010

"""
from alembic import op

from editorial.audit.history_guard import drop_live_pointer_guard, live_pointer_guard


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    for statement in live_pointer_guard(op.get_bind().dialect.name):
        op.execute(statement)


def downgrade():
    for statement in drop_live_pointer_guard(op.get_bind().dialect.name):
        op.execute(statement)
