import pytest
from django.core import mail
from django.core.cache import cache
from rest_framework.test import APIClient

from icahub.obligations.models import Obligation

pytestmark = pytest.mark.django_db
PASSWORD = "pw-for-tests-only"


def test_token_is_issued_for_valid_credentials_and_authenticates(isu_user):
    api = APIClient()

    response = api.post(
        "/api/v1/auth/token/", {"username": "isu-test", "password": PASSWORD}, format="json"
    )

    assert response.status_code == 200
    token = response.json()["token"]
    obligation = Obligation.objects.get(state__iso3="LAO", kind="clearance")
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    patched = api.patch(
        f"/api/v1/obligations/{obligation.pk}/",
        {"notes": "n", "lock_version": obligation.lock_version},
        format="json",
    )
    assert patched.status_code == 200


def test_wrong_password_gets_no_token(isu_user):
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": "isu-test", "password": "wrong"}, format="json"
    )

    assert response.status_code == 400
    assert "token" not in response.json()


def test_login_is_locked_after_repeated_failures(client, isu_user, settings):
    # given login throttling on with a limit of 5 failures
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 5

    # when the wrong password is tried five times, then the right one
    for _ in range(5):
        client.post("/accounts/login/", {"username": "isu-test", "password": "wrong"})
    response = client.post("/accounts/login/", {"username": "isu-test", "password": PASSWORD})

    # then the account is locked out and the user is not signed in
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_login_and_logout(client, isu_user):
    response = client.post("/accounts/login/", {"username": "isu-test", "password": PASSWORD})

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(isu_user.pk)
    client.post("/accounts/logout/")
    assert "_auth_user_id" not in client.session


def test_wrong_password_shows_the_error_summary(client, isu_user):
    response = client.post("/accounts/login/", {"username": "isu-test", "password": "wrong"})

    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()


def test_password_reset_sends_an_email(client, isu_user):
    isu_user.email = "isu@example.org"
    isu_user.save()

    response = client.post("/accounts/password-reset/", {"email": "isu@example.org"})

    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "/accounts/reset/" in mail.outbox[0].body


def test_superuser_has_every_isu_permission(superuser):
    obligation = Obligation.objects.get(state__iso3="LAO", kind="clearance")

    assert superuser.is_isu
    assert superuser.has_perm("obligations.add_extension", obligation)
    assert superuser.has_perm("registry.change_state", obligation.state)
    assert superuser.has_perm("accounts.view_history")


def test_token_requests_over_the_rate_are_refused_with_a_code(client, isu_user):
    # given the token endpoint's allowance of 10 requests a minute, used up
    cache.clear()
    for _ in range(10):
        client.post("/api/v1/auth/token/", {"username": "isu-test", "password": PASSWORD})

    # when one more request comes
    response = client.post("/api/v1/auth/token/", {"username": "isu-test", "password": PASSWORD})

    # then it is refused with 429, a message and a code telling it from a lock-out
    assert response.status_code == 429
    assert response.json()["code"] == "throttled"
    assert "throttled" in response.json()["detail"]
    cache.clear()
