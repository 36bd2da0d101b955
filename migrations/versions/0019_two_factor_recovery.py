"""two-factor recovery: one-time recovery codes, and TOTP secrets encrypted at rest

Adds recovery_codes (hashes only), widens users.totp_secret and totp_pending_secret to hold a
Fernet token, and encrypts the secrets still stored in plain text with the app's key
(TOTP_ENCRYPTION_KEY or TOTP_ENCRYPTION_KEY_FILE; neither set: the key generated under instance/,
see editorial/core/secret_box.py). Run it with the key the app will run with, or the secrets it wrote
cannot be read: sign-in then refuses codes and points to recovery codes or an admin's reset.
Downgrade decrypts them back.

Revision ID: 0019
Revises: 0018

"""
from alembic import op
import sqlalchemy as sa
from flask import current_app

from editorial.core import secret_box


revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None

_SECRET_COLUMNS = ('totp_secret', 'totp_pending_secret')


def _rewrite_secrets(convert):
    """Apply convert to every stored secret it changes (it returns None to leave a value alone)."""
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT id, totp_secret, totp_pending_secret FROM users "
                                "WHERE totp_secret IS NOT NULL OR totp_pending_secret IS NOT NULL")).all()
    for row in rows:
        for column, value in zip(_SECRET_COLUMNS, row[1:]):
            new = convert(value) if value is not None else None
            if new is not None:
                conn.execute(sa.text(f"UPDATE users SET {column} = :value WHERE id = :id"), {"value": new, "id": row.id})


def upgrade():
    op.create_table(
        'recovery_codes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('code_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_recovery_codes_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_recovery_codes')),
    )
    op.create_index(op.f('ix_recovery_codes_user_id'), 'recovery_codes', ['user_id'])
    with op.batch_alter_table('users') as batch:
        for column in _SECRET_COLUMNS:
            batch.alter_column(column, existing_type=sa.String(length=64), type_=sa.String(length=255))
    app = current_app._get_current_object()
    _rewrite_secrets(lambda value: None if secret_box.is_encrypted(value) else secret_box.encrypt(value, app))


def downgrade():
    app = current_app._get_current_object()
    _rewrite_secrets(lambda value: secret_box.decrypt(value, app) if secret_box.is_encrypted(value) else None)
    with op.batch_alter_table('users') as batch:
        for column in _SECRET_COLUMNS:
            batch.alter_column(column, existing_type=sa.String(length=255), type_=sa.String(length=64))
    op.drop_index(op.f('ix_recovery_codes_user_id'), table_name='recovery_codes')
    op.drop_table('recovery_codes')
