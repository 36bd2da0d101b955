"""Property-based fuzzing of API v1 from its own OpenAPI document (schemathesis).

Every operation of /api/v1/openapi.json gets a bounded number of generated requests, valid and
invalid, sent through the test app in this thread (WSGI transport), so they run inside this
test's rolled-back transaction and leave the database as they found it. The caller holds every
role, so most requests get past permissions; generated path ids are often swapped for ids that
exist, so requests also reach the real work. Each answer must not be a 5xx, must have a status
the document lists for the operation, and must match the schema the document gives for it.
"""
import os

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from schemathesis import GenerationMode  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.conftest import TEST_PASSWORD  # noqa: E402

MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "50"))  # per operation, valid and invalid together
# negative_data_rejection stays off: query strings are deliberately lenient (unknown parameters and
# empty values are ignored, as "absent"), which that check counts as accepting invalid input.
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


class World:
    """Existing data for the fuzzer to hit: ids of things that exist, and the caller's token."""

    def __init__(self, newsroom, make_user, token_for):
        n = newsroom
        self.caller = make_user(
            "writer", "editor", "reviewer", "auditor", "admin", name="Dr. Fuzz Everyrole", credentials="MD",
            specialty="Internal medicine", affiliation="Test Hospital", disclosure="None", password=TEST_PASSWORD,
        )
        self.headers = token_for(self.caller)
        published = n.published()
        draft = n.create(title="A draft to fuzz")
        n.attach(draft["id"])
        assert n.assign(draft["id"], n.reviewer).status_code == 201
        self.ids = {
            "article_id": [published["id"], draft["id"]],
            "user_id": [n.reviewer.id, n.reviewer2.id, self.caller.id],
            "citation_id": [n.citation.id],
            "number": [1, 2],
            "slug": [published["slug"]],
        }


@pytest.fixture
def fuzz_world(newsroom, make_user, token_for):
    return World(newsroom, make_user, token_for)


def _fuzz(operation, world, checks) -> None:
    """Up to MAX_EXAMPLES generated requests, valid and invalid, for one operation."""
    cases = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE).map(lambda case: (case, True)),
        operation.as_strategy(GenerationMode.NEGATIVE).map(lambda case: (case, False)),
    )

    @settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None, print_blob=False,
              suppress_health_check=list(HealthCheck))
    @given(generated=cases, data=st.data())
    def run(generated, data):
        case, positive = generated
        # Valid requests often name things that exist (an invalid one must stay invalid: untouched).
        for name, existing in world.ids.items():
            if positive and name in (case.path_parameters or {}) and data.draw(st.booleans(), label=f"real {name}"):
                case.path_parameters[name] = data.draw(st.sampled_from(existing), label=name)
        case.call_and_validate(headers=world.headers, checks=checks)

    run()


def test_every_operation_survives_the_fuzzer(app, fuzz_world):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 25
    failures = []
    for operation in operations:
        try:
            _fuzz(operation, fuzz_world, CHECKS)
        except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001  (collected, reported together below)
            failures.append(f"{operation.label}:\n{exc}")
    assert not failures, "\n\n".join(failures)
    # What the fuzzer wrote (and then rolled back with this test) kept the audit chain whole.
    verify = app.test_client().get("/api/v1/audit/verify", headers=fuzz_world.headers)
    assert verify.status_code == 200 and verify.json["ok"] is True, verify.json


def test_the_fuzzer_reports_a_server_error(app, fuzz_world, monkeypatch):
    """The harness itself: a view that fails must fail the run."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operation = next(r.ok() for r in schema.get_all_operations() if r.ok().label == "GET /api/v1/me")

    def broken():
        raise RuntimeError("boom")

    monkeypatch.setitem(app.view_functions, "api.me", broken)
    with pytest.raises(BaseException) as caught:  # schemathesis raises a FailureGroup (an exception group)
        _fuzz(operation, fuzz_world, CHECKS)
    assert "500" in str(caught.value) or "Server error" in str(caught.value)
