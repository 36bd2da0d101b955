"""Reading the audit trail: filters, pages, exports that can be verified offline."""
import csv
import io
import json
from dataclasses import dataclass, field
from datetime import datetime, timezone

from sqlalchemy import func, select

from editorial.core.bounds import MAX_ID, utc_time, whole_number
from editorial.audit.chain import (
    canonical_json,
    event_hash,
    format_time,
    hashable_columns,
    hashed_content,
    keyset_batches,
)
from editorial.core.errors import ValidationError
from editorial.core.extensions import db
from editorial.articles.models import Article
from editorial.audit.models import AuditEvent

# The order of audit.hashable_columns(), so that exported rows need no rearranging.
EXPORT_FIELDS = [
    "id", "at", "actor_id", "actor_name", "action", "object_type", "object_id", "article_id",
    "revision_number", "from_state", "to_state", "detail", "prev_hash", "hash",
]


@dataclass
class AuditFilter:
    article_id: int | None = None
    article: str | None = None  # words of the article's title, any case
    actor_id: int | None = None
    action: str | None = None
    since: datetime | None = None
    until: datetime | None = None

    def as_args(self) -> dict:
        return {k: (format_time(v) if isinstance(v, datetime) else v) for k, v in self.__dict__.items() if v is not None}


TIME_FORMAT_HINT = ("Use an ISO 8601 time between the years 1 and 9999 in UTC, for example 2026-01-31 or "
                    "2026-01-31T12:00:00Z")


def _parse_time(raw: str, field: str, errors: dict) -> datetime | None:
    try:
        return utc_time(raw)
    except ValueError as exc:
        errors[field] = f"{TIME_FORMAT_HINT} ({exc})."
        return None


def parse_filter(args) -> AuditFilter:
    """Filters from query arguments; 422 naming each bad one."""
    errors: dict[str, str] = {}
    result = AuditFilter()
    for name in ("article_id", "actor_id"):
        raw = (args.get(name) or "").strip()
        if raw:
            try:
                setattr(result, name, whole_number(raw))
            except ValueError:
                errors[name] = f"Expected a whole number from 0 to {MAX_ID:,}."
    action = (args.get("action") or "").strip()
    if action:
        result.action = action[:64]
    title = " ".join((args.get("article") or "").split())
    if title:
        result.article = title[:200]
    for name in ("since", "until"):
        raw = args.get(name) or ""
        if raw.strip():
            setattr(result, name, _parse_time(raw, name, errors))
    if errors:
        raise ValidationError("Some filters are invalid.", fields=errors)
    return result


def statement(filters: AuditFilter):
    """Events matching the filters, oldest first."""
    return filtered(select(AuditEvent), filters).order_by(AuditEvent.id)


def page(filters: AuditFilter, *, after: int = 0, newest_first: bool = False, size: int = 50):
    """One page of the log by keyset on the event id, either way: `after` is the last id of the
    page before (0 for the first), and the statement fetches size + 1 to tell whether more follow."""
    query = filtered(select(AuditEvent), filters)
    if newest_first:
        query = query.where(AuditEvent.id < after) if after else query
        return query.order_by(AuditEvent.id.desc()).limit(size + 1)
    return query.where(AuditEvent.id > after).order_by(AuditEvent.id).limit(size + 1)


def filtered(query, filters: AuditFilter):
    if filters.article_id is not None:
        query = query.where(AuditEvent.article_id == filters.article_id)
    if filters.article:
        # The titles match in the (small) articles table; the events are then read by article_id.
        matching = select(Article.id).where(func.lower(Article.title).contains(filters.article.lower(), autoescape=True))
        query = query.where(AuditEvent.article_id.in_(matching))
    if filters.actor_id is not None:
        query = query.where(AuditEvent.actor_id == filters.actor_id)
    if filters.action:
        query = query.where(AuditEvent.action == filters.action)
    if filters.since:
        query = query.where(AuditEvent.at >= filters.since)
    if filters.until:
        query = query.where(AuditEvent.at <= filters.until)
    return query


def event_dict(event: AuditEvent) -> dict:
    """An event with its id and hash; `detail` stays the exact text that was hashed."""
    return {"id": event.id, **hashed_content(event), "hash": event.hash}


def export_batches(filters: AuditFilter):
    """Matching events as batches of plain rows in EXPORT_FIELDS order, `at` already formatted:
    memory stays flat for any size, and no ORM object or datetime is built per event."""
    # Batches of 5,000: each is held as rows and as CSV text at once (20,000 grew a worker by 80 MiB).
    query = filtered(select(*hashable_columns()), filters)
    yield from keyset_batches(db.session.connection(), query, batch_size=5000)


def export_jsonl(filters: AuditFilter):
    """One event per line, then one manifest line: what was asked for (a filtered export says so),
    how many events, the first and last id and hash, and the latest signed checkpoint with the key
    that verifies it, so that verify_export can tell a complete export from a cut one."""
    from editorial.audit import checkpoints

    covering = checkpoints.latest()  # read before the events: the export reaches at least its head
    public_key = checkpoints.public_key_pem()
    count, first, last = 0, None, None
    for batch in export_batches(filters):
        rows = [dict(zip(EXPORT_FIELDS, row)) for row in batch]
        count += len(rows)
        first = first or {"id": rows[0]["id"], "hash": rows[0]["hash"]}
        last = {"id": rows[-1]["id"], "hash": rows[-1]["hash"]}
        yield "".join(canonical_json(row) + "\n" for row in rows)
    manifest = {
        "format": "vetted-audit-export/1", "filters": filters.as_args(), "filtered": bool(filters.as_args()),
        "count": count, "first": first, "last": last,
        "checkpoint": checkpoints.as_dict(covering) if covering else None, "public_key": public_key,
    }
    key = checkpoints.signing_key()
    if key is not None:  # signed, so that an edited manifest (a claim to be filtered, say) is caught
        manifest["key_id"] = checkpoints.key_id(key.public_key())
        manifest["signature"] = key.sign(canonical_json(manifest).encode()).hex()
    yield canonical_json({"manifest": manifest}) + "\n"


def export_csv(filters: AuditFilter):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(EXPORT_FIELDS)
    for batch in export_batches(filters):
        writer.writerows(batch)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


@dataclass
class ExportCheck:
    ok: bool
    checked: int
    problems: list[str]
    notes: list[str] = field(default_factory=list)  # what was not checked, and why


def verify_export(lines, trusted_public_key: str | None = None) -> ExportCheck:
    """Check an exported JSON Lines log offline: every event's hash matches its content, and
    consecutive events (ids n, n+1) link by prev_hash. A filtered export has gaps; each gap is
    fine, but within a run of consecutive ids nothing may be missing or changed. The manifest line
    must match what is there; a complete (unfiltered) export must also start the chain, link every
    event to the one before it, and contain the signed checkpoint's event at its signed position.
    The checkpoint is checked with `trusted_public_key` (PEM) when given, else with the export's own."""
    problems: list[str] = []
    events: list[dict] = []
    manifest = None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            if "manifest" in row:
                manifest = row["manifest"]
                continue
            event = AuditEvent(
                at=datetime.strptime(row["at"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc),
                **{k: row[k] for k in EXPORT_FIELDS if k not in ("id", "at", "hash")},
            )
        except (ValueError, KeyError, TypeError) as exc:
            problems.append(f"line {number}: unreadable ({exc})")
            continue
        if event_hash(event) != row["hash"]:
            problems.append(f"event {row['id']}: content does not match its hash")
        previous = events[-1] if events else None
        if previous is not None and row["id"] == previous["id"] + 1 and row["prev_hash"] != previous["hash"]:
            problems.append(f"event {row['id']}: does not link to event {previous['id']}")
        events.append({"id": row["id"], "hash": row["hash"], "prev_hash": row["prev_hash"]})
    notes: list[str] = []
    problems += _check_manifest(manifest, events, trusted_public_key, notes)
    return ExportCheck(ok=not problems, checked=len(events), problems=problems, notes=notes)


def _manifest_signature_problems(manifest: dict, trusted_public_key: str | None, notes: list[str]) -> list[str]:
    from editorial.audit.checkpoints import load_public_key, verifies

    key = load_public_key(trusted_public_key or manifest.get("public_key"))
    if trusted_public_key and key is None:
        return ["the trusted public key is unreadable"]
    unsigned = {k: v for k, v in manifest.items() if k != "signature"}
    if "signature" not in manifest:
        if trusted_public_key:
            return ["the manifest is not signed, so nothing in it can be trusted"]
        notes.append("the manifest is not signed")
        return []
    if key is None or not verifies(key, manifest["signature"], canonical_json(unsigned).encode()):
        return ["the manifest's signature does not verify"]
    if not trusted_public_key:
        notes.append("checked with the export's own key; pass --public-key with the one you trust")
    return []


def _check_manifest(manifest, events: list[dict], trusted_public_key: str | None, notes: list[str]) -> list[str]:
    from editorial.audit.chain import GENESIS_HASH
    from editorial.audit.checkpoints import load_public_key, signature_ok

    if not isinstance(manifest, dict):
        return ["no manifest line: nothing says how many events the export holds, so a cut one would pass"]
    problems = _manifest_signature_problems(manifest, trusted_public_key, notes)
    ends = ({"id": events[0]["id"], "hash": events[0]["hash"]}, {"id": events[-1]["id"], "hash": events[-1]["hash"]}) \
        if events else (None, None)
    if manifest.get("count") != len(events):
        problems.append(f"the manifest lists {manifest.get('count')} events, the export holds {len(events)}")
    if (manifest.get("first"), manifest.get("last")) != ends:
        problems.append("the first or last event is not the one the manifest names")
    if manifest.get("filtered"):  # gaps by design; its runs were checked above
        notes.append(f"a filtered export ({manifest.get('filters')}): whether events are missing between runs "
                     "cannot be told")
        return problems
    if events and events[0]["prev_hash"] != GENESIS_HASH:
        problems.append(f"event {events[0]['id']}: the export does not start at the beginning of the chain")
    for previous, event in zip(events, events[1:]):
        if event["prev_hash"] != previous["hash"]:
            problems.append(f"event {event['id']}: does not follow event {previous['id']} (events missing between them)")
    checkpoint = manifest.get("checkpoint")
    if not checkpoint:
        notes.append("no signed checkpoint covers this export: a cut tail cannot be told")
    else:
        key = load_public_key(trusted_public_key or manifest.get("public_key"))
        if key is None:
            return problems + ["the public key is unreadable"]
        if not signature_ok(checkpoint, key):
            problems.append("the manifest's checkpoint signature does not verify")
        position = next((n for n, e in enumerate(events, start=1) if e["id"] == checkpoint.get("event_id")), None)
        if position is None:
            problems.append(f"event {checkpoint.get('event_id')}, covered by the signed checkpoint, is missing")
        elif events[position - 1]["hash"] != checkpoint.get("event_hash") or position != checkpoint.get("event_count"):
            problems.append(f"event {checkpoint.get('event_id')} is not where the signed checkpoint puts it")
    return problems
