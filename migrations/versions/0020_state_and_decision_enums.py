"""articles.state and assignments.decision hold only their enum's values

The columns stay VARCHAR(32) with the same strings (the models map them to workflow.State and
workflow.Decision); a CHECK constraint now refuses any other value. SQLite adds a constraint by
copying the table, which drops the table's triggers: the live pointer's guard is created again.
Rows holding another value would make the upgrade fail; the app never writes one.

Revision ID: 0020
Revises: 0019

"""
from alembic import op

from editorial.audit.history_guard import drop_live_pointer_guard, live_pointer_guard


revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None

# The values as this revision knows them, not imported: a later member needs a migration of its own.
_CHECKS = {
    ('articles', 'state'): ('draft', 'in_review', 'changes_requested', 'approved', 'published', 'archived'),
    ('assignments', 'decision'): ('approved', 'changes_requested'),
}


def _copying_articles(change):
    """Run change(table, column, values) for each column, keeping the live pointer's guard in place."""
    dialect = op.get_bind().dialect.name
    if dialect == 'sqlite':
        for statement in drop_live_pointer_guard(dialect):
            op.execute(statement)
    for (table, column), values in _CHECKS.items():
        change(table, column, values)
    if dialect == 'sqlite':
        for statement in live_pointer_guard(dialect):
            op.execute(statement)


def _add_check(table, column, values):
    allowed = ", ".join(f"'{value}'" for value in values)
    with op.batch_alter_table(table) as batch:
        batch.create_check_constraint(op.f(f'ck_{table}_{column}'), f"{column} IN ({allowed})")


def _drop_check(table, column, _values):
    with op.batch_alter_table(table) as batch:
        batch.drop_constraint(op.f(f'ck_{table}_{column}'), type_='check')


def upgrade():
    _copying_articles(_add_check)


def downgrade():
    _copying_articles(_drop_check)
