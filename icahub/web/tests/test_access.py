"""One table: for every page and API endpoint, what each role gets.

Roles: anonymous, ISU staff, coordinator, the focal point of the record's own state (Lao
PDR), a focal point of another state (Lebanon), a donor focal point, a partner
organisation member and a Django superuser (who has every ISU permission). Records of
Iraq stand for "another state's": neither focal point in the table may change them.
"""

from __future__ import annotations

import pytest
from django.test import Client

from icahub.accounts.models import User
from icahub.obligations.models import Obligation
from icahub.registry.models import Organisation, State

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "isu", "coordinator", "owner", "other_state", "donor", "partner", "superuser"]
PUBLIC = dict.fromkeys(ROLES, 200)


def _only(allowed: set[str], ok: int = 200, anonymous: int = 302, refused: int = 403) -> dict:
    return {
        role: ok if role in allowed else anonymous if role == "anonymous" else refused
        for role in ROLES
    }


ISU_ONLY = _only({"isu", "superuser"})
ISU_OR_OWNER = _only({"isu", "superuser", "owner"})
API_ISU_ONLY_CREATE = _only({"isu", "superuser"}, ok=201, anonymous=403)
API_ISU_OR_OWNER = _only({"isu", "superuser", "owner"}, anonymous=403)

SEEN_BY_STATES_PARTIES = {**PUBLIC, "anonymous": 404, "partner": 404}

# (method, url template, body, expected per role)
TABLE = [
    ("get", "/", None, PUBLIC),
    ("get", "/fr/", None, PUBLIC),
    ("get", "/ar/states/", None, PUBLIC),
    ("get", "/states/", None, PUBLIC),
    ("get", "/states/?convention=CCM&status=party&region=142&sort=-name", None, PUBLIC),
    ("get", "/states/LAO/", None, PUBLIC),
    ("get", "/states/LAO/edit/", None, ISU_OR_OWNER),
    (
        "post",
        "/states/LAO/edit/",
        {"mine_action_authority": "NRA"},
        _only({"isu", "superuser", "owner"}, ok=302),
    ),
    ("get", "/states/IRQ/edit/", None, ISU_ONLY),
    ("get", "/states/LAO/contacts/add/", None, ISU_OR_OWNER),
    ("get", "/organisations/", None, PUBLIC),
    ("get", "/organisations/{org}/", None, PUBLIC),
    ("get", "/organisations/{org}/edit/", None, _only({"isu", "superuser", "partner"})),
    ("get", "/organisations/{other_org}/edit/", None, ISU_ONLY),
    ("get", "/conventions/", None, PUBLIC),
    ("get", "/obligations/", None, PUBLIC),
    ("get", "/obligations/?format=csv", None, PUBLIC),
    ("get", "/obligations/?format=xlsx", None, PUBLIC),
    ("get", "/obligations/{lao}/", None, PUBLIC),
    ("get", "/obligations/{lao}/edit/", None, ISU_OR_OWNER),
    ("get", "/obligations/{irq}/edit/", None, ISU_ONLY),
    ("get", "/obligations/{lao}/extensions/new/", None, ISU_ONLY),
    (
        "post",
        "/obligations/{lao}/extensions/new/",
        {"new_deadline": "2030-08-01"},
        _only({"isu", "superuser"}, ok=302),
    ),
    ("get", "/obligations/new/", None, ISU_ONLY),
    ("get", "/obligations/calculator/?convention=CCM&deposited=2016-04-19", None, PUBLIC),
    ("get", "/accounts/login/", None, PUBLIC),
    ("get", "/reports/", None, PUBLIC),
    ("get", "/reports/statistics/", None, PUBLIC),
    ("get", "/reports/who-has-reported/", None, PUBLIC),
    (
        "post",
        "/reports/who-has-reported/reminders/",
        {"convention": "CCM", "reporting_year": 2019},
        _only({"isu", "superuser"}, ok=302),
    ),
    ("get", "/reports/{published}/", None, PUBLIC),
    ("get", "/reports/{published}/download/pdf/", None, PUBLIC),
    (
        "get",
        "/reports/{draft}/download/xlsx/",
        None,
        _only({"isu", "superuser", "owner"}, anonymous=404, refused=404),
    ),
    ("get", "/reports/template/APMBC/", None, PUBLIC),
    ("get", "/reports/import/", None, _only({"isu", "superuser", "owner", "other_state"})),
    ("get", "/reports/new/", None, _only({"isu", "superuser", "owner", "other_state"})),
    ("get", "/reports/{draft}/edit/", None, ISU_OR_OWNER),
    ("get", "/reports/{draft}/edit/contacts/", None, ISU_OR_OWNER),
    ("get", "/reports/{draft}/edit/F/", None, ISU_OR_OWNER),
    ("post", "/reports/{draft}/submit/", {}, _only({"isu", "superuser", "owner"}, ok=302)),
    ("post", "/reports/{published}/amend/", {}, _only({"isu", "superuser", "owner"}, ok=302)),
    ("post", "/reports/{submitted}/publish/", {}, _only({"isu", "superuser"}, ok=302)),
    ("get", "/reports/{published}/differences/?from=1&to=1", None, PUBLIC),
    (
        "get",
        "/reports/{draft}/",
        None,
        _only({"isu", "superuser", "owner"}, anonymous=404, refused=404),
    ),
    (
        "post",
        "/api/v1/auth/token/",
        {"username": "nobody", "password": "wrong"},
        dict.fromkeys(ROLES, 400),
    ),
    ("get", "/api/v1/conventions/", None, PUBLIC),
    ("get", "/api/v1/states/", None, PUBLIC),
    ("get", "/api/v1/states/LAO/", None, PUBLIC),
    ("get", "/api/v1/organisations/", None, PUBLIC),
    ("get", "/api/v1/obligations/?state=LAO", None, PUBLIC),
    ("get", "/api/v1/obligations/{lao}/", None, PUBLIC),
    ("get", "/api/v1/rules/deadlines/?convention=CCM&deposited=2016-04-19", None, PUBLIC),
    ("get", "/api/v1/reports/", None, PUBLIC),
    ("get", "/api/v1/reports/{published}/", None, PUBLIC),
    (
        "get",
        "/api/v1/reports/{draft}/",
        None,
        _only({"isu", "superuser", "owner"}, anonymous=404, refused=404),
    ),
    (
        "post",
        "/api/v1/reports/",
        {"state": "LAO", "convention": "CCM", "kind": "annual", "reporting_year": 2021},
        _only({"isu", "superuser", "owner"}, ok=201, anonymous=403),
    ),
    (
        "patch",
        "/api/v1/reports/{draft}/",
        {"needs": []},
        _only({"isu", "superuser", "owner"}, anonymous=403, refused=404),
    ),
    (
        "post",
        "/api/v1/reports/{draft}/submit/",
        {},
        _only({"isu", "superuser", "owner"}, anonymous=403, refused=404),
    ),
    (
        "post",
        "/api/v1/reports/{published}/amend/",
        {},
        _only({"isu", "superuser", "owner"}, ok=201, anonymous=403),
    ),
    (
        "post",
        "/api/v1/reports/{submitted}/publish/",
        {},
        {**_only({"isu", "superuser"}, anonymous=403), "partner": 404},
    ),
    (
        "get",
        "/api/v1/statistics/assistance-requests/?convention=CCM&reporting_year=2019&as_of=2020-06-30",
        None,
        PUBLIC,
    ),
    ("get", "/api/v1/schema/", None, PUBLIC),
    ("get", "/api/v1/docs/", None, PUBLIC),
    (
        "post",
        "/api/v1/obligations/",
        {"state": "AFG", "convention": "APMBC", "kind": "clearance"},
        API_ISU_ONLY_CREATE,
    ),
    ("patch", "/api/v1/obligations/{lao}/", {"notes": "Updated"}, API_ISU_OR_OWNER),
    (
        "patch",
        "/api/v1/obligations/{irq}/",
        {"notes": "Updated"},
        _only({"isu", "superuser"}, anonymous=403),
    ),
    (
        "post",
        "/api/v1/obligations/{lao}/extensions/",
        {"new_deadline": "2030-08-01"},
        API_ISU_ONLY_CREATE,
    ),
    # Needs and offers: a Lao PDR need and a Norwegian offer, both seen by States Parties
    # (a partner organisation member belongs to no state: to them they do not exist).
    ("get", "/api/v1/needs/?region=035&area=clearance", None, PUBLIC),
    ("get", "/api/v1/needs/{need}/", None, SEEN_BY_STATES_PARTIES),
    (
        "post",
        "/api/v1/needs/",
        {
            "state": "LAO",
            "convention": "CCM",
            "area": "clearance",
            "modality": "technical",
            "title": "Survey",
        },
        _only({"isu", "superuser", "owner"}, ok=201, anonymous=403),
    ),
    (
        "patch",
        "/api/v1/needs/{need}/",
        {"status": "partly_met"},
        {**API_ISU_OR_OWNER, "partner": 404},
    ),
    (
        "post",
        "/api/v1/needs/{need}/translations/",
        {"language": "fr", "title": "Enquête"},
        {**_only({"isu", "superuser", "owner"}, ok=201, anonymous=403), "partner": 404},
    ),
    ("get", "/api/v1/offers/?region=035", None, PUBLIC),
    ("get", "/api/v1/offers/{offer}/", None, SEEN_BY_STATES_PARTIES),
    (
        "post",
        "/api/v1/offers/",
        {"provider_state": "NOR", "title": "Offer", "areas": ["clearance"]},
        _only({"isu", "superuser", "donor"}, ok=201, anonymous=403),
    ),
    (
        "patch",
        "/api/v1/offers/{offer}/",
        {"status": "closed"},
        {**_only({"isu", "superuser", "donor"}, anonymous=403), "partner": 404},
    ),
    # Needs and offers pages (same records as the API rows above). Pages that change a
    # record send an anonymous visitor to sign in first.
    ("get", "/assistance/needs/", None, PUBLIC),
    (
        "get",
        "/assistance/needs/?area=clearance&region=035&status=open&deadline_before=2030-01-01",
        None,
        PUBLIC,
    ),
    ("get", "/assistance/needs/?format=csv", None, PUBLIC),
    ("get", "/assistance/needs/?format=xlsx", None, PUBLIC),
    ("get", "/assistance/needs/{need}/", None, SEEN_BY_STATES_PARTIES),
    ("get", "/assistance/needs/new/", None, _only({"isu", "superuser", "owner", "other_state"})),
    (
        "post",
        "/assistance/needs/new/",
        {
            "state": "LAO",
            "convention": "CCM",
            "area": "clearance",
            "modality": "technical",
            "title": "Survey",
            "language": "en",
            "visibility": "states_parties",
            "status": "open",
        },
        _only({"isu", "superuser", "owner", "other_state"}, ok=302),
    ),
    ("get", "/assistance/needs/{need}/edit/", None, {**ISU_OR_OWNER, "partner": 404}),
    (
        "post",
        "/assistance/needs/{need}/edit/",
        {
            "area": "clearance",
            "modality": "financial",
            "title": "Survey of Xieng Khouang",
            "language": "en",
            "visibility": "states_parties",
            "status": "partly_met",
        },
        {**_only({"isu", "superuser", "owner"}, ok=302), "partner": 404},
    ),
    (
        "get",
        "/assistance/needs/{need}/translations/new/",
        None,
        {**ISU_OR_OWNER, "partner": 404},
    ),
    (
        "post",
        "/assistance/needs/{need}/translations/new/",
        {"language": "fr", "title": "Enquête"},
        {**_only({"isu", "superuser", "owner"}, ok=302), "partner": 404},
    ),
    # An upload with no file: the edit page again, with the error by the file field.
    ("post", "/assistance/needs/{need}/evidence/", {}, {**ISU_OR_OWNER, "partner": 404}),
    # No evidence is attached to the table's need: the download is not found for anyone
    # (downloads per role are tested in icahub/assistance/tests/test_views.py).
    ("get", "/assistance/needs/{need}/evidence/999999/", None, dict.fromkeys(ROLES, 404)),
    ("get", "/assistance/offers/", None, PUBLIC),
    ("get", "/assistance/offers/?area=clearance&region=035&provider_state=NOR", None, PUBLIC),
    ("get", "/assistance/offers/?format=csv", None, PUBLIC),
    ("get", "/assistance/offers/?format=xlsx", None, PUBLIC),
    ("get", "/assistance/offers/{offer}/", None, SEEN_BY_STATES_PARTIES),
    (
        "get",
        "/assistance/offers/new/",
        None,
        _only({"isu", "superuser", "owner", "other_state", "donor", "partner"}),
    ),
    (
        "post",
        "/assistance/offers/new/",
        {
            "provider_state": "NOR",
            "title": "Offer",
            "areas": "clearance",
            "visibility": "public",
            "status": "open",
        },
        _only({"isu", "superuser", "owner", "other_state", "donor", "partner"}, ok=302),
    ),
    (
        "get",
        "/assistance/offers/{offer}/edit/",
        None,
        {**_only({"isu", "superuser", "donor"}), "partner": 404},
    ),
    (
        "post",
        "/assistance/offers/{offer}/edit/",
        {"title": "Clearance", "areas": "clearance", "visibility": "public", "status": "closed"},
        {**_only({"isu", "superuser", "donor"}, ok=302), "partner": 404},
    ),
    # Relays of the table's need: {relay} made today (open to objection, to HALO); {sent}
    # made 400 days ago to Norway and NPA, sent, with its 12-month follow-up asked;
    # {npa_answer} is NPA's row of {sent}, {follow_up} the question to Lao PDR. Partners see
    # a relay only once sent, and only their own row; {notification} is someone else's. A
    # superuser holds every permission (Django's rule), so may also act for a state or partner.
    ("get", "/relays/", None, _only({"isu", "superuser", "coordinator"})),
    ("get", "/relays/mine/", None, _only(set(ROLES) - {"anonymous"})),
    ("get", "/relays/report/?year=2026", None, PUBLIC),
    ("get", "/relays/report/?year=2026&format=xlsx", None, PUBLIC),
    (
        "get",
        "/relays/needs/{need}/new/",
        None,
        {**_only({"isu", "superuser", "coordinator"}), "partner": 404},
    ),
    (
        "post",
        "/relays/needs/{need}/new/",
        {"q": "Norway", "action": "search"},
        {**_only({"isu", "superuser", "coordinator"}), "partner": 404},
    ),
    (
        "get",
        "/relays/{relay}/",
        None,
        _only({"isu", "superuser", "coordinator", "owner"}, refused=404),
    ),
    (
        "get",
        "/relays/{sent}/",
        None,
        _only({"isu", "superuser", "coordinator", "owner", "donor", "partner"}, refused=404),
    ),
    (
        "get",
        "/relays/{relay}/objection/",
        None,
        {**_only({"owner", "superuser"}, refused=404), "isu": 403, "coordinator": 403},
    ),
    (
        "post",
        "/relays/{relay}/objection/",
        {"objection_reason": "Not now"},
        {**_only({"owner", "superuser"}, ok=302, refused=404), "isu": 403, "coordinator": 403},
    ),
    (
        "post",
        "/relays/{relay}/cancel/",
        {},
        {**_only({"isu", "superuser", "coordinator"}, ok=302, refused=404), "owner": 403},
    ),
    (
        "get",
        "/relays/answers/{npa_answer}/",
        None,
        {
            **_only({"partner", "superuser"}, refused=404),
            **dict.fromkeys(["isu", "coordinator", "owner"], 403),
        },
    ),
    (
        "post",
        "/relays/answers/{npa_answer}/",
        {"answer": "interested"},
        {
            **_only({"partner", "superuser"}, ok=302, refused=404),
            **dict.fromkeys(["isu", "coordinator", "owner"], 403),
        },
    ),
    (
        "get",
        "/relays/follow-ups/{follow_up}/",
        None,
        {
            **_only({"owner", "superuser"}, refused=404),
            **dict.fromkeys(["isu", "coordinator", "donor", "partner"], 403),
        },
    ),
    (
        "post",
        "/relays/follow-ups/{follow_up}/",
        {"answer": "fully"},
        {
            **_only({"owner", "superuser"}, ok=302, refused=404),
            **dict.fromkeys(["isu", "coordinator", "donor", "partner"], 403),
        },
    ),
    ("get", "/notifications/", None, _only(set(ROLES) - {"anonymous"})),
    ("post", "/notifications/{notification}/read/", {}, _only(set(), refused=404)),
    ("post", "/notifications/read-all/", {}, _only(set(ROLES) - {"anonymous"}, ok=302)),
    ("get", "/api/v1/relays/", None, PUBLIC),
    (
        "get",
        "/api/v1/relays/{relay}/",
        None,
        _only({"isu", "superuser", "coordinator", "owner"}, anonymous=404, refused=404),
    ),
    (
        "post",
        "/api/v1/needs/{need}/relays/",
        {"states": ["FRA"]},
        {**_only({"isu", "superuser", "coordinator"}, ok=201, anonymous=403), "partner": 404},
    ),
    (
        "post",
        "/api/v1/relays/{relay}/objection/",
        {"reason": "Not now"},
        {
            **_only({"owner", "superuser"}, anonymous=403, refused=404),
            **dict.fromkeys(["isu", "coordinator"], 403),
        },
    ),
    (
        "post",
        "/api/v1/relays/{sent}/answers/",
        {"answer": "interested"},
        {
            **_only({"donor", "partner"}, anonymous=403),
            "other_state": 404,
        },
    ),
    (
        "post",
        "/api/v1/follow-ups/{follow_up}/answer/",
        {"answer": "fully"},
        {**_only({"owner", "superuser"}, anonymous=403), "other_state": 404},
    ),
    ("get", "/api/v1/notifications/", None, _only(set(ROLES) - {"anonymous"}, anonymous=403)),
    (
        "post",
        "/api/v1/notifications/{notification}/read/",
        {},
        _only(set(), anonymous=403, refused=404),
    ),
    (
        "post",
        "/api/v1/notifications/read-all/",
        {},
        _only(set(ROLES) - {"anonymous"}, anonymous=403),
    ),
]


def _login(client: Client, role: str) -> None:
    if role == "anonymous":
        return
    states = {s.iso3: s for s in State.objects.filter(iso3__in=["LAO", "LBN", "NOR"])}
    attributes = {
        "isu": {"role": "isu"},
        "coordinator": {"role": "coordinator"},
        "owner": {"role": "state_focal_point", "state": states["LAO"]},
        "other_state": {"role": "state_focal_point", "state": states["LBN"]},
        "donor": {"role": "donor_focal_point", "state": states["NOR"]},
        "partner": {"role": "partner", "organisation": Organisation.objects.get(acronym="NPA")},
        "superuser": {"is_superuser": True, "is_staff": True},
    }[role]
    user = User.objects.create_user(username=f"walk-{role}", password=None, **attributes)
    client.force_login(user)


def _reports() -> dict[str, int]:
    """Lao PDR's CCM reports: 2018 submitted, 2019 published, 2020 a draft."""
    import datetime as dt

    from icahub.registry.models import Convention
    from icahub.reports import services

    state, ccm = State.objects.get(iso3="LAO"), Convention.objects.get(code="CCM")
    isu = User.objects.create_user(username="walk-reports-isu", password=None, role="isu")
    ids = {}
    for name, year in (("submitted", 2018), ("published", 2019), ("draft", 2020)):
        report = services.report_start(
            state=state, convention=ccm, kind="annual", reporting_year=year
        )
        if name != "draft":
            version = services.report_submit(
                report=report, user=isu, submitted_on=dt.date(year + 1, 4, 1)
            )
            if name == "published":
                services.version_publish(version=version)
        ids[name] = report.pk
    return ids


def _assistance() -> dict[str, int]:
    """A Lao PDR need and a Norwegian offer, both seen by States Parties."""
    from icahub.assistance import services
    from icahub.registry.models import Convention

    need = services.need_create(
        state=State.objects.get(iso3="LAO"),
        convention=Convention.objects.get(code="CCM"),
        area="clearance",
        modality="financial",
        title="Survey of Xieng Khouang",
    )
    offer = services.offer_create(
        provider_state=State.objects.get(iso3="NOR"), title="Clearance", areas=["clearance"]
    )
    return {"need": need.pk, "offer": offer.pk}


def _relays(need_pk: int) -> dict[str, int]:
    """See the relay rows of TABLE."""
    import datetime as dt

    from django.utils import timezone

    from icahub.assistance.models import Need
    from icahub.notifications.services import notify
    from icahub.relays import services

    need = Need.objects.get(pk=need_pk)
    isu = User.objects.create_user(username="walk-relays-isu", password=None, role="isu")
    today = timezone.localdate()
    sent = services.relay_create(
        need=need,
        partners=[State.objects.get(iso3="NOR"), Organisation.objects.get(acronym="NPA")],
        user=isu,
        today=today - dt.timedelta(days=400),
    )
    services.relay_advance(today=today - dt.timedelta(days=390))
    services.relay_advance(today=today)
    relay = services.relay_create(
        need=need, partners=[Organisation.objects.get(acronym="HALO")], user=isu, today=today
    )
    return {
        "relay": relay.pk,
        "sent": sent.pk,
        "npa_answer": sent.recipients.get(organisation__acronym="NPA").pk,
        "follow_up": sent.follow_ups.get(recipient__isnull=True).pk,
        "notification": notify(users=[isu], subject="Walk", send_email=False)[0].pk,
    }


def _cases():
    for method, url, body, expected in TABLE:
        for role in ROLES:
            yield pytest.param(method, url, body, role, expected[role], id=f"{role}-{method}-{url}")


@pytest.mark.parametrize(("method", "url", "body", "role", "status"), list(_cases()))
def test_access(method, url, body, role, status):
    # given a user of this role
    client = Client()
    _login(client, role)
    ids = {
        "lao": Obligation.objects.get(state__iso3="LAO", kind="clearance").pk,
        "irq": Obligation.objects.get(state__iso3="IRQ", kind="clearance").pk,
        "org": Organisation.objects.get(acronym="NPA").pk,
        "other_org": Organisation.objects.get(acronym="HALO").pk,
        **_reports(),
        **_assistance(),
    }
    ids |= _relays(ids["need"])

    # when they call the endpoint
    target = url.format(**ids)
    if method == "get":
        response = client.get(target)
    elif method == "post" and target.startswith("/api/"):
        response = client.post(target, body, content_type="application/json")
    elif method == "post":
        response = client.post(target, body)
    else:
        response = client.patch(target, body, content_type="application/json")

    # then the answer is the one the table gives
    assert response.status_code == status, response.content[:300]


# Routes the table does not need to walk: Django's own admin and language switch, and the
# password-reset steps that only work with a signed token from an e-mail.
NOT_WALKED = {
    "set_language",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "logout",
}


def _named_routes(patterns, namespace: str = ""):
    from django.urls import URLPattern, URLResolver

    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.app_name == "admin":
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _named_routes(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}"


def test_the_table_walks_every_route():
    # given every named route of the site and the API
    from django.urls import get_resolver, resolve
    from django.utils import translation

    routes = set(_named_routes(get_resolver().url_patterns)) - NOT_WALKED
    ids = {"lao": 1, "irq": 2, "org": 3, "other_org": 4, "draft": 5, "published": 6, "submitted": 7}
    ids |= {"need": 8, "offer": 9}
    ids |= {"relay": 10, "sent": 11, "npa_answer": 12, "follow_up": 13, "notification": 14}

    # when the table's URLs are resolved (each in the language of its prefix)
    walked = set()
    for _, url, _, _ in TABLE:
        path = url.format(**ids).split("?")[0]
        language = path.split("/")[1] if path.split("/")[1] in {"fr", "es", "ar"} else "en"
        with translation.override(language):
            match = resolve(path)
        walked.add(f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name)

    # then no route is left out of the access table
    assert routes - walked == set()
