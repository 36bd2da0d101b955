"""The audit chain's hash: each event's SHA-256 over its canonical content and the previous hash.

Pure (no Flask, no database): the chain (chain.py), its exports and checkpoints, the evidence pack's
own verifier and the benchmark's generator all hash with these, so one definition decides."""
import hashlib
import json
from datetime import datetime

GENESIS_HASH = "0" * 64


def canonical_json(value) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def format_time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# Everything about an event that its hash covers, besides its time.
HASHED_FIELDS = (
    "actor_id", "actor_name", "action", "object_type", "object_id", "article_id", "revision_number",
    "from_state", "to_state", "detail", "prev_hash",
)


def hashed_content(event) -> dict:
    """The canonical content of an event, as hashed and as exported."""
    return {"at": format_time(event.at), **{name: getattr(event, name) for name in HASHED_FIELDS}}


_json_string = json.encoder.encode_basestring  # the C encoder json.dumps(ensure_ascii=False) uses for str


def _json_scalar(value) -> str:
    if value is None:
        return "null"
    if type(value) is str:
        return _json_string(value)
    if type(value) is int:
        return int.__repr__(value)  # what json.dumps writes for an int
    return json.dumps(value, ensure_ascii=False)


_CANONICAL_EVENT = (
    '{"action":%s,"actor_id":%s,"actor_name":%s,"article_id":%s,"at":%s,"detail":%s,"from_state":%s,'
    '"object_id":%s,"object_type":%s,"prev_hash":%s,"revision_number":%s,"to_state":%s}'
)


def hash_of(at: str, actor_id, actor_name, action, object_type, object_id, article_id, revision_number,
            from_state, to_state, detail, prev_hash) -> str:
    """SHA-256 of canonical_json(hashed_content(event)), with `at` already formatted by format_time.

    The JSON is written out in sorted key order instead of through json.dumps: verifying or exporting
    a million events spends most of its time here (tests/unit/test_audit_hash.py proves it identical).
    """
    s, i = _json_string, int.__repr__  # both raise TypeError for a value of another type
    try:
        canonical = _CANONICAL_EVENT % (
            s(action), "null" if actor_id is None else i(actor_id), s(actor_name),
            "null" if article_id is None else i(article_id), s(at), s(detail),
            "null" if from_state is None else s(from_state), "null" if object_id is None else s(object_id),
            s(object_type), s(prev_hash), "null" if revision_number is None else i(revision_number),
            "null" if to_state is None else s(to_state),
        )
    except TypeError:  # only a tampered row holds such a value: write it exactly as json.dumps would
        j = _json_scalar
        canonical = _CANONICAL_EVENT % (
            j(action), j(actor_id), j(actor_name), j(article_id), j(at), j(detail), j(from_state),
            j(object_id), j(object_type), j(prev_hash), j(revision_number), j(to_state),
        )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def event_hash(event) -> str:
    return hash_of(format_time(event.at), *(getattr(event, name) for name in HASHED_FIELDS))
