"""Every list page and API list runs a fixed number of queries whatever the number of rows.

One test database holds a little of everything (``World``); each URL of ``BUDGETS`` is read,
then the world grows by several records of every kind (needs, offers, matches, flows,
reports, coalitions and their workspace records, relays, notifications, obligations) and the
URL is read again: the count must not change and must stay within the budget. A guard test
fails when a route that lists records has no budget here.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver

from icahub.accounts.models import User
from icahub.assistance import services as assistance_services
from icahub.coalitions import services as coalition_services
from icahub.funding import services as funding_services
from icahub.notifications import services as notification_services
from icahub.obligations.services import obligation_create
from icahub.registry.models import Convention, Membership, Organisation, State
from icahub.relays import services as relay_services
from icahub.reports import services as report_services

pytestmark = pytest.mark.django_db

VISIBILITIES = ("public", "states_parties", "coalition", "private")
AREAS = ("clearance", "victim_assistance", "risk_education", "stockpile_destruction")
MONDAY = dt.date(2026, 3, 2)
# The smallest valid PDF: coalition documents are checked by content.
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class World:
    """A Lao PDR coalition under the CCM (Norway an active member, NPA invited), a Lao need
    in its plan, and ``grow(n)``: n more records of every kind the lists show."""

    def __init__(self):
        self.ccm = Convention.objects.get(code="CCM")
        self.apmbc = Convention.objects.get(code="APMBC")
        self.lao = State.objects.get(iso3="LAO")
        self.nor = State.objects.get(iso3="NOR")
        self.npa = Organisation.objects.get(acronym="NPA")
        self.halo = Organisation.objects.get(acronym="HALO")
        self.isu = User.objects.create_user("budget-isu", password="pw-for-tests-only", role="isu")
        self.focal = User.objects.create_user(
            "budget-lao", password="pw-for-tests-only", role="state_focal_point", state=self.lao
        )
        self.coalition = coalition_services.coalition_create(
            lead_state=self.lao, convention=self.ccm, name="Lao clearance", user=self.focal
        )
        norway = coalition_services.member_invite(
            coalition=self.coalition, state=self.nor, user=self.focal
        )
        self.norway = coalition_services.invitation_accept(member=norway)
        coalition_services.member_invite(
            coalition=self.coalition, organisation=self.npa, user=self.focal
        )
        self.need = self._need(0, visibility="public")
        coalition_services.objective_save(
            coalition=self.coalition, title="Clear the plateau", needs=[self.need]
        )
        self.offer = self._offer(0, provider_state=self.nor, visibility="public")
        self.meeting = coalition_services.meeting_create(
            coalition=self.coalition,
            title="Partners' meeting",
            place="Vientiane",
            starts_at=dt.datetime(2026, 5, 4, 9, tzinfo=dt.UTC),
            user=self.focal,
        )
        self.ccm_parties = list(
            State.objects.filter(
                memberships__convention=self.ccm,
                memberships__entry_into_force__lte=dt.date(2020, 1, 1),
            ).order_by("iso3")
        )
        self.apmbc_parties = list(
            Membership.objects.filter(
                convention=self.apmbc, entry_into_force__lte=dt.date(2020, 1, 1)
            )
            .exclude(state__obligations__convention=self.apmbc)
            .select_related("state")
            .order_by("state__iso3")
        )
        self._serial = itertools.count(1)
        self.grow(2)

    def _need(self, n: int, **values):
        defaults = {
            "state": self.lao,
            "convention": self.ccm,
            "area": AREAS[n % len(AREAS)],
            "modality": "financial",
            "title": f"Need {n}",
            "budget_required": Decimal("100000"),
            "currency": "USD",
            "visibility": VISIBILITIES[n % len(VISIBILITIES)],
        }
        return assistance_services.need_create(**{**defaults, **values})

    def _offer(self, n: int, **values):
        defaults = {
            "title": f"Offer {n}",
            "areas": [AREAS[n % len(AREAS)], "clearance"],
            "modalities": ["financial"],
            "priority_countries": [self.lao],
            "budget_envelope": Decimal("500000"),
            "currency": "USD",
            "visibility": VISIBILITIES[n % len(VISIBILITIES)],
        }
        return assistance_services.offer_create(**{**defaults, **values})

    def grow(self, count: int) -> None:
        for _ in range(count):
            n = next(self._serial)
            need = self._need(n)
            other = self.ccm_parties[n % len(self.ccm_parties)]
            self._need(n, state=other, title=f"Need {n} of {other.iso3}", visibility="public")
            self._offer(n, provider_state=self.nor)
            self._offer(n, provider_organisation=self.halo, visibility="public")
            funding_services.flow_create(
                giver_state=self.nor,
                recipient_state=self.lao,
                need=self.need,
                status="disbursement",
                amount=Decimal("1000") * n,
                currency="USD",
                value_date=dt.date(2024, 3, 1),
                area="clearance",
                visibility=VISIBILITIES[n % len(VISIBILITIES)],
            )
            funding_services.flow_create(
                giver_organisation=self.halo,
                recipient_coalition=self.coalition,
                status="commitment",
                amount=Decimal("2500"),
                currency="USD",
                value_date=dt.date(2025, 6, 1),
                area="victim_assistance",
                visibility="public",
            )
            funding_services.exchange_rate_create(
                currency="NOK",
                valid_from=dt.date(2000, 1, 1) + dt.timedelta(days=n),
                usd_per_unit=Decimal("0.1"),
                source="test",
            )
            report_services.report_start(
                state=self.ccm_parties[n],
                convention=self.ccm,
                kind="annual",
                reporting_year=2020,
                user=self.isu,
            )
            lead = self.ccm_parties[-n]
            coalition_services.coalition_create(
                lead_state=lead, convention=self.ccm, name=f"Coalition {n}", user=self.isu
            )
            member = coalition_services.member_invite(
                coalition=self.coalition, state=self.ccm_parties[n + 1], user=self.focal
            )
            coalition_services.invitation_accept(member=member)
            coalition_services.objective_save(
                coalition=self.coalition, title=f"Objective {n}", needs=[need]
            )
            meeting = coalition_services.meeting_create(
                coalition=self.coalition,
                title=f"Meeting {n}",
                place="Vientiane",
                starts_at=dt.datetime(2026, 6, n, 9, tzinfo=dt.UTC),
            )
            for target in (meeting, self.meeting):
                coalition_services.action_item_create(
                    meeting=target, text=f"Action {n}", owner=self.norway
                )
            coalition_services.document_upload(
                coalition=self.coalition,
                title=f"Plan {n}",
                file=SimpleUploadedFile(f"plan-{n}.pdf", PDF),
                user=self.focal,
            )
            coalition_services.commitment_create(
                coalition=self.coalition,
                member=self.norway,
                need=self.need,
                amount=Decimal("1000"),
                currency="USD",
                value_date=dt.date(2026, 1, 1),
            )
            relay_services.relay_create(
                need=self._need(n, title=f"Relayed need {n}", visibility="states_parties"),
                partners=[self.nor, self.npa],
                user=self.isu,
                today=MONDAY,
            )
            notification_services.notify(
                users=[self.isu, self.focal],
                subject=f"Notice {n}",
                url="/relays/",
                send_email=False,
            )
            membership = self.apmbc_parties.pop()
            obligation_create(state=membership.state, convention=self.apmbc, kind="clearance")
        relay_services.relay_advance(today=MONDAY + dt.timedelta(days=8))


# (url, who reads it, budget). {need}, {offer}, {coalition}, {meeting}, {halo} and {npa}
# are filled from the world.
BUDGETS = [
    # Pages
    ("/", "anonymous", 22),
    ("/", "isu", 24),
    ("/states/", "anonymous", 6),
    ("/states/?convention=APMBC&status=party", "anonymous", 6),
    ("/states/LAO/", "isu", 30),
    ("/organisations/", "anonymous", 6),
    ("/organisations/{halo}/", "isu", 20),
    ("/conventions/", "anonymous", 10),
    ("/obligations/", "anonymous", 6),
    ("/obligations/?format=csv", "anonymous", 4),
    ("/obligations/?format=xlsx", "anonymous", 4),
    ("/reports/", "isu", 10),
    ("/reports/statistics/", "isu", 12),
    ("/reports/who-has-reported/", "isu", 12),
    ("/assistance/needs/", "isu", 12),
    ("/assistance/needs/?area=clearance&state=LAO&status=open", "isu", 12),
    ("/assistance/needs/{need}/", "isu", 30),
    ("/assistance/offers/", "isu", 12),
    ("/assistance/offers/{offer}/", "isu", 30),
    ("/assistance/partners/state/{nor}/", "isu", 20),
    ("/funding/", "isu", 14),
    ("/funding/?format=csv", "isu", 8),
    ("/funding/by/donor/", "isu", 12),
    ("/funding/by/year/", "isu", 12),
    ("/funding/exchange-rates/", "isu", 8),
    ("/coalitions/", "isu", 10),
    ("/coalitions/{coalition}/", "isu", 40),
    ("/coalitions/{coalition}/actions/", "isu", 14),
    ("/coalitions/{coalition}/gap/", "isu", 20),
    ("/coalitions/{coalition}/meetings/{meeting}/", "isu", 20),
    ("/notifications/", "isu", 8),
    ("/relays/", "isu", 12),
    ("/relays/mine/", "focal", 12),
    ("/relays/report/", "isu", 14),
    # API lists
    ("/api/v1/conventions/", "anonymous", 3),
    ("/api/v1/states/", "anonymous", 4),
    ("/api/v1/states/LAO/", "anonymous", 8),
    ("/api/v1/organisations/", "anonymous", 3),
    ("/api/v1/obligations/", "anonymous", 4),
    (
        "/api/v1/rules/deadlines/?convention=CCM&deposited=2011-03-18",
        "anonymous",
        3,
    ),
    ("/api/v1/reports/", "isu", 8),
    (
        "/api/v1/statistics/assistance-requests/?convention=CCM&reporting_year=2020&as_of=2021-09-01",
        "anonymous",
        8,
    ),
    ("/api/v1/needs/", "isu", 8),
    ("/api/v1/offers/", "isu", 8),
    ("/api/v1/needs/{need}/matches/", "isu", 12),
    ("/api/v1/offers/{offer}/matches/", "isu", 12),
    ("/api/v1/partners/state/{nor}/matches/", "isu", 12),
    ("/api/v1/flows/", "isu", 8),
    ("/api/v1/flows/summary/", "isu", 8),
    ("/api/v1/exchange-rates/", "isu", 4),
    ("/api/v1/coalitions/", "isu", 8),
    ("/api/v1/coalitions/invitations/", "isu", 8),
    ("/api/v1/coalitions/{coalition}/members/", "isu", 8),
    ("/api/v1/coalitions/{coalition}/objectives/", "isu", 8),
    ("/api/v1/coalitions/{coalition}/meetings/", "isu", 8),
    ("/api/v1/coalitions/{coalition}/commitments/", "isu", 8),
    ("/api/v1/coalitions/{coalition}/gap/", "isu", 14),
    ("/api/v1/notifications/", "isu", 4),
    ("/api/v1/relays/", "isu", 8),
]


@pytest.fixture
def world(db, settings, tmp_path):
    settings.COALITION_DOCUMENTS_ROOT = str(tmp_path / "coalition-documents")
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return World()


def _client(world: World, who: str) -> Client:
    client = Client()
    if who != "anonymous":
        client.force_login({"isu": world.isu, "focal": world.focal}[who])
    return client


def _url(world: World, template: str) -> str:
    return template.format(
        need=world.need.pk,
        offer=world.offer.pk,
        coalition=world.coalition.pk,
        meeting=world.meeting.pk,
        halo=world.halo.pk,
        nor=world.nor.pk,
    )


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    if response.status_code != 200:
        return -response.status_code
    return len(context.captured_queries)


def test_every_list_stays_within_its_query_budget_as_rows_grow(world):
    # given a world with a few records of every kind, and each list read once
    clients = {who: _client(world, who) for who in ("anonymous", "isu", "focal")}
    before = {
        (template, who): _queries(clients[who], _url(world, template))
        for template, who, _ in BUDGETS
    }

    # when every kind of record grows by three more and the lists are read again
    world.grow(3)
    after = {
        (template, who): _queries(clients[who], _url(world, template))
        for template, who, _ in BUDGETS
    }

    # then every list answered, ran no more queries than before and stays within its budget
    failed = {key: -count for key, count in after.items() if count < 0}
    assert failed == {}, f"lists that did not answer 200: {failed}"
    grew = {key: (before[key], after[key]) for key in before if after[key] != before[key]}
    assert grew == {}, f"queries grew with the rows (before, after): {grew}"
    over = {
        (template, who): after[(template, who)]
        for template, who, budget in BUDGETS
        if after[(template, who)] > budget
    }
    assert over == {}, f"over budget: {over}"


# Routes that show a list of records (pages and API). A new listing route must get a budget
# above; routes of one record with no list in them, forms and actions are not listed here.
def _routes(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.name


LISTING_NAME = re.compile(
    r"(^|[-_:])(list|inbox|mine|statistics|compliance|totals|rates|gap|matches|report|"
    r"needs|offers|flows|states|organisations|conventions|obligations|reports|coalitions|"
    r"members|objectives|meetings|action-items|commitments|notifications|relays|invitations|"
    r"exchange-rates|summary|deadlines|sign-ins|sign_ins|imports|jobs)$"
)
NOT_A_LIST = {
    "api-report",  # one report
    # forms and single records whose names happen to end like a list
    "matches_report",  # listed as /relays/report/
    "api-need-matches",
    "api-offer-matches",
    "api-partner-matches",
    # create-only endpoints (POST), nothing listed
    "api-coalition-action-items",
    "api-need-relays",
}


def test_every_listing_route_has_a_query_budget():
    # given the routes whose name says they list records
    paths = [re.sub(r"\{[a-z_]+\}", "1", url.split("?")[0]) for url, _, _ in BUDGETS]
    routes = {
        re.sub(r"<[^>]+>|\(\?P<[^>]+>[^)]*\)", "<>", route).replace("^", "").replace("/?$", "/")
        for route, name in _routes(get_resolver().url_patterns)
        if name and LISTING_NAME.search(name) and name not in NOT_A_LIST
    }

    # then each one is read by an entry of BUDGETS
    def covered(route: str) -> bool:
        pattern = re.compile("^/" + re.escape(route).replace("<>", "[^/]+") + "$")
        return any(pattern.match(path) for path in paths)

    missing = {route for route in routes if not covered(route) and "admin" not in route}
    assert missing == set(), f"listing routes with no query budget: {sorted(missing)}"


def test_dashboard_lists_passed_deadlines_with_no_recorded_extension(client):
    # given Iraq, whose clearance deadline (1 November 2023) has no confirmed extension
    page = client.get("/").content.decode()

    # then the dashboard lists it under the passed deadlines
    section = page[page.index("Deadlines passed") :]
    assert "Iraq" in section


@pytest.mark.parametrize(
    ("url", "budget"), [("/accounts/sign-ins/", 8), ("/accounts/sign-ins/?format=csv", 5)]
)
def test_sign_in_audit_stays_within_its_query_budget(client, isu_user, url, budget):
    # given the ISU signed in and a few sign-in events, then many more
    from icahub.accounts.models import LoginEvent

    client.force_login(isu_user)
    before = _queries(client, url)
    LoginEvent.objects.bulk_create(
        LoginEvent(kind="failed", username=f"user-{n}", ip_address="192.0.2.1") for n in range(80)
    )

    # when the audit is read again
    after = _queries(client, url)

    # then the number of queries did not grow and stays within the budget
    assert after <= budget, f"{url}: {after} queries"
    assert after == before
