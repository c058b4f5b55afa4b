"""notify(), the inbox, the unread count in the header, and the API."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy
from rest_framework.test import APIClient

from icahub.notifications.models import Notification
from icahub.notifications.services import notification_mark_read, notify

pytestmark = pytest.mark.django_db


def _email(*users):
    for user in users:
        user.email = f"{user.username}@example.org"
        user.save(update_fields=["email"])


def test_notify_creates_one_notification_per_user_and_mails_after_commit(
    lao_focal_point, partner_user, django_capture_on_commit_callbacks
):
    _email(lao_focal_point)  # the partner has no address: in-app only
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        created = notify(
            users=[lao_focal_point, partner_user, lao_focal_point],
            subject="Hello",
            body="Body",
            url="/relays/1/",
        )
        # nothing is mailed before the transaction commits
        assert mail.outbox == []
    for callback in callbacks:
        callback()
    assert len(created) == 2
    assert Notification.objects.filter(recipient=partner_user, subject="Hello").exists()
    assert [m.to for m in mail.outbox] == [[lao_focal_point.email]]
    assert "/relays/1/" in mail.outbox[0].body


def test_a_rolled_back_write_sends_nothing(lao_focal_point, django_capture_on_commit_callbacks):
    _email(lao_focal_point)
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                notify(users=[lao_focal_point], subject="Lost")
                raise RuntimeError("the caller's write fails")
        except RuntimeError:
            pass
    assert mail.outbox == []
    assert not Notification.objects.exists()


def test_each_user_gets_the_text_in_their_preferred_language(
    lao_focal_point, partner_user, django_capture_on_commit_callbacks
):
    # given one user prefers French; "Sign out" is translated in the French catalogue
    partner_user.preferred_language = "fr"
    partner_user.save()
    _email(lao_focal_point, partner_user)
    with django_capture_on_commit_callbacks(execute=True):
        notify(users=[lao_focal_point, partner_user], subject=gettext_lazy("Sign out"))
    subjects = dict(Notification.objects.values_list("recipient__username", "subject"))
    assert subjects[lao_focal_point.username] == "Sign out"
    assert subjects[partner_user.username] == "Se déconnecter"
    assert sorted(m.subject for m in mail.outbox) == ["Se déconnecter", "Sign out"]


def test_only_local_links(lao_focal_point):
    with pytest.raises(ValidationError) as error:
        notify(users=[lao_focal_point], subject="x", url="https://evil.example/")
    assert "url" in error.value.message_dict


def test_a_mail_server_failure_does_not_break_the_write(
    lao_focal_point, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens there
    _email(lao_focal_point)
    with django_capture_on_commit_callbacks(execute=True):
        notify(users=[lao_focal_point], subject="Still recorded")
    assert Notification.objects.filter(subject="Still recorded").exists()


def test_inbox_lists_marks_one_and_all_read(client, lao_focal_point, partner_user):
    notify(users=[lao_focal_point], subject="First", url="/relays/", send_email=False)
    second = notify(users=[lao_focal_point], subject="Second", send_email=False)[0]
    notify(users=[partner_user], subject="Not yours", send_email=False)
    client.force_login(lao_focal_point)

    page = client.get("/notifications/").content.decode()
    assert "First" in page and "Second" in page and "Not yours" not in page
    assert "You have 2 unread notifications." in page
    assert 'Notifications <span class="count">(2' in page  # the header count

    client.post(f"/notifications/{second.pk}/read/")
    second.refresh_from_db()
    assert second.read_at is not None
    assert "You have 1 unread notification." in client.get("/notifications/").content.decode()

    client.post("/notifications/read-all/")
    assert not Notification.objects.filter(recipient=lao_focal_point, read_at__isnull=True)


def test_open_marks_read_and_goes_to_the_link_but_never_off_site(client, lao_focal_point):
    notification = notify(users=[lao_focal_point], subject="Go", url="/relays/", send_email=False)[
        0
    ]
    client.force_login(lao_focal_point)
    response = client.post(f"/notifications/{notification.pk}/read/", {"next": "/relays/"})
    assert response["Location"] == "/relays/"
    response = client.post(
        f"/notifications/{notification.pk}/read/", {"next": "https://evil.example/"}
    )
    assert response["Location"] == "/notifications/"


def test_someone_elses_notification_is_not_found(client, lao_focal_point, partner_user):
    notification = notify(users=[partner_user], subject="Private", send_email=False)[0]
    client.force_login(lao_focal_point)
    assert client.post(f"/notifications/{notification.pk}/read/").status_code == 404
    with pytest.raises(ValidationError):
        notification_mark_read(notification=notification, user=lao_focal_point)


def test_the_header_count_is_one_query(client, lao_focal_point, django_assert_num_queries):
    from django.test import RequestFactory

    from icahub.notifications.context_processors import unread_notifications

    notify(users=[lao_focal_point], subject="One", send_email=False)
    request = RequestFactory().get("/")
    request.user = lao_focal_point
    context = unread_notifications(request)
    with django_assert_num_queries(1):
        assert str(context["unread_notifications"]) == "1"


def test_the_api_lists_and_marks_read(lao_focal_point, partner_user):
    api = APIClient()
    assert api.get("/api/v1/notifications/").status_code == 403
    mine = notify(users=[lao_focal_point], subject="Mine", send_email=False)[0]
    theirs = notify(users=[partner_user], subject="Theirs", send_email=False)[0]
    api.force_authenticate(lao_focal_point)
    body = api.get("/api/v1/notifications/?unread=true").json()
    assert [n["subject"] for n in body] == ["Mine"] and body[0]["read"] is False
    assert api.get("/api/v1/notifications/?unread=perhaps").json().keys() == {"unread"}
    assert api.post(f"/api/v1/notifications/{theirs.pk}/read/").status_code == 404
    response = api.post(f"/api/v1/notifications/{mine.pk}/read/")
    assert response.json()["read"] is True
    assert api.get("/api/v1/notifications/?unread=true").json() == []
    notify(users=[lao_focal_point], subject="Again", send_email=False)
    assert api.post("/api/v1/notifications/read-all/").json() == {"marked": 1}
