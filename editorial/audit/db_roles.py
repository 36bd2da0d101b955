"""PostgreSQL roles for production: the owner migrates, the app runs as a role that owns nothing.

The append-only triggers protect history only from a role that cannot remove them. An owner can
disable or drop a trigger and truncate a table; a superuser can also `SET session_replication_role =
replica`, which silently skips every trigger. So `flask --app editorial init-db` runs as the owner
(the role that ran the migrations owns every table), and the app connects as a role that:

- owns nothing, and is neither superuser nor able to create roles or databases;
- may read and write the working tables, but on the history tables (audit events, revisions and
  their reference lists, signatures, checkpoints) only read and insert: no UPDATE, DELETE or
  TRUNCATE is granted, so even without the triggers its writes could not rewrite them;
- cannot alter, disable or drop a trigger (only an owner can) or change session_replication_role.

`flask --app editorial db-roles vetted_app` applies the statements below as the owner (run it after
every `init-db`: tables a migration adds get their grants then); `--print` shows them instead.
"""
import re

HISTORY_TABLES = ("audit_events", "revisions", "revision_citations", "signatures", "audit_checkpoints")

_ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def check_role_name(name: str) -> str:
    if not _ROLE_NAME.match(name or ""):
        raise ValueError("A role name is lower-case letters, digits and underscores, starting with a letter.")
    return name


def role_statements(app_role: str, *, password: str | None = None) -> list[str]:
    """The SQL that creates (or re-grants) the app's role in the current database."""
    role = check_role_name(app_role)
    login = "LOGIN" + (" PASSWORD " + _literal(password) if password else "")
    return [
        "DO $$ BEGIN "
        f"IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{role}') THEN "
        f"CREATE ROLE {role} {login} NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS; "
        "END IF; END $$",
        f"ALTER ROLE {role} {login} NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS",
        f"DO $$ BEGIN EXECUTE format('GRANT CONNECT ON DATABASE %I TO {role}', current_database()); END $$",
        f"GRANT USAGE ON SCHEMA public TO {role}",
        f"REVOKE CREATE ON SCHEMA public FROM {role}",
        "REVOKE CREATE ON SCHEMA public FROM PUBLIC",  # PostgreSQL 14 and older grant it to everyone
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
        f"REVOKE UPDATE, DELETE, TRUNCATE, TRIGGER, REFERENCES ON {', '.join(HISTORY_TABLES)} FROM {role}",
        f"REVOKE INSERT, UPDATE, DELETE ON alembic_version FROM {role}",  # the schema is the owner's
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}",
    ]


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
