"""A PostgreSQL restart under the production stack: during the outage every request gets the
friendly 503 page (or the API's JSON 503), with Retry-After; once the database is back the same
gunicorn processes serve again, without a restart.

The test brings its own throwaway PostgreSQL cluster (initdb in a temporary directory, a port
of its own, run as the ``postgres`` user when the tests run as root), so it runs the same way
on the SQLite and the PostgreSQL test runs and never touches a shared server. gunicorn runs
config/gunicorn.conf.py with the production settings (DEBUG off; see production_test_settings
for the two shortcuts that keep the test to seconds).
"""

from __future__ import annotations

import glob
import http.client
import json
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from icahub.web.tests.test_production import BASE_DIR, production_env


def _postgres_bin() -> Path | None:
    """The directory of initdb/pg_ctl: ICAHUB_PG_BIN, Debian's newest, or the PATH's."""
    candidates = [os.environ.get("ICAHUB_PG_BIN", "")]
    candidates += sorted(
        glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2])
    )[::-1]
    if shutil.which("initdb"):
        candidates.append(str(Path(shutil.which("initdb")).parent))
    for candidate in candidates:
        if candidate and (Path(candidate) / "initdb").exists():
            return Path(candidate)
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Cluster:
    """A PostgreSQL cluster of the test's own."""

    bin: Path
    directory: Path
    port: int

    def _run(self, *command: str, timeout: int = 60) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        result = subprocess.run(  # noqa: S603 - PostgreSQL's own tools, fixed arguments
            [*prefix, *command], capture_output=True, text=True, timeout=timeout, check=False
        )
        if result.returncode != 0:
            log = self.directory / "postgres.log"
            pytest.fail(
                f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}\n"
                + (log.read_text() if log.exists() else ""),
                pytrace=False,
            )

    def init(self) -> None:
        self._run(
            str(self.bin / "initdb"), "-D", str(self.directory / "data"), "-U", "postgres",
            "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync",
        )  # fmt: skip

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        self._run(
            str(self.bin / "pg_ctl"), "-D", str(self.directory / "data"), "-l",
            str(self.directory / "postgres.log"), "-o", options, "-w", "-t", "60", "start",
        )  # fmt: skip

    def stop(self) -> None:
        self._run(
            str(self.bin / "pg_ctl"), "-D", str(self.directory / "data"), "-m", "fast", "-w",
            "-t", "60", "stop",
        )  # fmt: skip

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/icahub"


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    bin_dir = _postgres_bin()
    if bin_dir is None:
        pytest.skip("PostgreSQL's server binaries (initdb, pg_ctl) are not installed")
    if os.geteuid() == 0:
        try:
            postgres = pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root and there is no postgres user to run PostgreSQL as")
    directory = Path(tempfile.mkdtemp(prefix="icahub-outage-"))
    if os.geteuid() == 0:
        os.chown(directory, postgres.pw_uid, postgres.pw_gid)
    cluster = Cluster(bin=bin_dir, directory=directory, port=_free_port())
    cluster.init()
    cluster.start()
    try:
        import psycopg

        with psycopg.connect(
            f"postgresql://postgres@127.0.0.1:{cluster.port}/postgres", autocommit=True
        ) as connection:
            connection.execute("CREATE DATABASE icahub")
        yield cluster
    finally:
        subprocess.run(  # noqa: S603 - PostgreSQL's own tool; the cluster may be stopped
            [
                *(["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []),
                str(bin_dir / "pg_ctl"), "-D", str(directory / "data"), "-m", "immediate",
                "stop",
            ],
            capture_output=True,
            timeout=60,
            check=False,
        )  # fmt: skip
        shutil.rmtree(directory, ignore_errors=True)


class Site:
    """The gunicorn server, reached as a reverse proxy would (X-Forwarded-Proto: https)."""

    def __init__(self, port: int):
        self.port = port

    def get(self, path: str, language: str = "en") -> tuple[int, dict[str, str], str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request(
                "GET",
                path,
                headers={"X-Forwarded-Proto": "https", "Accept-Language": language},
            )
            response = connection.getresponse()
            return response.status, dict(response.getheaders()), response.read().decode()
        finally:
            connection.close()


@pytest.fixture
def site(cluster, tmp_path) -> Iterator[Site]:
    port = _free_port()
    env = production_env(
        DATABASE_URL=cluster.url,
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SETTINGS_MODULE="icahub.web.tests.production_test_settings",
        DATABASE_CONNECT_TIMEOUT="2",
        GUNICORN_BIND=f"127.0.0.1:{port}",
        WEB_CONCURRENCY="2",
        GUNICORN_ACCESS_LOG="",
        TASKS_BACKEND="immediate",
        LOG_LEVEL="CRITICAL",
    )
    subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", "migrate", "--run-syncdb", "--noinput", "-v", "0"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        timeout=180,
        check=True,
    )
    log = tmp_path / "gunicorn.log"
    with log.open("w") as output:
        process = subprocess.Popen(  # noqa: S603 - gunicorn with our configuration
            [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.conf.py"],
            cwd=BASE_DIR,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    site = Site(port)
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                pytest.fail(f"gunicorn exited:\n{log.read_text()}", pytrace=False)
            try:
                if site.get("/health/live")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"gunicorn did not start:\n{log.read_text()}", pytrace=False)
            time.sleep(0.2)
        yield site
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


WORKERS = 2


def _until(condition, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"not reached within {seconds} s", pytrace=False)
        time.sleep(0.2)


def test_a_postgresql_restart_gives_a_friendly_503_then_the_site_recovers(cluster, site):
    # given the production stack serving pages and the API from PostgreSQL
    assert site.get("/states/")[0] == 200
    assert site.get("/api/v1/states/")[0] == 200
    assert site.get("/health/ready")[0] == 200

    # when PostgreSQL stops
    cluster.stop()

    # then every page request (each worker in turn) gets the translated 503 page, asked to
    # retry, with the security headers; the API answers JSON; readiness fails, liveness not.
    # (Each asks another address: a public page kept in the anonymous page cache before the
    # outage is still served from it, which is not what this test is about.)
    for attempt in range(2 * WORKERS):
        status, headers, body = site.get(f"/states/?q=outage-{attempt}")
        assert status == 503
        assert "Sorry, the service is unavailable" in body
        assert "Please try again in a minute" in body
        assert headers["Retry-After"] == "30"
        assert headers["Content-Type"].startswith("text/html")
        assert "script-src 'self'" in headers["Content-Security-Policy"]
        assert "Traceback" not in body
    status, headers, body = site.get("/fr/states/")
    assert status == 503
    assert '<html lang="fr"' in body
    assert "Désolé" in body
    status, headers, body = site.get("/api/v1/states/")
    assert status == 503
    assert headers["Content-Type"] == "application/json"
    assert headers["Retry-After"] == "30"
    assert "temporarily unavailable" in json.loads(body)["detail"]
    assert site.get("/health/ready")[0] == 503
    assert site.get("/health/live")[0] == 200

    # when PostgreSQL starts again
    cluster.start()

    # then the same gunicorn serves again: every worker reconnects by itself
    _until(lambda: site.get("/health/ready")[0] == 200)
    for attempt in range(2 * WORKERS):
        assert site.get(f"/states/?q=after-{attempt}")[0] == 200
        assert site.get("/api/v1/states/")[0] == 200


# --- the same answers, in-process (no PostgreSQL binaries needed) ------------------------------


def _raised(error: Exception, view, request):
    """Call a handler500-like view as Django does: while the error is being handled."""
    try:
        raise error
    except Exception:
        return view(request)


@pytest.mark.parametrize("error", ["operational", "interface", "wrapped"])
def test_an_unreachable_database_is_a_503_page_not_a_500(rf, error):
    from django.db import InterfaceError, OperationalError

    from icahub.web.views import error_500

    # given a request that failed because the database could not be reached
    raised = {
        "operational": OperationalError("connection refused"),
        "interface": InterfaceError("connection already closed"),
        "wrapped": RuntimeError("while rendering"),
    }[error]
    if error == "wrapped":
        raised.__cause__ = OperationalError("server closed the connection unexpectedly")

    # when the error handler answers
    response = _raised(raised, error_500, rf.get("/states/"))

    # then it is the friendly 503 page, asking to retry
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "Sorry, the service is unavailable" in response.content.decode()


def test_the_api_gets_a_json_503(rf):
    from django.db import OperationalError

    from icahub.web.views import error_500

    response = _raised(OperationalError("down"), error_500, rf.get("/api/v1/states/"))

    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert "temporarily unavailable" in json.loads(response.content)["detail"]


def test_other_errors_stay_500(rf):
    from icahub.web.views import error_500

    page = _raised(ValueError("a bug"), error_500, rf.get("/states/"))
    api = _raised(ValueError("a bug"), error_500, rf.get("/api/v1/states/"))

    assert page.status_code == 500
    assert api.status_code == 500
    assert api["Content-Type"] == "application/json"


def test_the_500_page_speaks_the_visitor_language(rf):
    from django.utils import translation

    from icahub.web.views import error_500

    # given a French visitor whose request failed on a bug
    with translation.override("fr"):
        page = _raised(ValueError("a bug"), error_500, rf.get("/fr/states/")).content.decode()

    # then the page is in French, marked as such
    assert '<html lang="fr" dir="ltr">' in page
    assert "Désolé" in page


def test_readiness_fails_while_the_database_is_unreachable(rf, monkeypatch):
    from django.db import OperationalError, connection

    from icahub.web.views import health_live, health_ready

    def refuse():
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", refuse)

    assert health_ready(rf.get("/health/ready")).status_code == 503
    assert health_live(rf.get("/health/live")).status_code == 200
