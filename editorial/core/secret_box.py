"""TOTP secrets encrypted at rest (Fernet: AES-128-CBC with HMAC-SHA256), with a key kept outside
the database, so a copy of the database (a dump, a backup, a read-only SQL injection) does not
give anyone the shared secrets that make sign-in codes.

The key: TOTP_ENCRYPTION_KEY (a Fernet key, as `Fernet.generate_key()` prints), or a file named by
TOTP_ENCRYPTION_KEY_FILE holding one; neither set: one is generated on first start into
instance/totp_encryption_key (mode 0600), like the session and audit signing keys. Several servers
must share one key (set it), or each would read only the secrets it wrote. A malformed key refuses
to start. A secret the key cannot read (the key changed, or the row was altered) is never guessed
at: the code step refuses it and points to the recovery codes or an administrator's reset.
"""
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken
from flask import current_app

from editorial.core.instance_keys import instance_key

_EXTENSION = "totp_fernet"
# Every Fernet token begins with its version byte 0x80, "gAAAAA" in base64; a base32 secret (A-Z, 2-7)
# never does, which lets migration 0019 tell the secrets still in plain text from encrypted ones.
_TOKEN_PREFIX = "gAAAAA"


class SecretUnreadable(Exception):
    """The stored secret does not decrypt with the configured key."""


def _generated_key(instance_path: str) -> bytes:
    return instance_key(instance_path, "totp_encryption_key", lambda: Fernet.generate_key().decode()).encode()


def fernet_for(app) -> Fernet:
    """The app's Fernet, from its configured key; raises ValueError naming the setting if malformed."""
    if _EXTENSION in app.extensions:
        return app.extensions[_EXTENSION]
    key, origin = app.config.get("TOTP_ENCRYPTION_KEY"), "TOTP_ENCRYPTION_KEY"
    if not key and app.config.get("TOTP_ENCRYPTION_KEY_FILE"):
        origin = "TOTP_ENCRYPTION_KEY_FILE"
        try:
            key = Path(app.config["TOTP_ENCRYPTION_KEY_FILE"]).read_text().strip()
        except OSError as exc:
            raise ValueError(f"TOTP_ENCRYPTION_KEY_FILE cannot be read: {exc}") from exc
    if not key:
        key, origin = _generated_key(app.instance_path), "the generated TOTP_ENCRYPTION_KEY"
    try:
        fernet = Fernet(key.encode() if isinstance(key, str) else key)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"{origin} is not a Fernet key (32 url-safe base64-encoded bytes): {exc}") from exc
    app.extensions[_EXTENSION] = fernet
    return fernet


def init_app(app) -> None:
    fernet_for(app)  # refuse to start with a malformed key, not at the first sign-in


def is_encrypted(value: str | None) -> bool:
    return bool(value) and value.startswith(_TOKEN_PREFIX)


def encrypt(plain: str, app=None) -> str:
    return fernet_for(app or current_app).encrypt(plain.encode("utf-8")).decode("ascii")


def decrypt(token: str, app=None) -> str:
    try:
        return fernet_for(app or current_app).decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, UnicodeError) as exc:
        raise SecretUnreadable from exc
