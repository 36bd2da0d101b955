"""Build a synthetic newsroom fast: users through the service, everything else by bulk Core inserts.

The audit chain is computed in Python, in id order, with editorial.audit.hashing.event_hash itself, so
`flask --app editorial audit verify` passes on the result. Revision content hashes use
editorial.articles.history.content_hash, so signatures and the public page's integrity check hold.
"""
from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "vetted-bench-password-2026"
# Cheap argon2id for the bulk of the accounts (the algorithm stays argon2id).
CHEAP_HASH = {"PASSWORD_HASH_TIME_COST": 1, "PASSWORD_HASH_MEMORY_KIB": 1024, "PASSWORD_HASH_PARALLELISM": 1}
# The production cost from config.Config, used for the accounts that sign approvals in the benchmark.
PRODUCTION_HASH = {"PASSWORD_HASH_TIME_COST": 3, "PASSWORD_HASH_MEMORY_KIB": 64 * 1024, "PASSWORD_HASH_PARALLELISM": 2}

TOPICS = ["Breast cancer", "Diabetes", "Heart failure", "Asthma", "Migraine", "Hypertension", "Depression",
          "Osteoporosis", "Pregnancy", "Vaccines", "Sleep", "Kidney disease"]
WORDS = ("patients treatment dose risk benefit trial evidence screening therapy symptoms diagnosis outcome "
         "surgery radiation follow-up guideline clinician physician study cohort adverse effect quality life "
         "survival prevention recurrence imaging biopsy chemotherapy hormone lifestyle exercise diet medication "
         "monitoring side effects referral consent specialist nurse pharmacy clinic hospital emergency").split()


@dataclass
class Size:
    articles: int = 10_000
    revisions: int = 200_000
    events: int = 1_000_000
    users: int = 200
    # Articles set aside for the write paths (per pool); each approve/publish consumes one article.
    write_pool: int = 400
    approvers: int = 8

    def scaled(self, factor: float) -> "Size":
        return Size(
            articles=max(40, int(self.articles * factor)), revisions=max(1_100, int(self.revisions * factor)),
            events=max(2_000, int(self.events * factor)), users=max(30, int(self.users * factor)),
            write_pool=self.write_pool, approvers=self.approvers,
        )


@dataclass
class Manifest:
    url: str
    size: dict
    password: str = PASSWORD
    editor: str = "editor@bench.example"
    writer: str = "writer@bench.example"
    reviewer: str = "reviewer@bench.example"
    auditor: str = "auditor@bench.example"
    approvers: list = field(default_factory=list)
    tokens: dict = field(default_factory=dict)  # email -> raw API token
    history_article: int = 1
    diff_article: int = 2
    edit_article: int = 0
    public_slug: str = ""
    busy_actor: int = 0
    save_pool: list = field(default_factory=list)
    approve_pool: dict = field(default_factory=dict)  # approver email -> [article ids]
    publish_pool: list = field(default_factory=list)
    submit_pool: list = field(default_factory=list)  # drafts with a reviewer and citations, ready to submit
    timings: dict = field(default_factory=dict)

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self), indent=1))

    @classmethod
    def load(cls, path: Path) -> "Manifest":
        return cls(**json.loads(path.read_text()))


def flask_env(url: str, instance: Path) -> dict:
    env = dict(os.environ)
    env.update(DATABASE_URL=url, EDITORIAL_INSTANCE_PATH=str(instance), SECRET_KEY="bench-secret-key-not-for-production")
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def flask_cli(url: str, instance: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "flask", "--app", "editorial", *args], cwd=ROOT,
                          env=flask_env(url, instance), check=check, capture_output=True, text=True)


def reset_database(url: str) -> None:
    """PostgreSQL: (re)create the named database. SQLite: remove the file."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(parsed.database + suffix).unlink(missing_ok=True)
        return
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
        # As the README advises for production on SSDs: index lookups cost little more than
        # sequential reads (the default, 4, assumes spinning disks and picks hash joins here).
        conn.execute(text(f'ALTER DATABASE "{parsed.database}" SET random_page_cost = 1.1'))
    admin.dispose()


def drop_database(url: str) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
    admin.dispose()


def _words(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def _paragraphs(rng: random.Random, n: int) -> list[str]:
    out = []
    for _ in range(n):
        sentences = [_words(rng, rng.randint(8, 16)).capitalize() + "." for _ in range(rng.randint(2, 4))]
        out.append(" ".join(sentences))
    return out


def _eight_kb(rng: random.Random) -> tuple[str, str]:
    """Two ~8 KB bodies that differ in about 5% of their words."""
    paragraphs = []
    while sum(len(p) + 2 for p in paragraphs) < 8_000:
        paragraphs.append(_words(rng, 60).capitalize() + ".")
    old = "\n\n".join(paragraphs)[:8_192]
    words = old.split(" ")
    for i in rng.sample(range(len(words)), len(words) // 20):
        words[i] = rng.choice(WORDS).upper()
    return old, " ".join(words)[:8_192]


def generate(url: str, instance: Path, size: Size, *, seed: int = 2026, log=print) -> Manifest:
    from flask_migrate import upgrade  # noqa: F401  (import check: the app's dependencies are present)
    from sqlalchemy import bindparam, insert, select, text, update

    from editorial import create_app
    from editorial.audit.hashing import GENESIS_HASH, canonical_json, event_hash
    from editorial.core.clock import frozen_at
    from editorial.core.extensions import db
    from editorial.audit.history_guard import drop_live_pointer_guard, live_pointer_guard
    from editorial.articles.models import Article, Revision, RevisionCitation
    from editorial.reviews.models import Assignment, Signature
    from editorial.audit.models import AuditEvent
    from editorial.citations.models import Citation
    from editorial.accounts.models import User
    from editorial.accounts import service as user_service
    from editorial.articles.history import content_hash

    rng = random.Random(seed)
    timings: dict[str, float] = {}
    started = time.perf_counter()

    # 1. Schema through the migrations, exactly as an operator would.
    t = time.perf_counter()
    instance.mkdir(parents=True, exist_ok=True)
    reset_database(url)
    flask_cli(url, instance, "init-db")
    timings["init_db_s"] = time.perf_counter() - t

    os.environ["EDITORIAL_INSTANCE_PATH"] = str(instance)  # the servers' instance folder (its audit key)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench-secret-key-not-for-production", **CHEAP_HASH})
    manifest = Manifest(url=url, size=asdict(size))
    now = datetime.now(timezone.utc).replace(microsecond=0)
    t0 = now - timedelta(days=730)

    # 2. Users through the service, argon2 at a cheap cost: approve is measured apart from the deliberate
    #    cost of the production password check, which bench/run.py reports on its own line.
    t = time.perf_counter()
    with app.app_context(), frozen_at(t0):
        def make(email, name, roles, **profile):
            user = user_service.create_user(None, email=email, name=name, password=PASSWORD, roles=roles, **profile)
            return user

        reviewer_profile = dict(credentials="MD", specialty="Internal medicine", affiliation="Bench Hospital",
                                disclosure="None")
        fixed = [
            make("admin@bench.example", "Ada Admin", ["admin"]),
            make(manifest.editor, "Eddie Editor", ["editor"]),
            make(manifest.writer, "Wanda Writer", ["writer"]),
            make(manifest.auditor, "Audrey Auditor", ["auditor"]),
            make(manifest.reviewer, "Dr. Rita Review", ["reviewer"], **reviewer_profile),
        ]
        roles_cycle = ["writer"] * 6 + ["reviewer"] * 10 + ["editor"] * 2 + ["auditor", "admin"]
        others = []
        for n in range(max(0, size.users - len(fixed) - size.approvers)):
            role = roles_cycle[n % len(roles_cycle)]
            profile = reviewer_profile if role == "reviewer" else {}
            others.append(make(f"{role}{n}@bench.example", f"{role.title()} Number {n}", [role], **profile))
        approvers = [make(f"approver{k}@bench.example", f"Dr. Approver {k}", ["reviewer"], **reviewer_profile)
                     for k in range(size.approvers)]
        db.session.commit()
        for email in [manifest.editor, manifest.writer, manifest.auditor, manifest.reviewer] + [a.email for a in approvers]:
            _, raw = user_service.issue_token(None, user_service.find_by_email(email), "bench")
            manifest.tokens[email] = raw
        db.session.commit()
        people = {u.id: SimpleNamespace(id=u.id, name=u.name, email=u.email, roles={r.role for r in u.role_rows})
                  for u in db.session.scalars(select(User)).all()}
        prev_hash = db.session.scalar(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)) or GENESIS_HASH
        next_event_id = (db.session.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(1)) or 0) + 1
    timings["users_s"] = time.perf_counter() - t
    manifest.approvers = [a.email for a in approvers]

    writers = [p for p in people.values() if "writer" in p.roles]
    editors = [p for p in people.values() if "editor" in p.roles]
    reviewers = [p for p in people.values() if "reviewer" in p.roles and not p.email.startswith("approver")]
    by_email = {p.email: p for p in people.values()}
    bench_writer, bench_editor = by_email[manifest.writer], by_email[manifest.editor]
    approver_people = [by_email[e] for e in manifest.approvers]
    everyone = list(people.values())
    manifest.busy_actor = writers[len(writers) // 2].id

    engine = None
    with app.app_context():
        engine = db.engine
    tables = {m: m.__table__ for m in (Article, Revision, RevisionCitation, Assignment, Signature, AuditEvent, Citation)}

    # 3. Citations.
    n_citations = max(20, size.articles // 20)
    citations = []
    for i in range(1, n_citations + 1):
        title = f"A randomised trial of {rng.choice(WORDS)} and {rng.choice(WORDS)} ({i})"
        citations.append(dict(
            id=i, key=f"src{i}", type="article-journal", title=title, container_title="J Bench Med", year=2000 + i % 25,
            doi=f"10.5555/bench.{i}", pmid=None, url=None, fingerprint=f"{title.casefold()} {2000 + i % 25}",
            data="{}", formatted=f"Doe J, Roe R. {title}. J Bench Med. {2000 + i % 25};{i}:1-9.",
            formatted_html=f"Doe J, Roe R. {title}. <i>J Bench Med</i>. {2000 + i % 25};{i}:1-9.",
            created_at=t0, created_by_id=bench_editor.id, retracted=False,
        ))
    with engine.begin() as conn:
        conn.execute(insert(tables[Citation]), citations)

    # 4. The plan: how many revisions each article gets, and its state.
    n = size.articles
    pool = size.write_pool
    special = 2  # article 1: 1,000 revisions; article 2: two 8 KB revisions
    n_regular = n - special - 4 * pool
    if n_regular < 10:
        raise SystemExit(f"--articles must be at least {special + 4 * pool + 10} with a write pool of {pool}")
    history_revisions = min(1_000, max(10, size.revisions // 4))
    remaining = size.revisions - history_revisions - 2 - 4 * pool
    base, extra = divmod(max(remaining, n_regular), n_regular)
    counts = [base + (1 if i < extra else 0) for i in range(n_regular)]
    rng.shuffle(counts)
    states = rng.choices(["published", "draft", "in_review", "changes_requested", "approved", "archived"],
                         weights=[40, 20, 20, 5, 10, 5], k=n_regular)
    plan = [("published", history_revisions, "history"), ("draft", 2, "diff")]
    plan += [(s, c, "regular") for s, c in zip(states, counts)]
    plan += [("draft", 1, "save")] * pool + [("in_review", 1, "approve")] * pool + [("approved", 1, "publish")] * pool
    plan += [("draft", 1, "submit")] * pool

    per_article_events = []
    for state, revs, kind in plan:
        e = 1 + revs  # created + each revision saved
        if state != "draft" or kind in ("regular", "submit"):
            e += 2  # review.assigned x2 (upper bound; drafts may have fewer)
        if state in ("in_review", "changes_requested", "approved", "published", "archived"):
            e += 1  # submit
        if state in ("approved", "published", "archived"):
            e += 3  # signatures + approve
        if state in ("published", "archived"):
            e += 1
        if state == "archived":
            e += 1
        if state == "changes_requested":
            e += 1
        per_article_events.append(e)
    filler_total = max(0, size.events - (next_event_id - 1) - sum(per_article_events))
    total_events_est = size.events
    step = timedelta(seconds=(now - t0 - timedelta(days=1)).total_seconds() / max(1, total_events_est))
    paragraphs = _paragraphs(rng, 200)
    eight_old, eight_new = _eight_kb(rng)

    # 5. Stream articles, revisions, assignments, signatures and audit events in chunks. A bulk load
    # writes each article's live pointer in one UPDATE with all its events, not publish by publish,
    # so it lifts the live pointer's guard (as the database owner may) and puts it back afterwards.
    t = time.perf_counter()
    with engine.begin() as conn:
        for statement in drop_live_pointer_guard(engine.dialect.name):
            conn.exec_driver_sql(statement)
    state_ = SimpleNamespace(prev=prev_hash, event_id=next_event_id, revision_id=1, assignment_id=1, signature_id=1,
                             clock=t0 + timedelta(seconds=1), filler_done=0)
    buf = {k: [] for k in ("articles", "revisions", "references", "links", "assignments", "signatures", "events")}

    def event(action, actor, object_type, object_id=None, article_id=None, revision_number=None,
              from_state=None, to_state=None, detail=None):
        state_.clock += step
        ev = SimpleNamespace(
            id=state_.event_id, at=state_.clock, actor_id=actor.id if actor else None,
            actor_name=actor.name if actor else "system (command line)", action=action, object_type=object_type,
            object_id=None if object_id is None else str(object_id), article_id=article_id,
            revision_number=revision_number, from_state=from_state, to_state=to_state,
            detail=canonical_json(detail or {}), prev_hash=state_.prev,
        )
        ev.hash = event_hash(ev)
        state_.prev = ev.hash
        state_.event_id += 1
        buf["events"].append(ev.__dict__)
        return ev.at

    def flush():
        with engine.begin() as conn:
            if buf["articles"]:
                conn.execute(insert(tables[Article]), buf["articles"])
            if buf["revisions"]:
                conn.execute(insert(tables[Revision]), buf["revisions"])
            if buf["references"]:
                conn.execute(insert(tables[RevisionCitation]), buf["references"])
            if buf["links"]:
                a = tables[Article]
                conn.execute(
                    update(a).where(a.c.id == bindparam("aid")).values(
                        current_revision_id=bindparam("cur"), live_revision_id=bindparam("live")),
                    buf["links"],
                )
            if buf["assignments"]:
                conn.execute(insert(tables[Assignment]), buf["assignments"])
            if buf["signatures"]:
                conn.execute(insert(tables[Signature]), buf["signatures"])
            if buf["events"]:
                conn.execute(insert(tables[AuditEvent]), buf["events"])
        for v in buf.values():
            v.clear()

    approve_index = 0
    for index, (state, n_revs, kind) in enumerate(plan):
        article_id = index + 1
        topic = TOPICS[article_id % len(TOPICS)]
        if kind in ("save", "approve", "publish", "submit", "history"):
            author = bench_writer
        else:
            author = writers[article_id % len(writers)]
        title_base = f"{topic}: {rng.choice(WORDS)} and {rng.choice(WORDS)}"
        slug = f"{topic.lower().replace(' ', '-')}-{article_id}"
        keys = rng.sample(range(1, n_citations + 1), 2)
        cids = keys
        base_body = "\n\n".join(rng.sample(paragraphs, 4)) + f" [@src{keys[0]}] and [@src{keys[1]}]."
        summary = rng.choice(paragraphs)[:300]
        created = event("article.created", author, "article", article_id, article_id, to_state="draft",
                        detail={"slug": slug, "topic": topic})
        last_rev_id = None
        for number in range(1, n_revs + 1):
            title = title_base if number == 1 else f"{title_base} (v{number})"
            if kind == "diff":
                body = (eight_old if number == 1 else eight_new)
            elif number == 1:
                body = base_body
            else:
                body = base_body + f"\n\nUpdate {number}: " + paragraphs[(article_id + number) % len(paragraphs)]
            rev_author = author if (number % 5 or kind != "regular") else editors[number % len(editors)]
            chash = content_hash(title, summary, body, cids)
            note = "Created" if number == 1 else f"Edit {number}: {rng.choice(WORDS)}"
            at = event("revision.saved", rev_author, "revision", state_.revision_id, article_id, number,
                       "draft", "draft", {"fields": ["title", "summary", "body"] if number == 1 else ["title", "body"],
                                          "content_hash": chash, "note": note})
            buf["revisions"].append(dict(
                id=state_.revision_id, article_id=article_id, number=number, title=title, summary=summary, body=body,
                note=note, author_id=rev_author.id, created_at=at, content_hash=chash,
            ))
            buf["references"] += [dict(revision_id=state_.revision_id, position=position, citation_id=citation_id)
                                  for position, citation_id in enumerate(cids)]
            last_rev = buf["revisions"][-1]
            last_rev_id = state_.revision_id
            state_.revision_id += 1
        # Reviewers.
        if kind == "approve":
            assigned = [approver_people[approve_index % len(approver_people)]]
            manifest.approve_pool.setdefault(assigned[0].email, []).append(article_id)
            approve_index += 1
        elif kind in ("publish", "submit"):
            assigned = [reviewers[article_id % len(reviewers)]]
        elif state == "draft" and (kind != "regular" or article_id % 5):
            assigned = []
        else:
            assigned = rng.sample(reviewers, 2)
        decided = state in ("approved", "published", "archived")
        for reviewer in assigned:
            at = event("review.assigned", bench_editor, "assignment", state_.assignment_id, article_id, n_revs,
                       detail={"reviewer_id": reviewer.id, "reviewer": reviewer.name})
            buf["assignments"].append(dict(
                id=state_.assignment_id, article_id=article_id, reviewer_id=reviewer.id, assigned_by_id=bench_editor.id,
                assigned_at=at, due_date=(at + timedelta(days=rng.randint(-20, 60))).date() if kind == "regular" else None,
                accepted_at=at if state != "draft" else None, declined_at=None, decline_reason=None,
                conflict_of_interest=None, conflict_declared_at=at if state != "draft" else None,
                conflict_waived_at=None, conflict_waived_by_id=None, conflict_waiver_reason=None,
                decision="approved" if decided else ("changes_requested" if state == "changes_requested" else None),
                decided_revision=n_revs if decided or state == "changes_requested" else None,
                decided_at=at if decided or state == "changes_requested" else None, removed_at=None, removed_by_id=None,
            ))
            state_.assignment_id += 1
        at = created
        if state != "draft":
            at = event("article.submit", author, "article", article_id, article_id, n_revs, "draft", "in_review",
                       {"note": ""})
        if decided:
            for reviewer in assigned:
                at = event("signature.recorded", reviewer, "signature", state_.signature_id, article_id, n_revs,
                           detail={"meaning": "approval", "content_hash": last_rev["content_hash"],
                                   "printed_name": reviewer.name, "credentials": "MD"})
                buf["signatures"].append(dict(
                    id=state_.signature_id, article_id=article_id, revision_id=last_rev_id, revision_number=n_revs,
                    content_hash=last_rev["content_hash"], signer_id=reviewer.id, signed_at=at, meaning="approval",
                    printed_name=reviewer.name, credentials="MD", specialty="Internal medicine",
                    affiliation="Bench Hospital", disclosure="None", conflict_of_interest=None,
                ))
                state_.signature_id += 1
            at = event("article.approve", assigned[-1], "article", article_id, article_id, n_revs, "in_review",
                       "approved", {"content_hash": last_rev["content_hash"]})
        published_at = None
        if state in ("published", "archived"):
            published_at = at = event("article.publish", bench_editor, "article", article_id, article_id, n_revs,
                                      "approved", "published",
                                      {"live_revision": n_revs, "content_hash": last_rev["content_hash"]})
        if state == "archived":
            at = event("article.unpublish", bench_editor, "article", article_id, article_id, n_revs, "published",
                       "archived", {"was_live_revision_id": last_rev_id, "note": ""})
        if state == "changes_requested":
            at = event("article.request_changes", assigned[0], "article", article_id, article_id, n_revs, "in_review",
                       "changes_requested", {"comment": "Please cite the newer trial."})
        buf["articles"].append(dict(
            id=article_id, slug=slug, topic=topic, author_id=author.id, state=state, version=n_revs,
            title=last_rev["title"], current_revision_id=None, live_revision_id=None,
            ever_submitted=state != "draft", created_at=created, updated_at=at, published_at=published_at,
            last_reviewed_at=published_at, next_review_due=(published_at + timedelta(days=365)).date() if published_at else None,
            review_interval_months=None,
        ))
        buf["links"].append(dict(aid=article_id, cur=last_rev_id, live=last_rev_id if state == "published" else None))
        if kind == "save":
            manifest.save_pool.append(article_id)
        elif kind == "publish":
            manifest.publish_pool.append(article_id)
        elif kind == "submit":
            manifest.submit_pool.append(article_id)
        elif kind == "regular" and state == "published" and not manifest.public_slug:
            manifest.public_slug = slug
        elif kind == "regular" and state == "draft" and not manifest.edit_article:
            manifest.edit_article = article_id
        # Filler: sign-ins, spread evenly over the timeline.
        due = (index + 1) * filler_total // len(plan) - state_.filler_done
        for _ in range(due):
            who = everyone[rng.randrange(len(everyone))]
            event("auth.signed_in", who, "user", who.id, detail={"remote_addr": f"10.0.{rng.randrange(256)}.{rng.randrange(256)}"})
        state_.filler_done += due
        if len(buf["events"]) >= 20_000 or len(buf["revisions"]) >= 5_000:
            flush()
            if log:
                log(f"  {article_id}/{len(plan)} articles, {state_.revision_id - 1} revisions, "
                    f"{state_.event_id - 1} events, {time.perf_counter() - t:.0f} s")
    while state_.event_id - 1 < size.events:  # top up to the requested count (the plan is an estimate)
        who = everyone[rng.randrange(len(everyone))]
        event("auth.signed_in", who, "user", who.id, detail={"remote_addr": "10.0.0.1"})
    flush()
    with engine.begin() as conn:
        for statement in live_pointer_guard(engine.dialect.name):
            conn.exec_driver_sql(statement)
    timings["bulk_insert_s"] = time.perf_counter() - t

    # 6. Sequences (PostgreSQL) and planner statistics.
    t = time.perf_counter()
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            for table in ("articles", "revisions", "assignments", "signatures", "audit_events", "citations"):
                conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"))
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    else:
        with engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
    timings["analyze_s"] = time.perf_counter() - t
    with app.app_context():
        db.engine.dispose()
    timings["total_s"] = time.perf_counter() - started
    timings["events"] = state_.event_id - 1
    timings["revisions"] = state_.revision_id - 1
    timings["articles"] = len(plan)
    manifest.timings = timings
    return manifest
