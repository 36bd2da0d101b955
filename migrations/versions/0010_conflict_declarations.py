"""assignments.conflict_declared_at: "none" is a declaration, distinct from not having declared

A reviewer must declare any conflict of interest for each article before signing. Until now an
empty declaration and no declaration looked the same. Assignments whose acceptance is on the
audit trail (review.accepted) declared at that moment; the rest have not declared.

Revision ID: 0010
Revises: 0009

"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('assignments', sa.Column('conflict_declared_at', sa.DateTime(timezone=True), nullable=True))
    op.execute(
        "UPDATE assignments SET conflict_declared_at = accepted_at WHERE accepted_at IS NOT NULL AND EXISTS ("
        " SELECT 1 FROM audit_events e WHERE e.action = 'review.accepted' AND e.object_type = 'assignment'"
        " AND e.object_id = CAST(assignments.id AS VARCHAR(64)))"
    )


def downgrade():
    with op.batch_alter_table('assignments') as batch:
        batch.drop_column('conflict_declared_at')
