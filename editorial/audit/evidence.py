"""The evidence pack: everything about one article an auditor needs, in one download."""
import io
import json
import zipfile
from pathlib import Path

from flask import render_template
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from editorial.audit import log as audit_log, checkpoints
from editorial.articles import diffing
from editorial.audit.hashing import canonical_json, format_time
from editorial.core.extensions import db
from editorial.articles.models import Article, Revision
from editorial.audit.models import AuditCheckpoint, AuditEvent
from editorial.reviews.models import Comment, Signature
from editorial.articles.history import revision_hash, unified_diff


def _time(value):
    return format_time(value) if value else None


def collect(article: Article) -> dict:
    """Revisions with diffs, signatures with their credential snapshots, the citations as they
    stood at each signed revision, comments and the article's audit events with chain hashes."""
    revisions = db.session.scalars(
        select(Revision).options(joinedload(Revision.author), selectinload(Revision.citation_links))
        .where(Revision.article_id == article.id).order_by(Revision.number)
    ).all()
    signatures = db.session.scalars(select(Signature).where(Signature.article_id == article.id).order_by(Signature.id)).all()
    comments = db.session.scalars(
        select(Comment).options(joinedload(Comment.author)).where(Comment.article_id == article.id).order_by(Comment.id)
    ).all()
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.article_id == article.id).order_by(AuditEvent.id)).all()
    signed_numbers = {s.revision_number for s in signatures}
    # A signature stores None for a declaration of "none" (the public page reads it that way); the
    # pack states what was declared, as the event that recorded the signature holds it.
    declared = {e.object_id: json.loads(e.detail or "{}").get("conflict_of_interest")
                for e in events if e.action == "signature.recorded"}

    def reference_changes(previous, revision):
        return diffing.reference_changes(previous.citations, revision.citations).as_dict() if previous else None
    return {
        "article": {
            "id": article.id, "slug": article.slug, "title": article.title, "state": article.state,
            "version": article.version, "topic": article.topic, "published_at": _time(article.published_at),
            "last_reviewed_at": _time(article.last_reviewed_at),
            "live_revision_id": article.live_revision_id,
        },
        "revisions": [
            {
                "number": r.number, "author": r.author.name, "created_at": _time(r.created_at), "note": r.note,
                "title": r.title, "summary": r.summary, "body": r.body, "topic": r.topic,
                "citation_ids": r.citation_ids,
                "content_hash": r.content_hash, "hash_recomputed_matches": revision_hash(r) == r.content_hash,
                "diff_from_previous": unified_diff(previous, r) if previous else None,
                "reference_changes": reference_changes(previous, r),
                "citations_at_this_revision": [
                    {"id": c.id, "key": c.key, "formatted": c.formatted, "data": json.loads(c.data), "retracted": c.retracted}
                    for c in r.citations
                ] if r.number in signed_numbers else None,
            }
            for previous, r in zip([None, *revisions[:-1]], revisions)
        ],
        "signatures": [
            {
                "id": s.id, "revision_number": s.revision_number, "content_hash": s.content_hash, "signed_at": _time(s.signed_at),
                "meaning": s.meaning, "printed_name": s.printed_name, "credentials": s.credentials,
                "specialty": s.specialty, "affiliation": s.affiliation, "disclosure": s.disclosure,
                "conflict_of_interest": declared.get(str(s.id), s.conflict_of_interest),
            }
            for s in signatures
        ],
        "comments": [
            {"revision_number": c.revision_number, "author": c.author.name, "created_at": _time(c.created_at),
             "kind": c.kind, "quote": c.quote, "body": c.body, "resolved_at": _time(c.resolved_at)}
            for c in comments
        ],
        "audit_events": [audit_log.event_dict(e) for e in events],
        # Each publication makes a checkpoint whose head is the publish event itself, so the pack
        # proves on its own that those events were signed where they stand in the chain.
        "checkpoints": [checkpoints.as_dict(c) for c in db.session.scalars(
            select(AuditCheckpoint).where(AuditCheckpoint.event_id.in_([e.id for e in events])).order_by(AuditCheckpoint.id)
        )] if events else [],
        "latest_checkpoint": checkpoints.as_dict(latest) if (latest := checkpoints.latest()) else None,
        "public_key": checkpoints.public_key_pem(),
    }


STYLESHEET = Path(__file__).resolve().parent.parent / "static" / "css" / "evidence.css"


def build_zip(article: Article) -> bytes:
    evidence = collect(article)
    html = render_template("audit/evidence.html", evidence=evidence)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("evidence.json", canonical_json(evidence))
        archive.writestr("evidence.html", html)
        archive.write(STYLESHEET, "evidence.css")  # evidence.html links it: no inline styles, works offline
        archive.writestr("README.txt", README)
        archive.writestr("verify_evidence.py", VERIFY_SCRIPT)
    return buffer.getvalue()


README = """Evidence pack for one article.

evidence.html (with its stylesheet, evidence.css) is for reading; evidence.json holds the same records for checking.

To check it, with nothing but Python 3 and the `cryptography` package (pip install cryptography):

    python3 verify_evidence.py evidence.json [trusted-public-key.pem]

It recomputes every revision's content_hash (SHA-256 of the canonical JSON {title, summary, body,
citation_ids}) and every audit event's hash (the rule in the project README, 'Verifying an export');
checks each revision and signature against the event that recorded it, and each publication against
the revision it published; and checks every checkpoint: its Ed25519 signature, and that the event it
signs is this article's event with exactly that hash (each publication is one). Give the public key you trust (from the site's
/transparency/audit-public-key.pem) as the second argument; without it the pack's own key is used,
which proves only that the pack agrees with itself.
"""

VERIFY_SCRIPT = r'''"""Check a Vetted evidence pack offline: python3 verify_evidence.py evidence.json [public-key.pem]"""
import hashlib
import json
import sys

from cryptography.hazmat.primitives.serialization import load_pem_public_key


def canonical(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def main(path, key_path=None):
    evidence = json.load(open(path, encoding="utf-8"))
    key = load_pem_public_key((open(key_path).read() if key_path else evidence["public_key"]).encode())
    problems = []
    for r in evidence["revisions"]:
        content = {"title": r["title"], "summary": r["summary"], "body": r["body"], "citation_ids": r["citation_ids"]}
        if hashlib.sha256(canonical(content)).hexdigest() != r["content_hash"]:
            problems.append(f"revision {r['number']}: content does not match its content_hash")
    events, saved, recorded = {}, {}, {}
    for e in evidence["audit_events"]:
        content = {k: v for k, v in e.items() if k not in ("id", "hash")}
        if hashlib.sha256(canonical(content)).hexdigest() != e["hash"]:
            problems.append(f"event {e['id']}: content does not match its hash")
        events[e["id"]] = e["hash"]
        detail = json.loads(e["detail"])
        if e["action"] == "revision.saved":
            saved[e["revision_number"]] = detail.get("content_hash")
        elif e["action"] == "signature.recorded":
            recorded[e["object_id"]] = (detail.get("content_hash"), detail.get("printed_name"))
    # The rows against the events that recorded them (which the checkpoints below prove).
    by_number = {r["number"]: r for r in evidence["revisions"]}
    for r in evidence["revisions"]:
        if saved.get(r["number"]) != r["content_hash"]:
            problems.append(f"revision {r['number']}: not the content hash its revision.saved event recorded")
    for s in evidence["signatures"]:
        if recorded.get(str(s["id"])) != (s["content_hash"], s["printed_name"]):
            problems.append(f"signature {s['id']}: not what its signature.recorded event recorded")
    for e in evidence["audit_events"]:
        if e["action"] == "article.publish":
            detail = json.loads(e["detail"])
            published = by_number.get(detail.get("live_revision"))
            if published is None or published["content_hash"] != detail.get("content_hash"):
                problems.append(f"event {e['id']}: the revision it published is not in this pack as it was published")
    checked = list(evidence["checkpoints"]) + ([evidence["latest_checkpoint"]] if evidence.get("latest_checkpoint") else [])
    for c in checked:
        signed = {k: c[k] for k in ("created_at", "event_count", "event_hash", "event_id", "key_id")}
        try:
            key.verify(bytes.fromhex(c["signature"]), json.dumps(signed, sort_keys=True, separators=(",", ":")).encode())
        except Exception:
            problems.append(f"checkpoint of event {c['event_id']}: the signature does not verify")
    for c in evidence["checkpoints"]:
        if events.get(c["event_id"]) != c["event_hash"]:
            problems.append(f"checkpoint of event {c['event_id']}: the event in this pack is not the one signed")
    for p in problems:
        print(p)
    def count(n, word):
        return f"{n} {word}{'' if n == 1 else 's'}"

    print(f"{'OK' if not problems else 'NOT OK'}: {count(len(evidence['revisions']), 'revision')}, "
          f"{count(len(events), 'event')}, {count(len(evidence['checkpoints']), 'checkpoint')} checked, "
          f"{count(len(problems), 'problem')}.")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
'''
