"""audit_checkpoints: signed statements of the chain head (append-only)

Revision ID: 0012
Revises: 0011

"""
from alembic import op
import sqlalchemy as sa

from editorial.audit.history_guard import create_append_only_triggers, drop_append_only_triggers


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'audit_checkpoints',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('event_hash', sa.String(length=64), nullable=False),
        sa.Column('event_count', sa.Integer(), nullable=False),
        sa.Column('reason', sa.String(length=32), nullable=False),
        sa.Column('key_id', sa.String(length=64), nullable=False),
        sa.Column('signature', sa.String(length=128), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_checkpoints')),
    )
    op.create_index(op.f('ix_audit_checkpoints_event_id'), 'audit_checkpoints', ['event_id'])
    create_append_only_triggers('audit_checkpoints')


def downgrade():
    drop_append_only_triggers('audit_checkpoints')
    op.drop_index(op.f('ix_audit_checkpoints_event_id'), table_name='audit_checkpoints')
    op.drop_table('audit_checkpoints')
