"""Fixtures of the browser tests.

A session-wide server process (``manage.py runserver``) serves a database of its own, built
from scratch with the reference data and the demo users, so the browser tests never touch
pytest-django's test database (and never flush the reference data other tests rely on).
Chromium is Debian's (/usr/bin/chromium); Playwright never downloads a browser here.
"""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from playwright.sync_api import expect

# The Playwright sync API runs an event loop in the test thread; Django's async-safety guard
# would otherwise refuse ORM calls made by other fixtures of the same process.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

BASE_DIR = Path(__file__).resolve().parents[4]
AXE_SCRIPT = BASE_DIR / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = os.environ.get("ICAHUB_E2E_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
TIMEOUT_MS = 15_000
expect.set_options(timeout=TIMEOUT_MS)
SERVER_START_SECONDS = 60


# --- a11y -----------------------------------------------------------------------------

# Every document loaded in the tab gets an id and is listed in sessionStorage as it starts;
# check_a11y lists the ids it checked, so that the page fixture can tell at the end of a test
# whether a page was left unchecked.
TRACK_DOCUMENTS = """(() => {
  if (window !== window.top) return;
  // Anything the Content-Security-Policy blocks (an inline script or style, a foreign
  // resource) is listed too: the page fixture fails the test on it.
  document.addEventListener('securitypolicyviolation', (event) => {
    try {
      const found = JSON.parse(sessionStorage.getItem('e2e-csp') || '[]');
      found.push(`${location.href}: ${event.effectiveDirective} blocked ${event.blockedURI}`
        + ` (${event.sourceFile || 'inline'}:${event.lineNumber})`);
      sessionStorage.setItem('e2e-csp', JSON.stringify(found));
    } catch (error) { /* no storage */ }
  });
  try {
    const docs = JSON.parse(sessionStorage.getItem('e2e-documents') || '[]');
    window.__e2eDocument = String(docs.length + 1);
    docs.push([window.__e2eDocument, location.href]);
    sessionStorage.setItem('e2e-documents', JSON.stringify(docs));
  } catch (error) { /* a document without storage (about:blank) */ }
})();"""
MARK_CHECKED = """() => {
  const checked = JSON.parse(sessionStorage.getItem('e2e-checked') || '[]');
  checked.push(window.__e2eDocument);
  sessionStorage.setItem('e2e-checked', JSON.stringify(checked));
}"""
CSP_VIOLATIONS = "() => JSON.parse(sessionStorage.getItem('e2e-csp') || '[]')"
UNCHECKED = """() => {
  const checked = new Set(JSON.parse(sessionStorage.getItem('e2e-checked') || '[]'));
  return JSON.parse(sessionStorage.getItem('e2e-documents') || '[]')
    .filter(([id]) => !checked.has(id)).map(([, url]) => url);
}"""


@functools.cache
def _axe_loader() -> str:
    return "() => {\n" + AXE_SCRIPT.read_text() + "\n}"


def check_csp(page) -> None:
    """Fail listing every Content-Security-Policy violation the tab's documents reported."""
    violations = page.evaluate(CSP_VIOLATIONS)
    if violations:
        pytest.fail("Content-Security-Policy violations:\n" + "\n".join(violations), pytrace=False)


def check_a11y(page) -> None:
    """Run axe-core (WCAG 2.0/2.1 A and AA rules) on the page; fail listing every violation."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Evaluated through the DevTools protocol, which the page's Content-Security-Policy
        # does not restrict (a <script> element added to the page would be blocked).
        page.evaluate(_axe_loader())
    result = page.evaluate(
        """async (tags) => {
            const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
            return r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                nodes: v.nodes.map(n => ({target: n.target, summary: n.failureSummary})),
            }));
        }""",
        AXE_TAGS,
    )
    if result:
        lines = [f"axe: {len(result)} accessibility violation(s) on {page.url}"]
        for violation in result:
            lines.append(
                f"- {violation['id']} ({violation['impact']}): {violation['help']}"
                f" <{violation['helpUrl']}>"
            )
            for node in violation["nodes"]:
                target = " ".join(json.dumps(t, ensure_ascii=False) for t in node["target"])
                summary = (node["summary"] or "").replace("\n", " ")
                lines.append(f"    {target}: {summary}")
        pytest.fail("\n".join(lines), pytrace=False)
    page.evaluate(MARK_CHECKED)


# --- server ---------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _is_postgres(url: str) -> bool:
    return url.split(":", 1)[0] in {"postgres", "postgresql", "pgsql", "postgis"}


def _worker_suffix(session: pytest.Session) -> str:
    """The database name's suffix: empty when this process alone runs the browser tests,
    else "_gw<N>".

    ``--dist loadgroup`` sends the whole "e2e" group to one xdist worker and marks its node
    ids "...@e2e". When the grouping is lost (pytest 9.2 with pytest-xdist 3.8: issue
    pytest-dev/pytest-xdist#1386), each worker runs some browser tests and needs a
    database of its own.
    """
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    e2e_items = [item for item in session.items if item.get_closest_marker("e2e")]
    if not worker or all(item.nodeid.endswith("@e2e") for item in e2e_items):
        return ""
    return f"_{worker}"


@pytest.fixture(scope="session")
def e2e_database_url(request, tmp_path_factory) -> Iterator[str]:
    """A fresh, empty database for the server: ``<dbname>_e2e`` next to the PostgreSQL
    database of DATABASE_URL, otherwise an SQLite file in a temporary directory."""
    url = os.environ.get("DATABASE_URL", "")
    if not _is_postgres(url):
        directory = tmp_path_factory.mktemp("e2e-db")
        yield f"sqlite:///{directory / 'e2e.sqlite3'}"
        return

    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/") or "icahub"
    e2e_name = f"{name}_e2e{_worker_suffix(request.session)}"
    maintenance = urlunsplit(("postgresql", parts.netloc, "/postgres", parts.query, ""))

    def drop() -> None:
        with psycopg.connect(maintenance, autocommit=True) as connection:
            connection.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(e2e_name))
            )

    drop()
    with psycopg.connect(maintenance, autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(e2e_name)))
    yield urlunsplit((parts.scheme, parts.netloc, f"/{e2e_name}", parts.query, parts.fragment))
    drop()


def _server_env(database_url: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTEST_", "DJANGO_ALLOW_ASYNC"))
    }
    env.update(
        DATABASE_URL=database_url,
        DEBUG="1",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="0",
        DJANGO_SETTINGS_MODULE="config.settings",
        PYTHONUNBUFFERED="1",
        PYTHONDONTWRITEBYTECODE="1",
        # Background tasks (matching, relays) run in the request: no worker to start.
        TASKS_BACKEND="immediate",
    )
    return env


def _manage(env: dict[str, str], *args: str) -> None:
    result = subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(
            f"manage.py {' '.join(args)} failed ({result.returncode}):\n"
            f"{result.stdout}\n{result.stderr}",
            pytrace=False,
        )


def _wait_until_up(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"runserver exited early:\n{log.read_text()}", pytrace=False)
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - our server
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    pytest.fail(f"runserver did not answer within {SERVER_START_SECONDS} s:\n{log.read_text()}")


@pytest.fixture(scope="session")
def live_url(e2e_database_url, tmp_path_factory) -> Iterator[str]:
    """Base URL (no trailing slash) of a running server on the e2e database."""
    if not AXE_SCRIPT.exists():
        pytest.fail(f"{AXE_SCRIPT} is missing: run `npm install` (or `make install`).")
    env = _server_env(e2e_database_url)
    _manage(env, "migrate", "--noinput", "-v", "0")
    _manage(env, "load_reference_data")
    _manage(env, "load_demo_data")

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path_factory.mktemp("e2e-server") / "runserver.log"
    with log.open("w") as output:
        process = subprocess.Popen(  # noqa: S603 - our own manage.py with fixed arguments
            [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
            cwd=BASE_DIR,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_up(f"{base}/", process, log)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# --- browser --------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists() and not shutil.which(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (never `playwright install`)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.e2e_call_failed = report.failed
    return report


@pytest.fixture
def page(browser, live_url, request):
    """A fresh browser context (no cookies) on the e2e server. At the end of a passing test,
    every document the tab loaded must have been checked by :func:`check_a11y`, and none may
    have reported a Content-Security-Policy violation."""
    context = browser.new_context(base_url=live_url, locale="en-GB")
    context.set_default_timeout(TIMEOUT_MS)
    context.add_init_script(TRACK_DOCUMENTS)
    page = context.new_page()
    yield page
    try:
        failed = getattr(request.node, "e2e_call_failed", True)
        unchecked = [] if failed else page.evaluate(UNCHECKED)
        if not failed:
            check_csp(page)
    finally:
        context.close()
    if unchecked:
        pytest.fail("pages not checked by check_a11y: " + ", ".join(unchecked), pytrace=False)


def expect_heading(page, text: str | re.Pattern[str]) -> None:
    """The page has exactly one <h1> (design rule), with this text."""
    headings = page.locator("h1")
    expect(headings, "one <h1> per page").to_have_count(1)
    expect(headings).to_have_text(text)


def sign_in(page, username: str, password: str | None = None) -> None:
    """Sign in through the login form (demo password by default), checking with axe both the
    form and the page it leads to."""
    if password is None:
        from icahub.accounts.demo import DEMO_PASSWORD as password
    page.goto("/accounts/login/")
    check_a11y(page)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    with page.expect_navigation():
        page.locator("main").get_by_role("button", name="Sign in").click()
    check_a11y(page)
