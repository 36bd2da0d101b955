"""How long a 200,000-character body (the size limit) takes to render, alone and as a page.

    .venv/bin/python -m bench.render [--size 200000] [--repeat 3]

For each body shape (Markdown tables of several kinds, and prose) it prints the median wall time of
rendering.render_body, then of the pages that show the body, in-process through the Flask test
client on a temporary SQLite database: the desk's article page and revision page (signed in as the
editor) and the public page of the published article; "1st" and the revision page start from an
empty cache (they render), "2nd" follows "1st" (served from the rendered-HTML cache). Medians of
--repeat runs. Figures: bench/README.md.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time

PASSWORD = "bench-password-long-enough"


def _fill(head: str, row, size: int) -> str:
    parts, length, n = [head], len(head), 0
    while length < size:
        line = row(n)
        parts.append(line)
        length += len(line)
        n += 1
    return "".join(parts)[:size]


def _largest_allowed(head: str, row, size: int) -> str:
    from editorial.articles.rendering import MAX_RENDER_COST, render_cost

    low, high = 0, size  # rows
    while low < high:
        middle = (low + high + 1) // 2
        body = head + "".join(row(n) for n in range(middle))
        if len(body) <= size and render_cost(body) <= MAX_RENDER_COST:
            low = middle
        else:
            high = middle - 1
    return head + "".join(row(n) for n in range(low))


def bodies(size: int) -> dict[str, str]:
    cite = " [@bench2024]"
    return {
        "table, 4 columns": _fill("Doses by drug:" + cite + "\n\n| Drug | Dose | Route | Notes |\n|---|---|---|---|\n",
                                  lambda n: f"| drug {n} | {n} mg | oral | take with food{cite} |\n", size),
        "table, short rows": _fill("| a | b |\n|---|---|\n", lambda n: f"|{n % 10}|{n % 7}|\n", size),
        "table, rows without pipes": _fill("| a | b |\n|---|---|\n", lambda n: "x\n", size),
        "table, 1000 columns": _fill("|" + "|".join("c" for _ in range(1000)) + "|\n|" + "|".join("-" for _ in range(1000)) + "|\n",
                                     lambda n: "|" + "|".join(str(n % 10) for _ in range(1000)) + "|\n", size),
        # The largest such table a body may hold (rendering.MAX_RENDER_COST), not the size limit.
        "table, 4 columns, at limit": _largest_allowed(
            "Doses by drug:" + cite + "\n\n| Drug | Dose | Route | Notes |\n|---|---|---|---|\n",
            lambda n: f"| drug {n} | {n} mg | oral | take with food{cite} |\n", size),
        # Shapes whose cost is not in their length (#17): the largest of each a body may hold.
        "nested lists, at limit": _largest_allowed("", lambda n: "- - - - - - - - a\n", size),
        "unclosed brackets, at limit": _largest_allowed("", lambda n: "[a ", size),
        "autolinks, at limit": _largest_allowed("", lambda n: "<http://a.b> ", size),
        "emphasis, at limit": _largest_allowed("", lambda n: "*a* ", size),
        "prose": _fill("Prose." + cite + "\n\n", lambda n: f"Paragraph {n} says *something* about **dosing**{cite}.\n\n", size),
    }


def migrated_app(name: str):
    """The app on a fresh SQLite file in a temporary folder, migrated to the head, served as in
    production (TESTING off): what the in-process benchmarks (this one, bench/editor.py) measure."""
    from flask_migrate import upgrade

    from config import TestConfig
    from editorial import create_app

    workdir = tempfile.mkdtemp(prefix=f"vetted-{name}-bench-")
    config = type(f"{name.title()}BenchConfig", (TestConfig,), {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir}/bench.sqlite", "AUDIT_CHECKPOINT_DIR": f"{workdir}/checkpoints",
        "TESTING": False})
    app = create_app(config)
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
    return app


def median_s(call, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _newsroom(app):
    from editorial.core.extensions import db
    from editorial.citations.models import Citation
    from editorial.accounts import service as users

    with app.app_context():
        make = users.create_user
        people = {
            "writer": make(None, email="w@bench.example", name="W", password=PASSWORD, roles=["writer"]),
            "editor": make(None, email="e@bench.example", name="E", password=PASSWORD, roles=["editor"]),
            "r1": make(None, email="r1@bench.example", name="Dr. R1", password=PASSWORD, roles=["reviewer"],
                       credentials="MD", disclosure="None"),
            "r2": make(None, email="r2@bench.example", name="Dr. R2", password=PASSWORD, roles=["reviewer"],
                       credentials="MD", disclosure="None"),
        }
        db.session.flush()
        citation = Citation(key="bench2024", title="A study", fingerprint="a study", year=2025, formatted="Doe J.")
        db.session.add(citation)
        db.session.flush()
        tokens = {name: {"Authorization": f"Bearer {users.issue_token(None, user)[1]}"} for name, user in people.items()}
        ids = {name: user.get_id() for name, user in people.items()}
        db.session.commit()
        return tokens, ids, citation.id


def _published(client, tokens, citation_id, body) -> tuple[int | None, str]:
    def call(method, path, who, json):
        response = client.open(f"/api/v1{path}", method=method, headers=tokens[who], json=json)
        assert response.status_code < 300, (path, response.status_code, response.get_data(as_text=True)[:300])
        return response.get_json()

    created = client.post("/api/v1/articles", headers=tokens["writer"], json={"title": "A long table", "body": body})
    if created.status_code == 422:  # over rendering.MAX_RENDER_COST: refused where it is saved
        return None, created.get_json()["error"]["fields"]["body"]
    article = created.get_json()
    article_id = article["id"]
    call("POST", f"/articles/{article_id}/citations", "writer", {"citation_id": citation_id})
    for reviewer in ("r1", "r2"):
        me = call("GET", "/me", reviewer, None)
        call("POST", f"/articles/{article_id}/reviewers", "editor", {"user_id": me["id"]})
    call("POST", f"/articles/{article_id}/transitions", "writer", {"action": "submit"})
    for reviewer in ("r1", "r2"):
        current = call("GET", f"/articles/{article_id}", reviewer, None)["current_revision"]
        call("POST", f"/articles/{article_id}/transitions", reviewer,
             {"action": "approve", "password": PASSWORD, "revision": current["number"],
              "content_hash": current["content_hash"], "conflict_of_interest": "none"})
    published = call("POST", f"/articles/{article_id}/transitions", "editor", {"action": "publish"})
    return article_id, published["slug"]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--shapes", default="", help="shape names separated by semicolons (default: all)")
    args = parser.parse_args(argv)

    from editorial.core.extensions import cache
    from editorial.articles.rendering import render_body

    shapes = bodies(args.size)
    if args.shapes:
        shapes = {k: v for k, v in shapes.items() if k in args.shapes.split(";")}
    app = migrated_app("render")
    tokens, ids, citation_id = _newsroom(app)
    client = app.test_client()
    from editorial.accounts.sign_in import sign_in_client

    sign_in_client(client, ids["editor"], user_agent="bench")
    reader = app.test_client()
    from editorial.articles import readability

    readability.assess("Warm up the imports. " * 10)  # textstat loads lazily, once a process, not once a page

    print(f"{'body (' + str(args.size) + ' chars)':<28} {'render_body':>11} {'desk 1st':>9} {'desk 2nd':>9} "
          f"{'revision':>9} {'public 1st':>10} {'public 2nd':>10}")
    for name, body in shapes.items():
        rendering = median_s(lambda: render_body(body), args.repeat)
        article_id, slug = _published(client, tokens, citation_id, body)
        if article_id is None:
            print(f"{name:<28} {rendering:>10.2f}s  refused at saving: {slug[:70]}")
            continue
        runs = []
        for _ in range(args.repeat):  # "1st" and the revision page from an empty cache; "2nd" right after "1st"
            run = []
            for path, who, cold in ((f"/articles/{article_id}", client, True), (f"/articles/{article_id}", client, False),
                                    (f"/articles/{article_id}/revisions/1", client, True),
                                    (f"/health/{slug}", reader, True), (f"/health/{slug}", reader, False)):
                if cold:
                    with app.app_context():
                        cache.clear()
                started = time.perf_counter()
                response = who.get(path)
                run.append(time.perf_counter() - started)
                assert response.status_code == 200, (path, response.status_code)
            runs.append(run)
        timings = [statistics.median(column) for column in zip(*runs)]
        print(f"{name:<28} {rendering:>10.2f}s " + " ".join(f"{t:>8.2f}s" for t in timings[:3])
              + " " + " ".join(f"{t:>9.2f}s" for t in timings[3:]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
