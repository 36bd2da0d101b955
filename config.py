"""Configuration: defaults here, overrides from the environment (see README)."""
import os


def _database_url() -> str | None:
    url = os.environ.get("DATABASE_URL")
    if url and url.startswith("postgres://"):
        # Heroku-style URLs name no driver; we use psycopg 3.
        url = "postgresql+psycopg://" + url[len("postgres://"):]
    elif url and url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


class Config:
    # None means "SQLite under the instance folder"; create_app fills it in.
    SQLALCHEMY_DATABASE_URI = _database_url()
    # None means "generated once and kept under the instance folder".
    SECRET_KEY = os.environ.get("SECRET_KEY")
    REDIS_URL = os.environ.get("REDIS_URL")
    # Reverse proxies in front of the app that add X-Forwarded-For/-Proto/-Host (0: none, trust no header).
    TRUSTED_PROXY_HOPS = int(os.environ.get("TRUSTED_PROXY_HOPS", "0"))

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "0") == "1"
    REMEMBER_COOKIE_HTTPONLY = True
    WTF_CSRF_TIME_LIMIT = None
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024
    # A Word file imported as a draft (images make them large; they are not imported): its pages
    # accept requests up to this plus 1 MB, so a larger file gets a field error, not a bare 413.
    WORD_IMPORT_MAX_BYTES = int(os.environ.get("WORD_IMPORT_MAX_BYTES", str(8 * 1024 * 1024)))

    # argon2id parameters (RFC 9106's second recommended option, lighter on memory).
    PASSWORD_HASH_TIME_COST = 3
    PASSWORD_HASH_MEMORY_KIB = 64 * 1024
    PASSWORD_HASH_PARALLELISM = 2


    # Database timeouts (editorial/core/db_faults.py), in seconds: opening a connection (PostgreSQL), one
    # statement (PostgreSQL; 0: none; keep it under gunicorn's timeout), waiting for another
    # writer's lock (SQLite). A fault answers 503 with Retry-After: DB_UNAVAILABLE_RETRY_AFTER_SECONDS.
    DB_CONNECT_TIMEOUT_SECONDS = int(os.environ.get("DB_CONNECT_TIMEOUT_SECONDS", "5"))
    DB_STATEMENT_TIMEOUT_SECONDS = float(os.environ.get("DB_STATEMENT_TIMEOUT_SECONDS", "20"))
    DB_BUSY_TIMEOUT_SECONDS = float(os.environ.get("DB_BUSY_TIMEOUT_SECONDS", "10"))
    DB_UNAVAILABLE_RETRY_AFTER_SECONDS = int(os.environ.get("DB_UNAVAILABLE_RETRY_AFTER_SECONDS", "30"))

    # Signed-in browsers are signed out after this long without a request.
    IDLE_TIMEOUT_MINUTES = int(os.environ.get("IDLE_TIMEOUT_MINUTES", "30"))
    # Consecutive failed sign-ins or signatures that lock an account until an admin unlocks it.
    LOCKOUT_THRESHOLD = 5
    # Passwords older than this many days must be changed at the next sign-in; unset: no aging.
    PASSWORD_MAX_AGE_DAYS = int(os.environ["PASSWORD_MAX_AGE_DAYS"]) if os.environ.get("PASSWORD_MAX_AGE_DAYS") else None
    # How long an invitation (set-password) link an administrator makes stays valid.
    INVITATION_VALID_HOURS = int(os.environ.get("INVITATION_VALID_HOURS", "72"))
    # Sources older than this many years get a warning (not a block) before review.
    OLD_SOURCE_YEARS = int(os.environ.get("OLD_SOURCE_YEARS", "5"))
    # The Ed25519 key that signs audit checkpoints (PEM or base64 of the 32 raw bytes), kept outside
    # the database; unset: generated once into instance/audit_signing_key.pem.
    AUDIT_SIGNING_KEY = os.environ.get("AUDIT_SIGNING_KEY")
    # A PEM bundle of further public keys whose checkpoints verify (keys retired by a rotation).
    AUDIT_TRUSTED_KEYS = os.environ.get("AUDIT_TRUSTED_KEYS")
    # Where checkpoints are appended outside the database; unset: instance/audit-checkpoints.
    AUDIT_CHECKPOINT_DIR = os.environ.get("AUDIT_CHECKPOINT_DIR")
    # Who we are to Crossref (its "polite" pool) and to NCBI: retraction checks and source lookups.
    CROSSREF_MAILTO = os.environ.get("CROSSREF_MAILTO")
    # Optional NCBI key for PubMed look-ups by PMID (10 requests a second instead of 3).
    NCBI_API_KEY = os.environ.get("NCBI_API_KEY")
    # How long a look-up by DOI or PMID waits for Crossref or PubMed before offering the hand form.
    CITATION_LOOKUP_TIMEOUT_SECONDS = float(os.environ.get("CITATION_LOOKUP_TIMEOUT_SECONDS", "8"))
    # Roles whose holders must use two-factor sign-in (TOTP), e.g. "reviewer,editor": their
    # approvals and publications are signatures. Empty: two-factor sign-in is optional for all.
    REQUIRE_TWO_FACTOR_FOR = frozenset(
        role.strip() for role in os.environ.get("REQUIRE_TWO_FACTOR_FOR", "").split(",") if role.strip()
    )
    # The key that encrypts TOTP secrets at rest (a Fernet key), or a file holding it; neither set:
    # generated once into instance/totp_encryption_key (every server must share it: set one).
    TOTP_ENCRYPTION_KEY = os.environ.get("TOTP_ENCRYPTION_KEY")
    TOTP_ENCRYPTION_KEY_FILE = os.environ.get("TOTP_ENCRYPTION_KEY_FILE")


def _no_network(url, headers, timeout):
    raise OSError("The test suite never uses the network; tests inject recorded answers.")


class TestConfig(Config):
    TESTING = True
    # Replaces HTTP for look-ups by DOI or PMID (editorial/citations/lookup.py's Fetch).
    CITATION_LOOKUP_FETCH = _no_network
    # The suite signs in far more often than a person; the throttling test lowers these.
    SIGN_IN_LIMIT_PER_ADDRESS = "10000 per minute"
    SIGN_IN_LIMIT_PER_ACCOUNT = "10000 per minute"
    WTF_CSRF_ENABLED = False
    # Whatever the environment says; the two-factor tests set it where they need it.
    REQUIRE_TWO_FACTOR_FOR = frozenset()
    TOTP_ENCRYPTION_KEY = "dGVzdC10b3RwLWtleS0zMi1ieXRlcy1ub3QtcmVhbCE="  # Fernet key, tests only
    SECRET_KEY = "test-secret-key-not-for-production"
    # Cheap hashes keep the suite fast; the algorithm stays argon2id.
    PASSWORD_HASH_TIME_COST = 1
    PASSWORD_HASH_MEMORY_KIB = 1024
    PASSWORD_HASH_PARALLELISM = 1
