"""The production profile: settings from the environment with DEBUG off, the security headers
of every response, the Content-Security-Policy the pages keep to, and `make serve` refusing to
start without what production needs.

The production settings are read in a child process (settings are read once per process, and
this one runs with the development defaults); docs/operations.md describes the variables.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

BASE_DIR = Path(__file__).resolve().parents[3]
SAMPLE_ENV = BASE_DIR / "deploy" / "icahub.env.sample"


def production_env(**overrides: str) -> dict[str, str]:
    """The process environment of a production start: nothing inherited that settings read
    (the test run's DATABASE_URL, DEBUG...), only the sample env file and the overrides."""
    keep = {"PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT", "PYTHONPATH"}
    env = {key: value for key, value in os.environ.items() if key in keep}
    env.update(PYTHONDONTWRITEBYTECODE="1", ENV_FILE=str(SAMPLE_ENV), DEBUG="0")
    env.update(overrides)
    return env


def test_check_deploy_reports_nothing_with_the_sample_env_file():
    # given the production settings of deploy/icahub.env.sample (DEBUG off)
    env = production_env()

    # when Django's deployment checks run, warnings included
    result = subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )

    # then nothing is reported
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


# Run in a child process with the production settings: Django's test client asks for a few
# URLs over HTTPS and plain HTTP and prints what came back as JSON.
PROBE = r"""
import json
import django

django.setup()
from django.conf import settings
from django.test import Client

client = Client(raise_request_exception=False)
out = {"settings": {
    name: getattr(settings, name)
    for name in [
        "DEBUG", "SESSION_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "CSRF_COOKIE_SECURE",
        "SECURE_HSTS_SECONDS", "SECURE_SSL_REDIRECT",
    ]
}}
for label, path, secure in [
    ("page", "/accounts/login/", True),
    ("api", "/api/v1/no-such-endpoint/", True),
    ("live", "/health/live", True),
    ("plain_page", "/accounts/login/", False),
    ("plain_live", "/health/live", False),
]:
    response = client.get(path, secure=secure)
    out[label] = {
        "status": response.status_code,
        "headers": dict(response.headers),
        "cookies": {
            name: {"secure": bool(morsel["secure"]), "httponly": bool(morsel["httponly"])}
            for name, morsel in response.cookies.items()
        },
        "body": response.content.decode()[:20000],
    }
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def production_responses(tmp_path_factory) -> dict:
    directory = tmp_path_factory.mktemp("production")
    env = production_env(
        # no table is needed by the probed URLs; a database file of the test's own
        DATABASE_URL=f"sqlite:///{directory / 'probe.sqlite3'}",
        ALLOWED_HOSTS="testserver",
        SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_SETTINGS_MODULE="icahub.web.tests.production_test_settings",
    )
    result = subprocess.run(  # noqa: S603 - our own probe script
        [sys.executable, "-c", PROBE],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_settings_turn_debug_off_and_cookies_secure(production_responses):
    settings = production_responses["settings"]
    assert settings["DEBUG"] is False
    assert settings["SESSION_COOKIE_SECURE"] is True
    assert settings["SESSION_COOKIE_HTTPONLY"] is True
    assert settings["CSRF_COOKIE_SECURE"] is True
    assert settings["SECURE_HSTS_SECONDS"] >= 31536000
    assert settings["SECURE_SSL_REDIRECT"] is True


@pytest.mark.parametrize("label", ["page", "api", "live"])
def test_every_https_response_carries_the_security_headers(production_responses, label):
    # given a page, an API response and a health probe served over HTTPS in production
    headers = production_responses[label]["headers"]

    # then each carries the security headers
    assert headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "includeSubDomains" in headers["Strict-Transport-Security"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]


def test_the_csrf_cookie_is_sent_over_https_only(production_responses):
    # given the sign-in page in production
    page = production_responses["page"]

    # then its form carries a CSRF token and the cookie is marked Secure
    assert page["status"] == 200
    assert 'name="csrfmiddlewaretoken"' in page["body"]
    assert page["cookies"]["csrftoken"]["secure"] is True


def test_plain_http_is_redirected_to_https_except_the_health_probes(production_responses):
    assert production_responses["plain_page"]["status"] == 301
    assert production_responses["plain_page"]["headers"]["Location"].startswith("https://")
    assert production_responses["plain_live"]["status"] == 200


def test_the_api_answers_json_in_production(production_responses):
    api = production_responses["api"]
    assert api["status"] == 404
    assert api["headers"]["Content-Type"] == "application/json"


# --- Content-Security-Policy (the same in development, so the browser tests see it) --------


def _policy(response) -> dict[str, list[str]]:
    directives = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/api/v1/states/"])
def test_the_content_security_policy_allows_the_site_itself_only(client, url):
    # when a page or an API response is fetched
    response = client.get(url)

    # then scripts, styles and everything else come from the site only: nothing inline, no
    # eval, no plugin, no framing
    policy = _policy(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"<[^>]+\sstyle\s*=", re.IGNORECASE)
STYLE_ELEMENT = re.compile(r"<style[\s>]", re.IGNORECASE)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name",
    [
        "web:home",
        "registry:state_list",
        "obligations:list",
        "obligations:calculator",
        "reports:list",
        "assistance:need_list",
        "assistance:offer_list",
        "funding:flow_list",
        "coalitions:list",
        "registry:organisation_list",
        "registry:convention_list",
        "login",
        "api-docs",
    ],
)
def test_pages_have_no_inline_script_or_style(client, name):
    # given one of the main pages
    response = client.get(reverse(name))
    assert response.status_code == 200
    html = response.content.decode()

    # then it has no inline script, event handler attribute, style element or attribute (the
    # policy would block them)
    assert not INLINE_SCRIPT.search(html)
    assert not EVENT_HANDLER.search(html)
    assert not STYLE_ATTRIBUTE.search(html)
    assert not STYLE_ELEMENT.search(html)


@pytest.mark.django_db
def test_htmx_requests_carry_the_csrf_token(client):
    # given a page
    html = client.get("/").content.decode()

    # then HTMX sends the CSRF token with each request and keeps to the policy
    assert re.search(r"<body hx-headers='\{\"X-CSRFToken\": \"[A-Za-z0-9]+\"\}'>", html)
    assert '"includeIndicatorStyles": false' in html


# --- make serve ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"SECRET_KEY": "x" * 50}, "DATABASE_URL is not set"),
        (
            {"SECRET_KEY": "x" * 50, "DATABASE_URL": "sqlite:////tmp/icahub.sqlite3"},
            "DATABASE_URL must name a PostgreSQL database",
        ),
        ({"DATABASE_URL": "postgres://icahub@127.0.0.1:1/icahub"}, "SECRET_KEY is not set"),
    ],
)
def test_make_serve_refuses_to_start_without_postgresql_and_a_secret_key(
    tmp_path, overrides, message
):
    # given an env file that leaves out what production needs
    env_file = tmp_path / "icahub.env"
    env_file.write_text("ALLOWED_HOSTS=icahub.example.org\n")
    env = production_env(ENV_FILE=str(env_file), PYTHON=sys.executable, **overrides)

    # when the production stack is started
    result = subprocess.run(  # noqa: S603 - our own script
        [str(BASE_DIR / "scripts" / "serve")],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    # then it stops at once, saying what is missing
    assert result.returncode == 2
    assert message in result.stderr
