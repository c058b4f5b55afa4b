"""Load test: icahub's production stack on PostgreSQL at benchmark scale 1, under locust.

    DATABASE_URL=postgres://user@127.0.0.1:5432/icahub_bench .venv/bin/python benchmarks/load.py

Prints figures and PASS/FAIL per aim; exits 0 unless --strict and an aim fails. Steps:

1. migrates the database named by DATABASE_URL (PostgreSQL only) and, when it holds no
   benchmark data, writes the scale-1 data set (`manage.py generate_benchmark_data`, which
   refuses a database holding other data);
2. starts the production stack on loopback — `make serve` (gunicorn + whitenoise, DEBUG off)
   when the Makefile has it, otherwise gunicorn directly with the same production settings —
   with ICAHUB_BENCH_MINIMAL_VIEW on; or uses --url (loopback only) when a stack runs already;
3. for each endpoint, runs locust headless twice, bounded in users and seconds:
   - capacity: --users users sending requests back to back: requests per second;
   - paced: --users users each sending one request every --think seconds (concurrent
     visitors): p50/p95/p99 latency and errors;
4. checks the aims: no errors with --users (50) concurrent users; p95 under 200 ms for every
   listed page (paced run); every page at least half the minimal view's capacity.
"""

from __future__ import annotations

import argparse
import csv
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
BIN = Path(PYTHON).parent
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
P95_AIM_MS = 200
THROUGHPUT_AIM = 0.5
MINIMAL = "minimal view"


@dataclass
class Figures:
    requests: int = 0
    failures: int = 0
    rps: float = 0.0
    p50: float = 0.0
    p95: float = 0.0
    p99: float = 0.0


def endpoints(need_id: int, iso3: str) -> list[tuple[str, str]]:
    return [
        (MINIMAL, "/bench/minimal/"),
        ("home dashboard", "/"),
        ("states list", "/states/"),
        ("state profile", f"/states/{iso3}/"),
        ("needs list, filtered", "/assistance/needs/?area=clearance&status=open&convention=CCM"),
        ("a need's matches (page)", f"/assistance/needs/{need_id}/"),
        ("a need's matches (API)", f"/api/v1/needs/{need_id}/matches/"),
        (
            "statistics API",
            "/api/v1/statistics/assistance-requests/?convention=CCM&reporting_year=2024"
            "&as_of=2025-06-30",
        ),
        ("obligations API", "/api/v1/obligations/"),
    ]


def manage(*args: str, env: dict | None = None) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, check=True, env=env)


def prepare_database() -> tuple[int, str]:
    """Migrate, generate the scale-1 data when missing; the need and the state to request."""
    manage("migrate", "--noinput", "-v", "0")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db.models import Count

    from icahub.assistance.models import Need
    from icahub.web import benchmark_data

    if not benchmark_data.present_counts()["needs"]:
        print("No benchmark data in this database: generating scale 1 (several minutes).")
        manage("generate_benchmark_data", "--scale", "1", "-v", "2")
    need = (
        Need.objects.filter(
            title__startswith=benchmark_data.LABEL, status="open", visibility="public"
        )
        .annotate(lines=Count("matches"))
        .filter(lines__gte=10)
        .select_related("state")
        .order_by("pk")
        .first()
    )
    if need is None:
        raise SystemExit("No public open benchmark need has matches: was the data generated?")
    from django.db import connection

    connection.close()
    return need.pk, need.state.iso3


def has_make_serve() -> bool:
    makefile = (ROOT / "Makefile").read_text()
    return "\nserve:" in makefile and (ROOT / "scripts" / "serve").exists()


def start_stack(port: int, workers: int | None) -> subprocess.Popen:
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "ICAHUB_BENCH_MINIMAL_VIEW": "1",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_ACCESS_LOG": "",  # one log line per request would be measured too
        "GUNICORN_MAX_REQUESTS": "0",
        "AXES_ENABLED": "1",
    }
    if workers:
        env["WEB_CONCURRENCY"] = str(workers)
    log = open(Path(tempfile.gettempdir()) / f"icahub-load-{port}.log", "w")  # noqa: SIM115
    if has_make_serve():
        command = ["make", "--no-print-directory", "serve"]
        print(f"Starting `make serve` on 127.0.0.1:{port} (log: {log.name})")
    else:
        # Before `make serve` existed: gunicorn with the production settings by hand.
        manage("collectstatic", "--noinput", "-v", "0", env=env)
        count = workers or (os.cpu_count() or 1) * 2 + 1
        command = [
            str(BIN / "gunicorn"),
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(count),
        ]
        print(f"Starting gunicorn ({count} workers) on 127.0.0.1:{port} (log: {log.name})")
    # A session of its own: stopping it stops gunicorn, its workers and the task worker.
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )


def stop_stack(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def get(url: str) -> int:
    request = urllib.request.Request(url, headers={"X-Forwarded-Proto": "https"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def wait_until_up(base: str, process: subprocess.Popen | None, seconds: int = 300) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise SystemExit(f"The server stopped (status {process.returncode}): see its log.")
        try:
            if get(base + "/bench/minimal/") == 200:
                return
        except OSError:
            pass
        time.sleep(1)
    raise SystemExit(f"{base}/bench/minimal/ did not answer 200 within {seconds} s.")


def run_locust(base: str, name: str, path: str, users: int, seconds: int, wait: float) -> Figures:
    with tempfile.TemporaryDirectory(prefix="icahub-locust-") as directory:
        prefix = str(Path(directory) / "run")
        env = {**os.environ, "BENCH_PATH": path, "BENCH_NAME": name, "BENCH_WAIT": str(wait)}
        subprocess.run(
            [
                str(BIN / "locust"),
                "-f",
                str(ROOT / "benchmarks" / "locustfile.py"),
                "--headless",
                "--host",
                base,
                "--users",
                str(users),
                "--spawn-rate",
                str(users),
                "--run-time",
                f"{seconds}s",
                "--stop-timeout",
                "10",
                "--csv",
                prefix,
                "--only-summary",
                "--loglevel",
                "ERROR",
            ],
            cwd=ROOT,
            env=env,
            check=False,  # locust exits 1 when a request failed: the figures say so
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,  # its own summary; ours is printed below
        )
        if not Path(f"{prefix}_stats.csv").exists():  # locust died: no figures, said below
            print(f"  locust wrote no figures for {name} (wait {wait:g} s)", file=sys.stderr)
            return Figures()
        with open(f"{prefix}_stats.csv", newline="") as handle:
            for row in csv.DictReader(handle):
                if row["Name"] == name:
                    return Figures(
                        requests=int(row["Request Count"]),
                        failures=int(row["Failure Count"]),
                        rps=float(row["Requests/s"]),
                        p50=float(row["50%"] or 0),
                        p95=float(row["95%"] or 0),
                        p99=float(row["99%"] or 0),
                    )
    return Figures()


def machine_line() -> str:
    load = os.getloadavg()
    return (
        f"{os.cpu_count()} CPUs, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} "
        "(locust runs on the same machine as the server)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", help="a running stack to test (loopback only)")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--workers", type=int, help="gunicorn workers (default: 2 x cores + 1)")
    parser.add_argument("--users", type=int, default=50, help="concurrent users (max 200)")
    parser.add_argument("--seconds", type=int, default=20, help="length of each run (max 120)")
    parser.add_argument("--think", type=float, default=2.0, help="paced run: s between requests")
    parser.add_argument("--only", help="run only the endpoints whose name contains this")
    parser.add_argument("--strict", action="store_true", help="exit 1 when an aim fails")
    options = parser.parse_args()
    if not 1 <= options.users <= 200 or not 1 <= options.seconds <= 120:
        parser.error("--users must be 1..200 and --seconds 1..120")
    database = os.environ.get("DATABASE_URL", "")
    if not database.startswith(("postgres://", "postgresql://", "pgsql://")):
        print(
            "benchmarks/load.py needs a PostgreSQL database of its own in DATABASE_URL, e.g.\n"
            "  DATABASE_URL=postgres://user@127.0.0.1:5432/icahub_bench make bench\n"
            "(it writes the scale-1 benchmark data set there when missing)."
        )
        return 2
    if options.url and urlsplit(options.url).hostname not in LOOPBACK:
        parser.error("--url must be on the loopback interface (127.0.0.1, localhost, ::1)")
    if shutil.which("locust", path=str(BIN)) is None:
        parser.error("locust is not installed in the virtual environment: make install")

    need_id, iso3 = prepare_database()
    process = None
    base = options.url.rstrip("/") if options.url else f"http://127.0.0.1:{options.port}"
    if not options.url:
        process = start_stack(options.port, options.workers)
    try:
        wait_until_up(base, process)
        targets = [
            (name, path)
            for name, path in endpoints(need_id, iso3)
            if name == MINIMAL or not options.only or options.only in name
        ]
        for _name, path in targets:  # warm every worker's caches and the database's
            for _ in range(10):
                status = get(base + path)
            if status != 200:
                raise SystemExit(f"{path} answered {status}")
        print(f"\nLoad test — {machine_line()}")
        print(
            f"{options.users} users; capacity: back to back, {options.seconds} s; paced: one "
            f"request every {options.think:g} s per user, {options.seconds} s\n"
        )
        header = (
            f"{'endpoint':<26}{'capacity req/s':>15}{'paced req/s':>12}{'p50 ms':>8}"
            f"{'p95 ms':>8}{'p99 ms':>8}{'errors':>8}"
        )
        print(header)
        print("-" * len(header))
        results: dict[str, tuple[Figures, Figures]] = {}
        for name, path in targets:
            capacity = run_locust(base, name, path, options.users, options.seconds, 0)
            paced = run_locust(base, name, path, options.users, options.seconds, options.think)
            results[name] = (capacity, paced)
            print(
                f"{name:<26}{capacity.rps:>15.1f}{paced.rps:>12.1f}{paced.p50:>8.0f}"
                f"{paced.p95:>8.0f}{paced.p99:>8.0f}{capacity.failures + paced.failures:>8}"
                f"   (capacity run: p50 {capacity.p50:.0f} ms, p95 {capacity.p95:.0f} ms)"
            )
        print(f"\n{machine_line()}")
        return report_aims(results, options)
    finally:
        if process is not None:
            stop_stack(process)


def report_aims(results: dict[str, tuple[Figures, Figures]], options) -> int:
    minimal_rps = results[MINIMAL][0].rps
    failed = False
    print("\nAims")
    for name, (capacity, paced) in results.items():
        errors = capacity.failures + paced.failures
        measured = capacity.requests > 0 and paced.requests > 0  # else locust failed
        checks = [
            (
                f"no errors at {options.users} concurrent users",
                errors == 0 and measured,
                f"{errors}" if measured else "no figures",
            )
        ]
        if name != MINIMAL:
            checks.append((f"p95 < {P95_AIM_MS} ms", paced.p95 < P95_AIM_MS, f"{paced.p95:.0f}"))
            ratio = capacity.rps / minimal_rps if minimal_rps else 0
            checks.append(
                ("throughput >= 1/2 of the minimal view's", ratio >= THROUGHPUT_AIM, f"{ratio:.2f}")
            )
        for label, ok, value in checks:
            failed |= not ok
            print(f"  {'PASS' if ok else 'FAIL'}  {name:<26} {label} ({value})")
    return 1 if failed and options.strict else 0


if __name__ == "__main__":
    sys.exit(main())
