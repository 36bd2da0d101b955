"""Database triggers that make history tables append-only; used by the Alembic migrations."""
from alembic import op


def create_append_only_triggers(table: str) -> None:
    """The database itself refuses UPDATE and DELETE (and on PostgreSQL TRUNCATE) on a history table."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE OR REPLACE FUNCTION refuse_history_change() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$"
        )
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION refuse_history_change()"
        )
        op.execute(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION refuse_history_change()"
        )
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
            )


def drop_append_only_triggers(table: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
    else:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")


# --- The live pointer ----------------------------------------------------------------------
# articles.live_revision_id decides what readers see. The database accepts a new value only when
# the newest audit event is the publication of exactly that revision of that article, which the
# app appends just before it moves the pointer (articles.transitions._publish). Clearing it (taking a
# page down) is always allowed: it fails closed.

_LIVE_GUARD_MESSAGE = "articles.live_revision_id moves only with a matching article.publish audit event"

_PG_LIVE_GUARD = [
    # Tables named with their schema and a fixed search_path: a session's temporary tables (searched
    # first by default) cannot stand in for them.
    "CREATE OR REPLACE FUNCTION guard_live_revision() RETURNS trigger LANGUAGE plpgsql "
    "SET search_path = pg_catalog, public, pg_temp AS $$ "
    "DECLARE head_action text; head_article integer; head_revision integer; "
    "BEGIN "
    "IF NEW.live_revision_id IS NULL THEN RETURN NEW; END IF; "
    "IF TG_OP = 'UPDATE' AND NEW.live_revision_id IS NOT DISTINCT FROM OLD.live_revision_id THEN RETURN NEW; END IF; "
    "SELECT action, article_id, revision_number INTO head_action, head_article, head_revision "
    "FROM public.audit_events ORDER BY id DESC LIMIT 1; "
    "IF NOT FOUND OR head_action <> 'article.publish' OR head_article IS DISTINCT FROM NEW.id "
    "OR head_revision IS DISTINCT FROM (SELECT number FROM public.revisions WHERE id = NEW.live_revision_id AND article_id = NEW.id) "
    f"THEN RAISE EXCEPTION '{_LIVE_GUARD_MESSAGE}'; END IF; "
    "RETURN NEW; END $$",
    "CREATE TRIGGER articles_live_guard BEFORE INSERT OR UPDATE OF live_revision_id ON articles "
    "FOR EACH ROW EXECUTE FUNCTION guard_live_revision()",
]

_SQLITE_MATCHING_PUBLISH = (
    "NOT EXISTS (SELECT 1 FROM (SELECT action, article_id, revision_number FROM audit_events ORDER BY id DESC LIMIT 1) h "
    "WHERE h.action = 'article.publish' AND h.article_id = NEW.id AND h.revision_number = "
    "(SELECT number FROM revisions WHERE id = NEW.live_revision_id AND article_id = NEW.id))"
)

_SQLITE_LIVE_GUARD = [
    "CREATE TRIGGER articles_live_guard_update BEFORE UPDATE OF live_revision_id ON articles "
    "WHEN NEW.live_revision_id IS NOT NULL AND NEW.live_revision_id IS NOT OLD.live_revision_id "
    f"AND {_SQLITE_MATCHING_PUBLISH} BEGIN SELECT RAISE(ABORT, '{_LIVE_GUARD_MESSAGE}'); END",
    "CREATE TRIGGER articles_live_guard_insert BEFORE INSERT ON articles "
    f"WHEN NEW.live_revision_id IS NOT NULL AND {_SQLITE_MATCHING_PUBLISH} "
    f"BEGIN SELECT RAISE(ABORT, '{_LIVE_GUARD_MESSAGE}'); END",
]


def live_pointer_guard(dialect: str) -> list[str]:
    """The statements that create the live pointer's guard on this dialect."""
    return _PG_LIVE_GUARD if dialect == "postgresql" else _SQLITE_LIVE_GUARD


def drop_live_pointer_guard(dialect: str) -> list[str]:
    if dialect == "postgresql":
        return ["DROP TRIGGER IF EXISTS articles_live_guard ON articles", "DROP FUNCTION IF EXISTS guard_live_revision()"]
    return ["DROP TRIGGER IF EXISTS articles_live_guard_update", "DROP TRIGGER IF EXISTS articles_live_guard_insert"]
