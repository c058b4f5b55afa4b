"""No list, search, export, statistic, dashboard or API answer shows a record to a user who
may not see it.

One record of each private kind is made, each with a unique marker in its title or text: a
draft and a submitted (unpublished) report, needs and offers seen by States Parties only,
by a Country Coalition only or privately, their translations, funding flows with each
restricted visibility, every kind of coalition workspace record (plan objective, meeting
and minutes, action item, document, commitment), a relay still in its objection period, a
partner's answer with a pledge, and someone else's notification. Then every page and API
endpoint of the access table (``test_access.TABLE``), the same pointed at each private
record, and the downloads and statistics below are read as each role that is not entitled
to a record, and its marker must not appear anywhere in the answer (XLSX and DOCX are
unzipped first). PDFs are not searched: WeasyPrint writes text as glyph ids, so a marker
could not be found in them (their pages are the published report's, also walked as HTML).
"""

from __future__ import annotations

import datetime as dt
import io
import uuid
import zipfile
from decimal import Decimal

import pytest
from django.test import Client

from icahub.web.tests import test_access

pytestmark = pytest.mark.django_db

ANYONE = frozenset({"anonymous", "coordinator", "owner", "other_state", "donor", "partner"})
# Seen by States Parties: anyone signed in for a State Party, and coordinators.
NOT_STATES_PARTIES = frozenset({"anonymous", "partner"})
# Lao PDR's coalition (the access table's): Lao PDR leads, Norway is an active member, NPA
# only invited. Its workspace is for them and the ISU.
NOT_LAO_COALITION = frozenset({"anonymous", "coordinator", "other_state", "partner"})
ROLES = sorted(ANYONE)


def _marker(kind: str) -> str:
    # Letters and digits only: nothing HTML, CSV or JSON would escape.
    return f"Zq{kind}{uuid.uuid4().hex[:10]}"


def _private_records(ids: dict) -> tuple[dict[str, frozenset[str]], dict[str, list[int]]]:
    """Make the private records. Returns {marker: the roles that must not see it} and, per
    placeholder of the access table, the ids of private records to walk as well."""
    from icahub.accounts.models import User
    from icahub.assistance import services as assistance
    from icahub.assistance.models import Need
    from icahub.coalitions import services as coalitions
    from icahub.coalitions.models import Coalition, CoalitionMember
    from icahub.funding import services as funding
    from icahub.notifications.services import notify
    from icahub.registry.models import Convention, Organisation, State
    from icahub.relays import services as relays
    from icahub.relays.models import Relay
    from icahub.reports import services as reports
    from icahub.reports.models import ReportVersion

    forbidden: dict[str, frozenset[str]] = {}
    extra: dict[str, list[int]] = {}

    def mark(kind: str, roles: frozenset[str]) -> str:
        marker = _marker(kind)
        forbidden[marker] = roles
        return marker

    state = {s.iso3: s for s in State.objects.filter(iso3__in=["IRQ", "LAO", "NOR", "FRA"])}
    ccm = Convention.objects.get(code="CCM")
    isu = User.objects.create_user(username="leak-isu", password=None, role="isu")
    norway_user = User.objects.create_user(
        username="leak-nor", password=None, role="donor_focal_point", state=state["NOR"]
    )
    coalition = Coalition.objects.get(pk=ids["coalition"])
    norway = CoalitionMember.objects.get(pk=ids["coalition_member"])

    # Reports: Iraq's draft and submitted (unpublished) versions; Lao PDR's draft (the
    # owner's). Drafts: their state and the ISU; submitted: States Parties and coordinators.
    for year, roles, submit in ((2021, ANYONE, False), (2020, NOT_STATES_PARTIES, True)):
        report = reports.report_start(
            state=state["IRQ"], convention=ccm, kind="annual", reporting_year=year
        )
        version = report.versions.get()
        reports.version_update(version=version, data={"contact_name": mark(f"Report{year}", roles)})
        if submit:
            reports.report_submit(report=report, user=isu, submitted_on=dt.date(year + 1, 4, 1))
        extra.setdefault("draft", []).append(report.pk)
    lao_draft = ReportVersion.objects.get(report_id=ids["draft"])
    reports.version_update(
        version=lao_draft,
        data={"contact_name": mark("ReportLaoDraft", ANYONE - {"owner"})},
    )

    # Needs of Iraq (no role of the table speaks for Iraq), and one of Lao PDR for its
    # coalition; each with a French translation carrying its own marker.
    needs = []
    for visibility, roles, country in (
        ("private", ANYONE, "IRQ"),
        ("states_parties", NOT_STATES_PARTIES, "IRQ"),
        ("coalition", ANYONE, "IRQ"),
        ("coalition", NOT_LAO_COALITION, "LAO"),
    ):
        kind = f"Need{visibility.replace('_', '')}{country}"
        need = assistance.need_create(
            state=state[country],
            convention=ccm,
            area="clearance",
            modality="financial",
            title=mark(kind, roles),
            description=mark(f"{kind}Text", roles),
            visibility=visibility,
        )
        assistance.need_add_translation(need=need, language="fr", title=mark(f"{kind}Fr", roles))
        needs.append(need)
        extra.setdefault("need", []).append(need.pk)
    lao_coalition_need = needs[-1]

    # Offers: Iraq's private and States Parties' ones; Norway's for the coalitions it is in.
    for provider, visibility, roles in (
        ("IRQ", "private", ANYONE),
        ("IRQ", "states_parties", NOT_STATES_PARTIES),
        ("NOR", "coalition", NOT_LAO_COALITION),
    ):
        kind = f"Offer{visibility.replace('_', '')}{provider}"
        offer = assistance.offer_create(
            provider_state=state[provider],
            title=mark(kind, roles),
            description=mark(f"{kind}Text", roles),
            areas=["clearance"],
            visibility=visibility,
        )
        extra.setdefault("offer", []).append(offer.pk)

    # Funding flows from France: to Iraq (private, States Parties) and to the coalition.
    for recipient, visibility, roles in (
        ({"recipient_state": state["IRQ"]}, "private", ANYONE),
        ({"recipient_state": state["IRQ"]}, "states_parties", NOT_STATES_PARTIES),
        ({"recipient_coalition": coalition}, "coalition", NOT_LAO_COALITION),
    ):
        flow = funding.flow_create(
            giver_state=state["FRA"],
            area="clearance",
            status="commitment",
            amount=Decimal("777"),
            currency="USD",
            value_date=dt.date(2024, 3, 31),
            visibility=visibility,
            notes_on_use=mark(f"Flow{visibility.replace('_', '')}", roles),
            **recipient,
        )
        extra.setdefault("flow", []).append(flow.pk)

    # The coalition's workspace: one record of each kind.
    coalitions.objective_save(
        coalition=coalition,
        title=mark("Objective", NOT_LAO_COALITION),
        description=mark("ObjectiveText", NOT_LAO_COALITION),
        needs=[lao_coalition_need],
    )
    meeting = coalitions.meeting_create(
        coalition=coalition,
        title=mark("Meeting", NOT_LAO_COALITION),
        starts_at=dt.datetime(2026, 4, 1, 9, tzinfo=dt.UTC),
        place="Vientiane",
        agenda=mark("Agenda", NOT_LAO_COALITION),
        minutes=mark("Minutes", NOT_LAO_COALITION),
        decisions=mark("Decisions", NOT_LAO_COALITION),
    )
    extra.setdefault("coalition_meeting", []).append(meeting.pk)
    coalitions.action_item_create(
        meeting=meeting, text=mark("ActionItem", NOT_LAO_COALITION), owner=norway
    )
    from django.core.files.uploadedfile import SimpleUploadedFile

    document = coalitions.document_upload(
        coalition=coalition,
        title=mark("Document", NOT_LAO_COALITION),
        file=SimpleUploadedFile("budget.pdf", b"%PDF-1.4 budget\n%%EOF\n", "application/pdf"),
    )
    extra.setdefault("coalition_document", []).append(document.pk)
    coalitions.commitment_create(
        coalition=coalition,
        member=norway,
        need=Need.objects.get(pk=ids["need"]),
        amount=Decimal("250"),
        currency="USD",
        value_date=dt.date(2026, 2, 1),
        description=mark("Commitment", NOT_LAO_COALITION),
    )

    # Relays: one of Iraq's States Parties need, still in its objection period (the ISU,
    # coordinators and Iraq see it); and Norway's answer, a pledge, to the access table's
    # sent relay (not other partners: NPA is another partner of the same relay).
    relay = relays.relay_create(
        need=needs[1],
        partners=[Organisation.objects.get(acronym="HALO")],
        user=isu,
        note=mark("RelayNote", ANYONE - {"coordinator"}),
    )
    extra.setdefault("relay", []).append(relay.pk)
    sent = Relay.objects.get(pk=ids["sent"])
    relays.relay_answer(
        recipient=sent.recipients.get(state=state["NOR"]),
        user=norway_user,
        answer="pledged",
        comment=mark("Pledge", frozenset({"anonymous", "other_state", "partner"})),
        amount=Decimal("4321"),
        currency="USD",
    )

    # Someone else's notification.
    notify(users=[isu], subject=mark("Notification", ANYONE), send_email=False)
    return forbidden, extra


EXTRA_URLS = [
    "/?year=2026",
    "/states/IRQ/",
    "/states/LAO/",
    "/states/NOR/",
    "/states/?q=Iraq",
    "/fr/assistance/needs/",
    "/ar/funding/",
    "/assistance/needs/?state=IRQ",
    "/assistance/needs/?status=open&format=csv",
    "/assistance/offers/?provider_state=IRQ&format=xlsx",
    "/assistance/partners/state/{nor}/",
    "/assistance/partners/state/{irq_state}/",
    "/api/v1/partners/state/{nor}/matches/",
    "/api/v1/partners/state/{irq_state}/matches/",
    "/api/v1/needs/",
    "/api/v1/offers/",
    "/api/v1/flows/",
    "/api/v1/flows/?recipient=IRQ",
    "/api/v1/flows/summary/?by=donor",
    "/api/v1/flows/summary/?by=recipient",
    "/api/v1/flows/summary/?by=area",
    "/funding/?recipient=IRQ",
    "/funding/by/recipient/?format=csv",
    "/funding/by/donor/?format=xlsx",
    "/funding/by/area/?format=csv",
    "/funding/by/status/",
    "/reports/?state=IRQ",
    "/api/v1/reports/?state=IRQ",
    "/reports/statistics/?convention=CCM&reporting_year=2020",
    "/api/v1/statistics/assistance-requests/?convention=CCM&reporting_year=2020&as_of=2026-06-30",
    "/reports/who-has-reported/?convention=CCM&reporting_year=2020",
    "/reports/{published}/download/docx/",
    "/reports/{published}/download/xlsx/",
    "/relays/report/?year={year}",
    "/relays/report/?year={year}&format=xlsx",
    "/api/v1/relays/",
    "/api/v1/coalitions/",
    "/api/v1/notifications/",
]


# The PDF (see above) and the API schema, which holds no record: a tenth of the walk's time.
NOT_SEARCHED = ("/download/pdf/", "/schema/", "/docs/")


def _urls(ids: dict, extra: dict[str, list[int]]) -> list[str]:
    """Every GET of the access table, the same aimed at each private record, and the
    downloads and statistics above."""
    import string

    urls = []
    for method, url, _, _ in test_access.TABLE:
        if method != "get" or url.endswith(NOT_SEARCHED):
            continue
        urls.append(url.format(**ids))
        names = {name for _, name, _, _ in string.Formatter().parse(url) if name}
        for name in names & set(extra):
            for pk in extra[name]:
                urls.append(url.format(**{**ids, name: pk}))
    urls += [url.format(**ids) for url in EXTRA_URLS]
    return list(dict.fromkeys(urls))


def _text(response) -> str:
    """The whole answer as text; zip containers (XLSX, DOCX) unzipped member by member."""
    body = (
        b"".join(response.streaming_content)
        if getattr(response, "streaming", False)
        else response.content
    )
    if body.startswith(b"PK\x03\x04"):
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            return "\n".join(
                archive.read(name).decode("utf-8", "replace") for name in archive.namelist()
            )
    return body.decode("utf-8", "replace")


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The access table's records and the private ones, built once in a transaction rolled
    back at the end (as in test_access.py)."""
    from django.db import transaction
    from django.test.utils import override_settings
    from django.utils import timezone

    from icahub.registry.models import State

    documents = str(tmp_path_factory.mktemp("leak-documents"))
    with django_db_blocker.unblock(), override_settings(COALITION_DOCUMENTS_ROOT=documents):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            ids = test_access.build_records()
            ids |= {
                "nor": State.objects.get(iso3="NOR").pk,
                "irq_state": State.objects.get(iso3="IRQ").pk,
                "year": timezone.localdate().year,
            }
            forbidden, extra = _private_records(ids)
            yield {
                "urls": _urls(ids, extra),
                "forbidden": forbidden,
                "documents": documents,
            }
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def test_every_private_kind_has_a_marker(world):
    # the walk below is only as good as the records it looks for
    assert len(world["forbidden"]) >= 30
    assert len(world["urls"]) >= 150


def test_the_walk_finds_every_record_where_the_isu_looks(world, settings):
    # given the ISU, who may see every record (the check that the walk reaches them all:
    # a marker nobody finds would prove nothing)
    settings.COALITION_DOCUMENTS_ROOT = world["documents"]
    client = Client()
    test_access._login(client, "isu")

    # when the ISU reads the same pages
    seen = set()
    for url in world["urls"]:
        text = _text(client.get(url))
        seen |= {marker for marker in world["forbidden"] if marker in text}

    # then every marker shows somewhere (but someone else's notification)
    missed = {m for m in set(world["forbidden"]) - seen if "Notification" not in m}
    assert sorted(missed) == [], "\n".join(sorted(missed))


@pytest.mark.parametrize("role", ROLES)
def test_no_answer_shows_a_record_the_role_may_not_see(role, world, settings):
    # given a user of this role and the markers of the records they may not see
    settings.COALITION_DOCUMENTS_ROOT = world["documents"]
    client = Client()
    test_access._login(client, role)
    markers = [marker for marker, roles in world["forbidden"].items() if role in roles]
    assert markers

    # when they read every page, download and API answer
    leaks, errors = [], []
    for url in world["urls"]:
        response = client.get(url)
        if response.status_code >= 500:
            errors.append(f"{url}: {response.status_code}")
            continue
        text = _text(response)
        leaks += [f"{url}: {marker}" for marker in markers if marker in text]

    # then none of those records shows anywhere, and nothing failed
    assert errors == []
    assert leaks == []


def test_with_the_page_cache_on_anonymous_visitors_get_nothing_the_isu_read(world, settings):
    # given the anonymous page cache on (production), and the ISU, who sees every record,
    # reading every page signed in and every API answer with a token first
    from django.core.cache import cache
    from rest_framework.authtoken.models import Token

    from icahub.accounts.models import User
    from icahub.web.page_cache import CACHE_HEADER

    settings.COALITION_DOCUMENTS_ROOT = world["documents"]
    settings.ICAHUB_CACHE_SECONDS = 60
    cache.clear()
    isu = Client()
    test_access._login(isu, "isu")
    token = Token.objects.create(user=User.objects.get(username="walk-isu")).key
    for url in world["urls"]:
        isu.get(url)
        if url.startswith("/api/"):
            Client().get(url, headers={"Authorization": f"Token {token}"})

    # when anonymous visitors read everything twice (the second time from the cache)
    markers = [marker for marker, roles in world["forbidden"].items() if "anonymous" in roles]
    leaks, hits = [], 0
    try:
        for _ in range(2):
            for url in world["urls"]:
                response = Client().get(url)
                hits += response.get(CACHE_HEADER) == "hit"
                text = _text(response)
                leaks += [f"{url}: {marker}" for marker in markers if marker in text]
    finally:
        cache.clear()

    # then no private record shows, and the cache was used
    assert leaks == []
    assert hits >= 20
