"""Sign-in hardening: lock-out after repeated failures (pages and API token), password
rules, password change, session expiry (idle and absolute) and the sign-in audit."""

from __future__ import annotations

import time

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from icahub.accounts.middleware import LAST_SEEN_AT, SIGNED_IN_AT
from icahub.accounts.models import LoginEvent, LoginEventKind

pytestmark = pytest.mark.django_db
PASSWORD = "pw-for-tests-only"
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) Test/1.0"


@pytest.fixture
def lockout(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = 0.25


def test_lockout_page_is_translated_and_says_how_long(client, isu_user, lockout):
    # given three wrong passwords for the ISU account
    for _ in range(3):
        client.post("/fr/accounts/login/", {"username": "isu-test", "password": "wrong"})

    # when the right password is then given, on the French site
    response = client.post("/fr/accounts/login/", {"username": "isu-test", "password": PASSWORD})

    # then the French lock-out page answers 429 with the wait, and no one is signed in
    assert response.status_code == 429
    page = response.content.decode()
    assert "Trop de tentatives de connexion" in page
    assert "15 minutes" in page
    assert response["Retry-After"] == "900"
    assert "_auth_user_id" not in client.session
    assert LoginEvent.objects.filter(kind=LoginEventKind.LOCKED_OUT, username="isu-test").exists()


def test_api_token_endpoint_answers_json_429_once_locked(isu_user, lockout):
    # given three wrong passwords sent to the token endpoint
    api = APIClient()
    answers = [
        api.post("/api/v1/auth/token/", {"username": "isu-test", "password": "wrong"}).status_code
        for _ in range(3)
    ]

    # when the right password is then sent
    response = api.post("/api/v1/auth/token/", {"username": "isu-test", "password": PASSWORD})

    # then the first two failures were 400, the third locks, and the right password is
    # refused with a JSON 429 saying when to come back; no token is given
    assert answers[:2] == [400, 400]
    assert answers[2] == 429
    assert response.status_code == 429
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "locked_out"
    assert "15 minutes" in response.json()["detail"]
    assert response["Retry-After"] == "900"
    assert "token" not in response.json()


def test_lockout_does_not_touch_other_accounts(client, isu_user, coordinator_user, lockout):
    # given the ISU account locked from this address
    for _ in range(3):
        client.post("/accounts/login/", {"username": "isu-test", "password": "wrong"})

    # when another user signs in from the same address
    response = client.post(
        "/accounts/login/", {"username": "coordinator-test", "password": PASSWORD}
    )

    # then they are signed in
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(coordinator_user.pk)


@pytest.mark.parametrize(
    "password",
    ["Short-pw-1", "elevenchars", "123456789012345", "password1234", "isu-test-1234"],
)
def test_weak_passwords_are_refused(isu_user, password):
    # given a password that is short, only digits, common or like the username
    # when it is checked, then it is refused
    with pytest.raises(ValidationError):
        validate_password(password, user=isu_user)


def test_a_long_uncommon_password_is_accepted(isu_user):
    validate_password("marble-kettle-orbit-47", user=isu_user)


def test_password_change_shows_the_error_summary_then_changes(client, isu_user):
    client.force_login(isu_user)

    # when the current password is wrong and the new one too short
    response = client.post(
        "/accounts/password/",
        {"old_password": "wrong", "new_password1": "short", "new_password2": "short"},
    )

    # then the form comes back with the summary linking to the fields
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert 'href="#id_old_password"' in page
    assert "At least 12 characters" in page

    # when it is done right
    response = client.post(
        "/accounts/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "marble-kettle-orbit-47",
            "new_password2": "marble-kettle-orbit-47",
        },
    )

    # then the password is changed and the user stays signed in
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/done/"
    isu_user.refresh_from_db()
    assert isu_user.check_password("marble-kettle-orbit-47")
    assert client.get("/accounts/password/done/").status_code == 200


def test_password_change_needs_sign_in(client):
    response = client.get("/accounts/password/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def _age_session(client, *, idle: int = 0, since_sign_in: int = 0) -> None:
    session = client.session
    now = int(time.time())
    session[SIGNED_IN_AT] = now - since_sign_in
    session[LAST_SEEN_AT] = now - idle
    session.save()


def test_idle_session_expires(client, isu_user, settings):
    # given a session idle for 31 minutes with a 30-minute idle limit
    settings.SESSION_IDLE_TIMEOUT = 30 * 60
    client.force_login(isu_user)
    _age_session(client, idle=31 * 60, since_sign_in=31 * 60)

    # when the user opens a page that needs sign-in
    response = client.get("/notifications/", follow=True)

    # then they are asked to sign in again, told why, and the expiry is recorded
    assert response.redirect_chain[0][0].startswith("/accounts/login/")
    assert "Your session has expired" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert LoginEvent.objects.filter(kind=LoginEventKind.EXPIRED, user=isu_user).exists()


def test_active_session_stays_open_within_the_idle_limit(client, isu_user, settings):
    settings.SESSION_IDLE_TIMEOUT = 30 * 60
    client.force_login(isu_user)
    _age_session(client, idle=29 * 60, since_sign_in=2 * 60 * 60)

    response = client.get("/notifications/")

    assert response.status_code == 200
    # and "last seen" moved to now
    assert time.time() - client.session[LAST_SEEN_AT] < 5


def test_session_ends_at_the_absolute_limit_even_when_active(client, isu_user, settings):
    # given a session signed in 8 hours and 1 minute ago, active a minute ago
    settings.SESSION_COOKIE_AGE = 8 * 60 * 60
    settings.SESSION_IDLE_TIMEOUT = 30 * 60
    client.force_login(isu_user)
    _age_session(client, idle=60, since_sign_in=8 * 60 * 60 + 60)

    # when the user calls the API with the session
    response = client.get("/api/v1/notifications/")

    # then they are no longer signed in
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


def test_sign_ins_failures_and_sign_outs_are_audited(client, isu_user):
    # given a failed attempt, a sign-in and a sign-out from one browser
    headers = {"HTTP_USER_AGENT": BROWSER, "REMOTE_ADDR": "192.0.2.7"}
    client.post("/accounts/login/", {"username": "isu-test", "password": "wrong"}, **headers)
    client.post("/accounts/login/", {"username": "isu-test", "password": PASSWORD}, **headers)
    client.post("/accounts/logout/", **headers)
    # and a token taken through the API
    APIClient().post(
        "/api/v1/auth/token/", {"username": "isu-test", "password": PASSWORD}, **headers
    )

    # then each is recorded with the time, name, address and browser
    events = list(LoginEvent.objects.order_by("pk"))
    assert [(e.kind, e.channel) for e in events] == [
        ("failed", "web"),
        ("signed_in", "web"),
        ("signed_out", "web"),
        ("signed_in", "api"),
    ]
    assert {e.username for e in events} == {"isu-test"}
    assert {e.ip_address for e in events} == {"192.0.2.7"}
    assert {e.user_agent for e in events} == {BROWSER}
    assert events[1].user == isu_user
    assert events[0].user is None


def test_failed_attempt_for_an_unknown_name_keeps_the_name_typed(client):
    client.post("/accounts/login/", {"username": "ghost", "password": "x"})

    event = LoginEvent.objects.get()
    assert (event.kind, event.username, event.user) == ("failed", "ghost", None)


def test_isu_reads_and_filters_the_audit_and_downloads_csv(client, isu_user):
    # given a failed attempt by "ghost" and a sign-in by the ISU user
    client.post("/accounts/login/", {"username": "ghost", "password": "x"})
    client.force_login(isu_user)

    # when the ISU filters the audit on failed attempts
    response = client.get("/accounts/sign-ins/?kind=failed")

    # then the table, with its caption, shows only the failed attempt
    page = response.content.decode()
    assert response.status_code == 200
    assert "<caption>1 sign-in event</caption>" in page
    assert "ghost" in page
    assert "isu-test" not in page.split("<table>")[1]

    # and the CSV carries the same rows
    csv = client.get("/accounts/sign-ins/?kind=failed&format=csv")
    assert csv["Content-Type"].startswith("text/csv")
    lines = csv.content.decode("utf-8-sig").strip().splitlines()
    assert lines[0].startswith("Time (UTC),Event,Username")
    assert len(lines) == 2 and ",ghost," in lines[1]


def test_audit_filters_with_bad_input_show_the_field(client, isu_user):
    client.force_login(isu_user)

    response = client.get("/accounts/sign-ins/?ip_address=not-an-ip&date_from=2026-13-45")

    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert 'href="#id_ip_address"' in page
    assert 'href="#id_date_from"' in page


@pytest.mark.parametrize("fixture", ["coordinator_user", "lao_focal_point", "partner_user"])
def test_audit_is_for_the_isu_only(client, request, fixture):
    client.force_login(request.getfixturevalue(fixture))

    assert client.get("/accounts/sign-ins/").status_code == 403
    assert client.get("/accounts/sign-ins/?format=csv").status_code == 403


def test_audit_asks_anonymous_visitors_to_sign_in(client):
    response = client.get("/accounts/sign-ins/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
