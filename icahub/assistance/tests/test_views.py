"""The needs and offers pages: lists and their filters, downloads that hold only what the
user may see, create and edit by role, forms' errors, evidence uploads."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from icahub.assistance import services
from icahub.assistance.models import Need, Offer
from icahub.assistance.tests.conftest import VISIBILITIES, make_need
from icahub.obligations.models import Obligation
from icahub.registry.models import State

pytestmark = pytest.mark.django_db

ROLE_FIXTURES = {
    "isu": "isu_user",
    "coordinator": "coordinator_user",
    "owner": "lao_focal_point",
    "other_state": "lbn_focal_point",
    "donor": "donor_user",
    "partner": "partner_user",
}


def _as(client, request, role: str):
    if role != "anonymous":
        client.force_login(request.getfixturevalue(ROLE_FIXTURES[role]))
    return client


def _csv(response) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def _need_data(**values) -> dict:
    return {
        "state": "LAO",
        "convention": "CCM",
        "area": "clearance",
        "modality": "technical",
        "title": "Non-technical survey of Savannakhet",
        "language": "en",
        "visibility": "states_parties",
        "status": "open",
        **values,
    }


def _offer_data(**values) -> dict:
    return {
        "title": "Mine action training",
        "areas": ["clearance"],
        "visibility": "public",
        "status": "open",
        **values,
    }


# --- need list -----------------------------------------------------------------------------


@pytest.fixture
def assorted_needs(lao, ccm):
    lbn = State.objects.get(iso3="LBN")
    lao_clearance = Obligation.objects.get(state=lao, convention=ccm, kind="clearance")
    return {
        "linked": make_need(
            lao, ccm, title="Clearance Xieng Khouang", obligation=lao_clearance, visibility="public"
        ),
        "victims": make_need(
            lao,
            ccm,
            title="Prosthetics workshop",
            area="victim_assistance",
            modality="material",
            status="partly_met",
            visibility="public",
        ),
        "lebanon": make_need(lbn, ccm, title="South Lebanon survey", visibility="public"),
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, {"linked", "victims", "lebanon"}),
        ({"area": "victim_assistance"}, {"victims"}),
        ({"state": "lbn"}, {"lebanon"}),
        ({"region": "035"}, {"linked", "victims"}),
        ({"region": "145"}, {"lebanon"}),
        ({"modality": "material"}, {"victims"}),
        ({"status": "partly_met"}, {"victims"}),
        ({"deadline_before": "2025-12-31"}, {"linked"}),
    ],
)
def test_need_list_filters(client, assorted_needs, query, expected):
    # when the list is asked with a filter
    page = client.get("/assistance/needs/", query).content.decode()

    # then exactly the matching needs are listed
    shown = {key for key, need in assorted_needs.items() if need.title in page}
    assert shown == expected
    assert "<caption>" in page


def test_need_list_shows_status_and_visibility_in_words(client, lao_focal_point, lao_needs):
    client.force_login(lao_focal_point)

    page = client.get("/assistance/needs/").content.decode()

    for words in ("Public", "States Parties only", "Coalition only", "Private", "Open"):
        assert f">{words}</span>" in page


def test_need_list_answers_htmx_with_the_results_only(client, assorted_needs):
    # when the filter form is sent by HTMX
    response = client.get(
        "/assistance/needs/", {"area": "clearance"}, headers={"HX-Request": "true"}
    )

    # then only the results partial comes back, with its count for screen readers
    page = response.content.decode()
    assert page.lstrip().startswith('<div id="results">')
    assert "<html" not in page
    assert 'hx-swap-oob="true"' in page
    assert "Clearance Xieng Khouang" in page and "Prosthetics workshop" not in page


def test_need_list_keeps_valid_filters_and_names_an_invalid_one(client, assorted_needs):
    response = client.get(
        "/assistance/needs/", {"area": "victim_assistance", "deadline_before": "2025-02-30"}
    )

    page = response.content.decode()
    assert "Prosthetics workshop" in page and "South Lebanon survey" not in page
    assert 'class="field-error" id="id_deadline_before_error"' in page


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize("url", ["/assistance/needs/", "/assistance/needs/?format=csv"])
def test_need_list_runs_a_fixed_number_of_queries(client, isu_user, lao, ccm, url):
    client.force_login(isu_user)
    obligation = Obligation.objects.get(state=lao, convention=ccm, kind="clearance")
    make_need(lao, ccm, obligation=obligation)
    before = _queries(client, url)
    for number in range(10):
        need = make_need(lao, ccm, title=f"need {number}", obligation=obligation)
        services.need_add_translation(need=need, language="fr", title=f"besoin {number}")

    assert _queries(client, url) == before


@pytest.mark.parametrize("url", ["/assistance/offers/", "/assistance/offers/?format=csv"])
def test_offer_list_runs_a_fixed_number_of_queries(client, isu_user, nor, npa, url):
    client.force_login(isu_user)
    services.offer_create(provider_state=nor, title="first", areas=["clearance"])
    before = _queries(client, url)
    lao = State.objects.get(iso3="LAO")
    for number in range(10):
        services.offer_create(
            provider_organisation=npa,
            title=f"offer {number}",
            areas=["clearance"],
            priority_countries=[lao],
            priority_regions=["035"],
        )

    assert _queries(client, url) == before


# --- downloads hold only what the user may see -------------------------------------------

NEEDS_SEEN_BY = {
    "anonymous": {"public"},
    "isu": set(VISIBILITIES),
    "coordinator": {"public", "states_parties"},
    "owner": set(VISIBILITIES),
    "other_state": {"public", "states_parties"},
    "donor": {"public", "states_parties"},
    "partner": {"public"},
}


@pytest.mark.parametrize("role", list(NEEDS_SEEN_BY))
def test_need_csv_holds_only_the_needs_the_user_may_see(client, request, lao_needs, role):
    # given one Lao PDR need of each visibility, titled by it
    _as(client, request, role)

    # when the user downloads the list
    rows = _csv(client.get("/assistance/needs/", {"format": "csv"}))

    # then it holds exactly the needs they may see
    titles = {row[rows[0].index("Title")] for row in rows[1:]}
    assert titles == {f"need-{visibility}" for visibility in NEEDS_SEEN_BY[role]}


def test_need_xlsx_carries_the_same_rows_as_csv(client, lao_focal_point, lao_needs):
    client.force_login(lao_focal_point)
    csv_rows = _csv(client.get("/assistance/needs/", {"format": "csv", "area": "clearance"}))

    response = client.get("/assistance/needs/", {"format": "xlsx", "area": "clearance"})

    sheet = load_workbook(io.BytesIO(response.content)).active
    xlsx_rows = [
        ["" if value is None else str(value) for value in row]
        for row in sheet.iter_rows(values_only=True)
    ]
    assert xlsx_rows == csv_rows
    assert len(xlsx_rows) == 1 + len(VISIBILITIES)


OFFERS_SEEN_BY = {
    "anonymous": {("NOR", "public"), ("NPA", "public")},
    "isu": {(p, v) for p in ("NOR", "NPA") for v in VISIBILITIES},
    "donor": {(p, v) for p in ("NOR", "NPA") for v in ("public", "states_parties")}
    | {("NOR", "coalition"), ("NOR", "private")},
    "partner": {("NOR", "public")} | {("NPA", v) for v in VISIBILITIES},
}


@pytest.mark.parametrize("role", list(OFFERS_SEEN_BY))
@pytest.mark.parametrize("download", ["csv", "xlsx"])
def test_offer_downloads_hold_only_the_offers_the_user_may_see(
    client, request, offers, role, download
):
    _as(client, request, role)

    response = client.get("/assistance/offers/", {"format": download})

    if download == "csv":
        rows = _csv(response)
    else:
        sheet = load_workbook(io.BytesIO(response.content)).active
        rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    titles = {row[rows[0].index("Title")] for row in rows[1:]}
    assert titles == {f"offer-{p}-{v}" for p, v in OFFERS_SEEN_BY[role]}


# --- need detail ---------------------------------------------------------------------------


def test_need_detail_shows_budget_obligation_and_translations(client, lao_focal_point, lao, ccm):
    obligation = Obligation.objects.get(state=lao, convention=ccm, kind="clearance")
    need = make_need(
        lao,
        ccm,
        budget_required=Decimal("2500000"),
        budget_secured=Decimal("400000"),
        currency="USD",
        obligation=obligation,
        area_m2=Decimal("1500000"),
    )
    services.need_add_translation(need=need, language="ar", title="مسح شيانغ خوانغ")
    client.force_login(lao_focal_point)

    page = client.get(f"/assistance/needs/{need.pk}/").content.decode()

    assert "2,100,000.00" in page  # the gap
    assert f'href="/obligations/{obligation.pk}/"' in page
    assert "1 August 2025" in page  # the obligation's current deadline
    assert '<p lang="ar" dir="rtl"><strong>مسح شيانغ خوانغ</strong></p>' in page
    assert "Entered directly" in page
    assert "History of changes" not in page


def test_isu_sees_the_history_of_a_need(client, isu_user, lao_need):
    client.force_login(isu_user)
    services.need_update(need=lao_need, data={"status": "met"})

    page = client.get(f"/assistance/needs/{lao_need.pk}/").content.decode()

    assert "History of changes" in page
    assert "Partly met" not in page and "Met" in page


def test_need_from_a_report_links_to_it(client, lao_focal_point, lao, ccm):
    from icahub.reports import services as report_services
    from icahub.reports.models import ReportVersion

    report = report_services.report_start(
        state=lao, convention=ccm, kind="annual", reporting_year=2017, user=lao_focal_point
    )
    version = report_services.current_draft(report)
    report_services.version_update(
        version=version,
        forms={
            "J": {"narrative": "None."},
            "needs": {
                "tables": {
                    "needs": [
                        {"area": "clearance", "modality": "financial", "title": "From the report"}
                    ]
                }
            },
        },
    )
    ReportVersion.objects.filter(pk=version.pk).update(
        status="submitted", submitted_on=dt.date(2018, 4, 30)
    )
    version.refresh_from_db()
    (need,) = services.needs_sync_from_report(version=version)
    client.force_login(lao_focal_point)

    page = client.get(f"/assistance/needs/{need.pk}/").content.decode()

    assert f'href="/reports/{report.pk}/?version=1"' in page
    assert "CCM Article 7 report for 2017, version 1" in page


def test_a_need_the_user_may_not_see_is_not_found(client, lbn_focal_point, lao_needs):
    client.force_login(lbn_focal_point)

    for visibility, status in (("states_parties", 200), ("coalition", 404), ("private", 404)):
        response = client.get(f"/assistance/needs/{lao_needs[visibility].pk}/")
        assert response.status_code == status


# --- create and edit needs by role ---------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [("anonymous", 302), ("coordinator", 403), ("donor", 403), ("partner", 403), ("owner", 200)],
)
def test_who_may_open_the_new_need_form(client, request, role, status):
    _as(client, request, role)

    response = client.get("/assistance/needs/new/")

    assert response.status_code == status
    if status == 302:
        assert response["Location"].startswith("/accounts/login/")


def test_a_focal_point_records_a_need_for_its_own_state_only(client, lao_focal_point):
    client.force_login(lao_focal_point)
    form = client.get("/assistance/needs/new/").content.decode()
    assert 'name="state"' in form and "disabled" in form

    # when the focal point posts another state
    response = client.post("/assistance/needs/new/", _need_data(state="IRQ"))

    # then the need is recorded for its own state
    need = Need.objects.get(title="Non-technical survey of Savannakhet")
    assert response.status_code == 302
    assert response["Location"] == f"/assistance/needs/{need.pk}/"
    assert need.state.iso3 == "LAO"
    assert need.created_by == lao_focal_point


def test_isu_records_a_need_for_any_state(client, isu_user):
    client.force_login(isu_user)

    response = client.post("/assistance/needs/new/", _need_data(state="LBN"))

    assert response.status_code == 302
    assert Need.objects.get(title="Non-technical survey of Savannakhet").state.iso3 == "LBN"


def test_the_need_form_names_each_field_in_error(client, lao_focal_point):
    client.force_login(lao_focal_point)

    response = client.post(
        "/assistance/needs/new/", _need_data(title="", budget_required="1000", currency="")
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert 'href="#id_title"' in page
    assert 'value="1000"' in page  # the input is kept
    assert not Need.objects.exists()


def test_the_services_rules_come_back_beside_their_field(client, isu_user):
    client.force_login(isu_user)

    response = client.post(
        "/assistance/needs/new/",
        _need_data(budget_required="1000", budget_secured="2000", currency="USD"),
    )

    page = response.content.decode()
    assert 'href="#id_budget_secured"' in page
    assert "cannot exceed the budget required" in page


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("anonymous", 302),
        ("coordinator", 403),
        ("other_state", 403),
        ("partner", 404),
        ("isu", 302),
        ("owner", 302),
    ],
)
def test_who_may_edit_a_need(client, request, lao_need, role, status):
    _as(client, request, role)
    data = _need_data(status="partly_met", budget_required="500", currency="eur")
    data["lock_version"] = lao_need.lock_version

    response = client.post(f"/assistance/needs/{lao_need.pk}/edit/", data)

    assert response.status_code == status
    lao_need.refresh_from_db()
    if role in {"isu", "owner"}:
        assert response["Location"] == f"/assistance/needs/{lao_need.pk}/"
        assert (lao_need.status, lao_need.currency) == ("partly_met", "EUR")
    else:
        assert lao_need.status == "open"


def test_the_edit_form_shows_the_need_with_its_evidence_form(client, lao_focal_point, lao_need):
    client.force_login(lao_focal_point)

    page = client.get(f"/assistance/needs/{lao_need.pk}/edit/").content.decode()

    assert 'value="Survey of Xieng Khouang"' in page
    assert 'name="state"' not in page
    assert 'enctype="multipart/form-data"' in page
    assert "<legend><h2>Budget</h2></legend>" in page


def test_a_translation_is_added_and_shown_in_its_language(client, lao_focal_point, lao_need):
    client.force_login(lao_focal_point)
    form = client.get(f"/assistance/needs/{lao_need.pk}/translations/new/").content.decode()
    assert '<option value="en">' not in form  # the original language is not offered

    response = client.post(
        f"/assistance/needs/{lao_need.pk}/translations/new/",
        {"language": "fr", "title": "Enquête de Xieng Khouang"},
    )

    assert response.status_code == 302
    page = client.get(f"/assistance/needs/{lao_need.pk}/").content.decode()
    assert '<p lang="fr" dir="ltr"><strong>Enquête de Xieng Khouang</strong></p>' in page


# --- evidence ------------------------------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_evidence_of_a_refused_type_is_named_by_the_field(client, lao_focal_point, lao_need, media):
    client.force_login(lao_focal_point)

    response = client.post(
        f"/assistance/needs/{lao_need.pk}/evidence/",
        {"file": SimpleUploadedFile("survey.pdf", b"MZ\x90\x00 an executable")},
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert 'href="#id_file"' in page
    assert 'id="id_file_error"' in page and "not an accepted type" in page
    assert not lao_need.evidence.exists()


def test_evidence_is_attached_and_downloaded_by_those_who_see_the_need(
    client, lao_focal_point, lao_need, media
):
    client.force_login(lao_focal_point)

    response = client.post(
        f"/assistance/needs/{lao_need.pk}/evidence/",
        {"file": SimpleUploadedFile("survey.pdf", b"%PDF-1.7\n%survey\n%%EOF\n")},
    )

    evidence = lao_need.evidence.get()
    assert response.status_code == 302
    detail = client.get(f"/assistance/needs/{lao_need.pk}/").content.decode()
    assert "survey.pdf" in detail and "PDF" in detail
    url = f"/assistance/needs/{lao_need.pk}/evidence/{evidence.pk}/"
    download = client.get(url)
    assert b"".join(download.streaming_content) == b"%PDF-1.7\n%survey\n%%EOF\n"
    assert 'filename="survey.pdf"' in download["Content-Disposition"]
    client.logout()
    assert client.get(url).status_code == 404  # a States Parties need


# --- offers --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"area": "victim_assistance"}, {"offer-NPA-public"}),
        ({"provider_state": "NOR"}, {"offer-NOR-public"}),
        ({"status": "closed"}, set()),
        ({"region": "035"}, {"offer-NOR-public"}),
        ({"modality": "training"}, set()),
    ],
)
def test_offer_list_filters(client, offers, query, expected):
    services.offer_update(offer=offers[("NOR", "public")], data={"priority_regions": ["142"]})

    page = client.get("/assistance/offers/", query).content.decode()

    shown = {offer.title for offer in offers.values() if f">{offer.title}<" in page}
    assert shown == expected


def test_offer_list_answers_htmx_with_the_results_only(client, offers):
    response = client.get("/assistance/offers/", headers={"HX-Request": "true"})

    page = response.content.decode()
    assert page.lstrip().startswith('<div id="results">') and "<html" not in page


def test_offer_detail_is_not_found_by_those_who_may_not_see_it(client, partner_user, offers):
    client.force_login(partner_user)

    assert (
        client.get(f"/assistance/offers/{offers[('NOR', 'states_parties')].pk}/").status_code == 404
    )
    page = client.get(f"/assistance/offers/{offers[('NPA', 'private')].pk}/").content.decode()
    assert "offer-NPA-private" in page and ">Private</span>" in page


@pytest.mark.parametrize(
    ("role", "provider"),
    [("donor", "NOR"), ("owner", "LAO"), ("partner", "NPA")],
)
def test_an_offer_is_recorded_for_the_users_own_provider(client, request, role, provider):
    _as(client, request, role)

    response = client.post(
        "/assistance/offers/new/",
        _offer_data(
            provider_state="IRQ",
            modalities=["training", "technical"],
            priority_countries=["LAO", "KHM"],
        ),
    )

    offer = Offer.objects.get(title="Mine action training")
    assert response.status_code == 302
    assert response["Location"] == f"/assistance/offers/{offer.pk}/"
    assert provider in {
        getattr(offer.provider_state, "iso3", None),
        getattr(offer.provider_organisation, "acronym", None),
    }
    assert offer.modalities == ["training", "technical"]
    assert {s.iso3 for s in offer.priority_countries.all()} == {"LAO", "KHM"}


@pytest.mark.parametrize(("role", "status"), [("anonymous", 302), ("coordinator", 403)])
def test_who_may_not_record_an_offer(client, request, role, status):
    _as(client, request, role)

    assert client.post("/assistance/offers/new/", _offer_data()).status_code == status
    assert not Offer.objects.exists()


def test_the_offer_form_groups_checkboxes_and_names_errors(client, isu_user, nor, npa):
    client.force_login(isu_user)

    response = client.post(
        "/assistance/offers/new/",
        _offer_data(areas=[], provider_state="NOR", provider_organisation=str(npa.pk)),
    )

    page = response.content.decode()
    assert "There is a problem" in page
    assert 'href="#id_areas_0"' in page  # the group's first box
    assert "<legend>Areas <span" in page
    assert not Offer.objects.exists()

    # when the areas are given: the service's rule on the provider is named by its field
    response = client.post(
        "/assistance/offers/new/",
        _offer_data(provider_state="NOR", provider_organisation=str(npa.pk)),
    )
    assert 'href="#id_provider_state"' in response.content.decode()


@pytest.mark.parametrize(
    ("role", "status"),
    [("anonymous", 302), ("owner", 403), ("partner", 404), ("donor", 302), ("isu", 302)],
)
def test_who_may_edit_an_offer(client, request, offers, role, status):
    offer = offers[("NOR", "states_parties")]
    _as(client, request, role)

    response = client.post(
        f"/assistance/offers/{offer.pk}/edit/",
        {
            **_offer_data(title="Edited", areas=["clearance", "risk_education"], status="closed"),
            "lock_version": offer.lock_version,
        },
    )

    assert response.status_code == status
    offer.refresh_from_db()
    if role in {"donor", "isu"}:
        assert (offer.title, offer.areas, offer.status) == (
            "Edited",
            ["clearance", "risk_education"],
            "closed",
        )
    else:
        assert offer.title == "offer-NOR-states_parties"
