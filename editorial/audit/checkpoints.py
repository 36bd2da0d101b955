"""Signed checkpoints of the audit chain: tampering detectable without trusting the database.

The hash chain alone proves nothing to someone who can rewrite the database: they can edit an event
and recompute every hash after it, or cut the tail. A checkpoint says "event N, with this hash, was
the Nth event" and is signed with an Ed25519 key that the database never holds (AUDIT_SIGNING_KEY,
or a key file under the instance folder). Checkpoints are stored in `audit_checkpoints`, appended to
`AUDIT_CHECKPOINT_DIR/checkpoints.jsonl` after the transaction commits, and the latest is public at
`/transparency/checkpoint.json` with the public key, so readers, auditors and mirrors can keep them.
`audit verify` checks the chain against every checkpoint it finds in either place.

A checkpoint is made at every publication and by `flask --app editorial audit checkpoint` (cron, at
least hourly). Verifying one needs nothing but `cryptography` (or any Ed25519 library):
`Ed25519PublicKey.verify(bytes.fromhex(signature), signed_payload(...))`.
"""
import base64
import hashlib
import json
import logging
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from flask import current_app
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from editorial.audit.chain import canonical_json, format_time
from editorial.core.errors import Unavailable
from editorial.core.extensions import db
from editorial.audit.models import AuditCheckpoint, AuditEvent
from editorial.core.model_base import utcnow

log = logging.getLogger(__name__)

KEY_FILE = "audit_signing_key.pem"
CHECKPOINT_FILE = "checkpoints.jsonl"
_PENDING = "checkpoints_to_append"  # session.info: rows to append to the file once committed


# --- The key -------------------------------------------------------------------------------

def _load_key(text: str) -> Ed25519PrivateKey:
    text = text.strip()
    if text.startswith("-----BEGIN"):
        key = serialization.load_pem_private_key(text.encode(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError("AUDIT_SIGNING_KEY is not an Ed25519 key")
        return key
    return Ed25519PrivateKey.from_private_bytes(base64.b64decode(text))


def signing_key(*, create: bool = False) -> Ed25519PrivateKey | None:
    """AUDIT_SIGNING_KEY (PEM, or the 32 raw bytes in base64) when set; otherwise the key file in the
    instance folder (mode 600), made when `create` is given: only the first checkpoint of an
    installation may make one (make_checkpoint), so that a host that lacks the key never signs
    with one of its own. Either way outside the database."""
    configured = current_app.config.get("AUDIT_SIGNING_KEY")
    if configured:
        return _load_key(configured)
    path = Path(current_app.instance_path) / KEY_FILE
    if not path.exists():
        if not create:
            return None
        _create_key_file(path)
    return _load_key(path.read_text())


def load_public_key(pem: str | None) -> Ed25519PublicKey | None:
    """An Ed25519 public key from PEM text, or None when it is not one."""
    try:
        key = serialization.load_pem_public_key((pem or "").encode())
    except ValueError:
        return None
    return key if isinstance(key, Ed25519PublicKey) else None


def trusted_public_keys() -> dict[str, Ed25519PublicKey]:
    """The keys whose checkpoints this installation accepts, by key id: the signing key's, and any
    public keys in the PEM bundle AUDIT_TRUSTED_KEYS names (the keys retired by a rotation)."""
    keys = []
    key = signing_key()
    if key is not None:
        keys.append(key.public_key())
    bundle = current_app.config.get("AUDIT_TRUSTED_KEYS")
    if bundle:
        for block in Path(bundle).read_text().split("-----END PUBLIC KEY-----")[:-1]:
            if (public := load_public_key(block.strip() + "\n-----END PUBLIC KEY-----\n")) is not None:
                keys.append(public)
    return {key_id(public): public for public in keys}


def _create_key_file(path: Path) -> None:
    """Write a new key whole under a temporary name, then link it into place: a process that finds
    the file never reads it half-written, and when several start at once exactly one key wins."""
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    try:
        os.link(temporary, path)
    except FileExistsError:
        pass  # another process made it first; theirs is the key
    finally:
        temporary.unlink()


def public_key_pem() -> str | None:
    key = signing_key()
    if key is None:
        return None
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def key_id(public_key: Ed25519PublicKey) -> str:
    """The SHA-256 of the raw public key, in hex: names the key a checkpoint was signed with."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


def signed_payload(event_id: int, event_hash: str, event_count: int, created_at: str, key: str) -> bytes:
    """The exact bytes a checkpoint's signature covers (canonical JSON, UTF-8)."""
    return canonical_json({"created_at": created_at, "event_count": event_count, "event_hash": event_hash,
                           "event_id": event_id, "key_id": key}).encode()


def verifies(public_key: Ed25519PublicKey, signature_hex, payload: bytes) -> bool:
    """Whether `signature_hex` is public_key's Ed25519 signature of payload (False for any malformed one)."""
    try:
        public_key.verify(bytes.fromhex(signature_hex), payload)
        return True
    except (InvalidSignature, ValueError, TypeError, AttributeError):
        return False


def as_dict(checkpoint: AuditCheckpoint) -> dict:
    """A checkpoint as published and kept outside the database."""
    return {"event_id": checkpoint.event_id, "event_hash": checkpoint.event_hash,
            "event_count": checkpoint.event_count, "created_at": format_time(checkpoint.created_at),
            "key_id": checkpoint.key_id, "reason": checkpoint.reason, "signature": checkpoint.signature}


# --- Making one ----------------------------------------------------------------------------

def make_checkpoint(reason: str) -> AuditCheckpoint | None:
    """Sign the chain head in the caller's transaction (None when the latest checkpoint already
    covers it). Called after the transaction's own events, which hold the chain's lock, or with the
    lock taken here, so that no event slips in between the head read and the count."""
    from editorial.audit.chain import head_appended_here, lock_chain

    head = head_appended_here()  # the transaction's own last event holds the lock already
    if head is None:
        lock_chain()
        head = db.session.execute(select(AuditEvent.id, AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)).first()
    if head is None:
        return None
    head_id, head_hash = head
    # The latest checkpoint and how many events followed it up to the head, in one read.
    since_last = (select(func.count(AuditEvent.id)).where(AuditEvent.id > AuditCheckpoint.event_id, AuditEvent.id <= head_id)
                  .scalar_subquery())
    last, events_since = db.session.execute(
        select(AuditCheckpoint, since_last).order_by(AuditCheckpoint.event_id.desc()).limit(1)).first() or (None, None)
    if last is not None and last.event_id >= head_id:
        return None
    key = signing_key(create=last is None)
    if key is None:
        raise Unavailable("The audit signing key is not on this host (set AUDIT_SIGNING_KEY, the key the other "
                          "hosts sign with); nothing was changed.")
    kid = key_id(key.public_key())
    if last is None:
        count = db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.id <= head_id))
    else:
        count = last.event_count + events_since
    created = utcnow()
    checkpoint = AuditCheckpoint(
        created_at=created, event_id=head_id, event_hash=head_hash, event_count=count, reason=reason, key_id=kid,
        signature=key.sign(signed_payload(head_id, head_hash, count, format_time(created), kid)).hex(),
    )
    db.session.add(checkpoint)
    db.session.flush()
    db.session.info.setdefault(_PENDING, []).append(as_dict(checkpoint))
    return checkpoint


def checkpoint_dir() -> Path:
    configured = current_app.config.get("AUDIT_CHECKPOINT_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "audit-checkpoints"


@event.listens_for(Session, "after_commit")
def _append_to_file(session) -> None:
    rows = session.info.pop(_PENDING, None)
    if not rows:
        return
    try:
        folder = checkpoint_dir()
        folder.mkdir(parents=True, exist_ok=True)
        with open(folder / CHECKPOINT_FILE, "a", encoding="utf-8") as handle:
            for row in rows:
                handle.write(json.dumps(row, sort_keys=True) + "\n")
    except OSError:  # the change is committed and the checkpoint is in the database: say so, loudly
        log.exception("Could not append %d audit checkpoint(s) to %s", len(rows), CHECKPOINT_FILE)


@event.listens_for(Session, "after_rollback")
def _forget_unwritten(session) -> None:
    session.info.pop(_PENDING, None)


# --- Checking the chain against them --------------------------------------------------------

@dataclass
class CheckpointProblem:
    event_id: int
    message: str


def checkpoints_on_file(folder: Path | None = None) -> list[dict | None]:
    """The checkpoints kept in the file; None for a line that is not one (a problem for verify)."""
    path = (folder or checkpoint_dir()) / CHECKPOINT_FILE
    if not path.exists():
        return []
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            try:
                row = json.loads(line)
            except ValueError:
                row = None
            rows.append(row if isinstance(row, dict) and isinstance(row.get("event_id"), int) else None)
    return rows


def signature_ok(row: dict, public_key: Ed25519PublicKey) -> bool:
    try:
        payload = signed_payload(row["event_id"], row["event_hash"], row["event_count"], row["created_at"], row["key_id"])
    except (KeyError, TypeError):
        return False
    return verifies(public_key, row.get("signature"), payload)


def verify_against_checkpoints() -> tuple[int, CheckpointProblem | None]:
    """(checkpoints checked, the first problem or None). Every checkpoint in the database or in the
    checkpoint file must carry a good signature by this installation's key, name an event that is
    still there with that hash, and count the events up to it as they are now."""
    trusted = trusted_public_keys()
    stored = [as_dict(c) for c in db.session.scalars(select(AuditCheckpoint).order_by(AuditCheckpoint.event_id))]
    in_db = {(r["event_id"], r["signature"]) for r in stored}
    rows = {(r["event_id"], r["signature"]): r for r in stored}
    for row in checkpoints_on_file():
        if row is None:
            return len(rows), CheckpointProblem(0, f"a line of {CHECKPOINT_FILE} is not a checkpoint")
        key = (row.get("event_id"), row.get("signature"))
        if key not in in_db:
            return len(rows), CheckpointProblem(row["event_id"], "a checkpoint kept outside the database is missing from it")
        rows[key] = row
    ordered = sorted(rows.values(), key=lambda r: r["event_id"])
    for row in ordered:
        public_key = trusted.get(row["key_id"])
        if public_key is None:
            return len(ordered), CheckpointProblem(
                row["event_id"], "a checkpoint is signed by a key this installation does not trust (AUDIT_TRUSTED_KEYS)")
        if not signature_ok(row, public_key):
            return len(ordered), CheckpointProblem(row["event_id"], "a checkpoint's signature does not verify")
    hashes = dict(db.session.execute(
        select(AuditEvent.id, AuditEvent.hash).where(AuditEvent.id.in_([r["event_id"] for r in ordered]))
    ).all()) if ordered else {}
    previous_id, previous_count = 0, 0
    for row in ordered:
        if row["event_id"] not in hashes:
            return len(ordered), CheckpointProblem(row["event_id"], "an event a checkpoint covers is missing (cut or deleted)")
        if hashes[row["event_id"]] != row["event_hash"]:
            return len(ordered), CheckpointProblem(row["event_id"], "the chain was rewritten up to this checkpoint")
        between = db.session.scalar(select(func.count(AuditEvent.id)).where(
            AuditEvent.id > previous_id, AuditEvent.id <= row["event_id"]))
        if previous_count + between != row["event_count"]:
            return len(ordered), CheckpointProblem(row["event_id"], "events before this checkpoint were removed or added")
        previous_id, previous_count = row["event_id"], row["event_count"]
    return len(ordered), None


def latest() -> AuditCheckpoint | None:
    return db.session.scalar(select(AuditCheckpoint).order_by(AuditCheckpoint.event_id.desc()).limit(1))
