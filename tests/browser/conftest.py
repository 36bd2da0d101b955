"""Browser tests: headless Debian Chromium driven by Playwright, against a real server.

Each test gets the app on a database of its own (`isolated_app`: a SQLite file, or a throwaway
PostgreSQL database when DATABASE_URL points at PostgreSQL), served by werkzeug on 127.0.0.1 on
a free port in a thread, and stopped at the end of the test.

Without /usr/bin/chromium (or without the playwright package) the tests are skipped with the
reason, unless the environment variable CI is set: then they fail, so CI never skips them.
Screenshots go to test-output/screenshots/ (git-ignored) for a person to look at.
"""
from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import TEST_PASSWORD

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic",
]
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-output" / "screenshots"
WIDTHS = {"phone": 390, "desktop": 1280}
TIMEOUT_MS = 15_000


def _missing() -> str | None:
    if not Path(CHROMIUM).exists():
        return f"{CHROMIUM} is not installed (Debian: apt-get install -y chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -e '.[test]')"
    return None


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


@pytest.fixture(scope="session", autouse=True)
def _chromium_available():
    """Skip on a machine without Chromium; fail loudly in CI, where browser tests must run."""
    reason = _missing()
    if reason:
        if _in_ci():
            pytest.fail(f"Browser tests cannot run and CI is set, so they may not be skipped: {reason}.", pytrace=False)
        pytest.skip(f"Browser tests skipped: {reason}.")


@pytest.fixture(scope="session")
def browser(_chromium_available):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


def shot(page, name: str) -> None:
    """A full-page screenshot, test-output/screenshots/NAME.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


# --- the people -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Person:
    email: str
    name: str
    roles: tuple[str, ...]
    profile: tuple[tuple[str, str], ...] = ()
    password: str = TEST_PASSWORD
    id: int = 0


PEOPLE = {
    "writer": Person("writer@browser.example.org", "Wanda Writer", ("writer",)),
    "editor": Person("editor@browser.example.org", "Eddie Editor", ("editor",)),
    "reviewer": Person("rita@browser.example.org", "Dr. Rita Review", ("reviewer",), (
        ("credentials", "MD"), ("specialty", "Radiation oncology"), ("affiliation", "City Hospital"),
        ("disclosure", "None"))),
    "reviewer2": Person("sam@browser.example.org", "Dr. Sam Second", ("reviewer",), (
        ("credentials", "MD, PhD"), ("specialty", "Breast surgery"), ("affiliation", "County Clinic"),
        ("disclosure", "None"))),
    "auditor": Person("auditor@browser.example.org", "Audrey Auditor", ("auditor",)),
    "admin": Person("admin@browser.example.org", "Adam Administrator-With-A-Rather-Long-Name", ("admin",)),
}


@pytest.fixture
def people(isolated_app) -> dict[str, Person]:
    """The newsroom, created through the users service and committed before the server starts."""
    from editorial.core.extensions import db
    from editorial.accounts import service as user_service

    made = {}
    with isolated_app.app_context():
        for key, person in PEOPLE.items():
            user = user_service.create_user(None, email=person.email, name=person.name, password=person.password,
                                            roles=list(person.roles), **dict(person.profile))
            db.session.flush()
            made[key] = Person(**{**person.__dict__, "id": user.id})
        db.session.commit()
    return made


# --- the server -------------------------------------------------------------------------------

class LiveServer:
    """werkzeug's make_server in a thread on a free port; records every 5xx and exception."""

    def __init__(self, app):
        from werkzeug.serving import WSGIRequestHandler, make_server

        class QuietHandler(WSGIRequestHandler):
            def log_request(self, *args, **kwargs):  # keep the test output readable
                pass

        self.app = app
        self.errors: list[str] = []
        self.server = make_server("127.0.0.1", 0, self._wsgi, threaded=True, request_handler=QuietHandler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, name="live-server", daemon=True)

    def _wsgi(self, environ, start_response):
        where = f"{environ.get('REQUEST_METHOD')} {environ.get('PATH_INFO')}"

        def recording_start_response(status, headers, exc_info=None):
            if status.startswith("5"):
                self.errors.append(f"{where} -> {status}")
            return start_response(status, headers, exc_info)

        try:
            return self.app(environ, recording_start_response)
        except Exception as exc:  # the app runs with TESTING: exceptions propagate to here
            self.errors.append(f"{where} raised {exc!r}")
            raise

    def start(self) -> LiveServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(timeout=10)
        self.server.server_close()

    def check(self) -> None:
        assert not self.errors, "the server failed: " + "; ".join(self.errors)


@pytest.fixture
def live_server(isolated_app, people):
    server = LiveServer(isolated_app).start()
    try:
        yield server
    finally:
        server.stop()
    server.check()


# --- browser helpers --------------------------------------------------------------------------

@pytest.fixture
def new_context(browser, live_server):
    """new_context(person=None, width=1280): one browser context per person (None: an anonymous
    reader); a person's context is signed in through the sign-in page."""
    contexts = []

    def make(person: Person | None = None, width: int = WIDTHS["desktop"], height: int = 900):
        context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": height},
                                      accept_downloads=True)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        if person is not None:
            sign_in(context.new_page(), person)
        return context

    yield make
    for context in contexts:
        context.close()


def sign_in(page, person: Person) -> None:
    from playwright.sync_api import expect

    page.goto("/sign-in")
    page.get_by_label("E-mail").fill(person.email)
    page.get_by_label("Password").fill(person.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    expect(page.get_by_role("link", name=person.name)).to_be_visible()


def body_editor(page):
    """The edit page's body, once its Markdown editor has taken over from the textarea.

    The editor is a deferred script: a test that types right after a click into the edit page can
    otherwise catch the plain textarea the moment before the script hides it."""
    from playwright.sync_api import expect

    expect(page.locator("#edit-form .cm-content")).to_be_visible()
    return page.get_by_label("Body (Markdown)")


def page_of(context):
    """The context's open page (the one sign-in used), or a new one."""
    return context.pages[0] if context.pages else context.new_page()
