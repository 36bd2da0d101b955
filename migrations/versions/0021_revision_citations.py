"""revision_citations: a revision's ordered references as rows, not a JSON text column

Each revision's `citation_ids` JSON list becomes rows (revision_id, position, citation_id), so
"which live articles cite this source" is a join on an index instead of reading every live
revision. The list is copied exactly (json.loads, as the app read it), so every content hash
recomputed from the rows is the one stored. The new rows are part of the immutable revision:
append-only triggers guard them as they guard revisions (and `db-roles` grants them as history).
Dropping the column rewrites no row, so the revisions' own triggers stay; the downgrade lifts
them for the one UPDATE that writes the lists back.

Revision ID: 0021
Revises: 0019

"""
import json

from alembic import op
import sqlalchemy as sa

from editorial.audit.history_guard import create_append_only_triggers, drop_append_only_triggers


revision = '0021'
down_revision = '0019'
branch_labels = None
depends_on = None

BATCH = 2_000  # revisions per round trip: a newsroom's whole history never sits in memory at once

_links = sa.table('revision_citations', sa.column('revision_id', sa.Integer), sa.column('position', sa.Integer),
                  sa.column('citation_id', sa.Integer))


def _revision_batches(conn, *columns: str):
    """The revisions' ids (and columns) in id order, BATCH at a time (keyset paging: each batch one
    indexed range)."""
    last = 0
    while True:
        selected = ", ".join(("id", *columns))
        rows = conn.execute(sa.text(f"SELECT {selected} FROM revisions WHERE id > :last ORDER BY id LIMIT :n"),
                            {"last": last, "n": BATCH}).all()
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def upgrade():
    op.create_table(
        'revision_citations',
        sa.Column('revision_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('citation_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['citation_id'], ['citations.id'],
                                name=op.f('fk_revision_citations_citation_id_citations')),
        sa.ForeignKeyConstraint(['revision_id'], ['revisions.id'],
                                name=op.f('fk_revision_citations_revision_id_revisions')),
        sa.PrimaryKeyConstraint('revision_id', 'position', name=op.f('pk_revision_citations')),
    )
    conn = op.get_bind()
    for rows in _revision_batches(conn, "citation_ids"):
        links = [{"revision_id": revision_id, "position": position, "citation_id": citation_id}
                 for revision_id, text in rows for position, citation_id in enumerate(json.loads(text or "[]"))]
        if links:
            conn.execute(_links.insert(), links)
    op.create_index(op.f('ix_revision_citations_citation_id'), 'revision_citations', ['citation_id'])
    create_append_only_triggers('revision_citations')
    if conn.dialect.name == "sqlite":
        # SQLite 3.35+ drops a column in place; a batch copy would drop the table (and its triggers).
        op.execute("ALTER TABLE revisions DROP COLUMN citation_ids")
    else:
        op.drop_column('revisions', 'citation_ids')


def downgrade():
    conn = op.get_bind()
    # NOT NULL on rows already there needs a default; SQLite cannot drop it again without copying the table.
    op.add_column('revisions', sa.Column('citation_ids', sa.Text(), nullable=False, server_default='[]'))
    if conn.dialect.name == "postgresql":
        op.alter_column('revisions', 'citation_ids', server_default=None)
    drop_append_only_triggers('revisions')
    for rows in _revision_batches(conn):
        ids = [row[0] for row in rows]
        lists: dict[int, list[int]] = {}
        for revision_id, citation_id in conn.execute(
                sa.select(_links.c.revision_id, _links.c.citation_id).where(_links.c.revision_id.in_(ids))
                .order_by(_links.c.revision_id, _links.c.position)):
            lists.setdefault(revision_id, []).append(citation_id)
        if lists:  # as the app wrote them: json.dumps of the list
            conn.execute(sa.text("UPDATE revisions SET citation_ids = :ids WHERE id = :id"),
                         [{"id": revision_id, "ids": json.dumps(cited)} for revision_id, cited in lists.items()])
    create_append_only_triggers('revisions')
    drop_append_only_triggers('revision_citations')
    op.drop_index(op.f('ix_revision_citations_citation_id'), table_name='revision_citations')
    op.drop_table('revision_citations')
