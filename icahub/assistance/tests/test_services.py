"""Needs and offers services: every refusal names the field it is about."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from icahub.assistance import services
from icahub.assistance.models import NeedEvidence
from icahub.assistance.tests.conftest import make_need
from icahub.obligations.models import Obligation
from icahub.registry.models import State

pytestmark = pytest.mark.django_db


def _fields(error: pytest.ExceptionInfo) -> set[str]:
    return set(error.value.message_dict)


# --- needs ---------------------------------------------------------------------------------


def test_a_need_with_budget_and_linked_obligation_is_recorded(lao, ccm, lao_focal_point):
    # given Lao PDR's CCM clearance obligation
    obligation = Obligation.objects.get(state=lao, convention=ccm, kind="clearance")

    # when its focal point records a need linked to it
    need = make_need(
        lao,
        ccm,
        budget_required=Decimal("1000000"),
        budget_secured=Decimal("250000"),
        currency="usd",
        obligation=obligation,
        area_m2=Decimal("1500000.5"),
        user=lao_focal_point,
    )

    # then the gap and deadline follow, the currency is normalised, history is kept
    assert need.budget_gap == Decimal("750000")
    assert need.deadline == obligation.current_deadline
    assert need.currency == "USD"
    assert need.visibility == "states_parties"
    assert need.status == "open"
    assert need.created_by == lao_focal_point
    assert need.history.count() == 1


def test_a_budget_without_currency_is_refused_naming_currency(lao, ccm):
    with pytest.raises(ValidationError) as error:
        make_need(lao, ccm, budget_required=Decimal("10"))

    assert _fields(error) == {"currency"}


def test_a_malformed_currency_is_refused(lao, ccm):
    with pytest.raises(ValidationError) as error:
        make_need(lao, ccm, budget_required=Decimal("10"), currency="US$")

    assert _fields(error) == {"currency"}


def test_secured_above_required_is_refused_naming_budget_secured(lao, ccm):
    with pytest.raises(ValidationError) as error:
        make_need(
            lao,
            ccm,
            budget_required=Decimal("100"),
            budget_secured=Decimal("101"),
            currency="EUR",
        )

    assert _fields(error) == {"budget_secured"}


def test_negative_amounts_are_refused(lao, ccm):
    with pytest.raises(ValidationError) as error:
        make_need(lao, ccm, budget_required=Decimal("-1"), currency="EUR", area_m2=Decimal("-5"))

    assert _fields(error) == {"budget_required", "area_m2"}


def test_a_period_ending_before_it_starts_is_refused(lao, ccm):
    import datetime as dt

    with pytest.raises(ValidationError) as error:
        make_need(lao, ccm, period_start=dt.date(2026, 1, 1), period_end=dt.date(2025, 1, 1))

    assert _fields(error) == {"period_end"}


def test_an_obligation_of_another_state_is_refused(lao, ccm):
    # given Iraq's clearance obligation
    iraq = Obligation.objects.get(state__iso3="IRQ", convention=ccm, kind="clearance")

    # when a Lao need is linked to it, then it is refused naming the obligation
    with pytest.raises(ValidationError) as error:
        make_need(lao, ccm, obligation=iraq)

    assert _fields(error) == {"obligation"}


def test_an_obligation_under_another_convention_is_refused(ccm, apmbc):
    # given Afghanistan's CCM clearance obligation and a need under the APMBC
    afg = State.objects.get(iso3="AFG")
    obligation = Obligation.objects.get(state=afg, convention=ccm, kind="clearance")

    with pytest.raises(ValidationError) as error:
        make_need(afg, apmbc, obligation=obligation)

    assert _fields(error) == {"obligation"}


def test_a_state_not_party_cannot_request_under_the_convention(ccm):
    with pytest.raises(ValidationError) as error:
        make_need(State.objects.get(iso3="USA"), ccm)

    assert _fields(error) == {"convention"}


def test_unknown_area_and_modality_are_refused(lao, ccm):
    with pytest.raises(ValidationError) as error:
        make_need(lao, ccm, area="demining", modality="moral")

    assert _fields(error) == {"area", "modality"}


def test_need_update_changes_status_and_refuses_state(lao_need):
    # when the status is updated
    need = services.need_update(need=lao_need, data={"status": "partly_met"})

    # then it is saved with its history
    assert need.status == "partly_met"
    assert need.history.count() == 2

    # and the state cannot be changed
    with pytest.raises(ValidationError) as error:
        services.need_update(need=lao_need, data={"state": State.objects.get(iso3="IRQ")})
    assert _fields(error) == {"state"}


def test_a_translation_is_added_then_replaced(lao_need):
    # when a French translation is added twice
    services.need_add_translation(need=lao_need, language="fr", title="Enquête")
    services.need_add_translation(need=lao_need, language="fr", title="Enquête à Xieng Khouang")

    # then the need has one French translation, the latest
    assert [(t.language, t.title) for t in lao_need.translations.all()] == [
        ("fr", "Enquête à Xieng Khouang")
    ]


def test_a_translation_in_the_original_language_is_refused(lao_need):
    with pytest.raises(ValidationError) as error:
        services.need_add_translation(need=lao_need, language="en", title="Survey")

    assert _fields(error) == {"language"}


def test_a_translation_in_an_unknown_language_is_refused(lao_need):
    with pytest.raises(ValidationError) as error:
        services.need_add_translation(need=lao_need, language="de", title="Umfrage")

    assert _fields(error) == {"language"}


def test_the_original_cannot_move_to_a_translated_language(lao_need):
    # given a Spanish translation
    services.need_add_translation(need=lao_need, language="es", title="Encuesta")

    # when the original's language is changed to Spanish, then it is refused
    with pytest.raises(ValidationError) as error:
        services.need_update(need=lao_need, data={"language": "es"})
    assert _fields(error) == {"language"}


# --- evidence ------------------------------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _zip(names: list[str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "<xml/>")
    return buffer.getvalue()


DOCX = _zip(["[Content_Types].xml", "_rels/.rels", "word/document.xml"])
XLSX = _zip(["[Content_Types].xml", "_rels/.rels", "xl/workbook.xml"])


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("survey.pdf", b"%PDF-1.7\n%...\n%%EOF\n", "application/pdf"),
        ("map.png", b"\x89PNG\r\n\x1a\n....\x00\x00\x00\x00IEND\xaeB`\x82", "image/png"),
        ("site.JPG", b"\xff\xd8\xff\xe0....", "image/jpeg"),
        ("plan.docx", DOCX, "application/vnd.openxmlformats-officedocument.wordprocessingml"),
        ("budget.xlsx", XLSX, "application/vnd.openxmlformats-officedocument.spreadsheetml"),
    ],
)
def test_evidence_of_each_accepted_type_is_stored(lao_need, media, name, content, content_type):
    # when a file is attached
    evidence = services.need_attach_evidence(
        need=lao_need, file=SimpleUploadedFile(name, content, content_type="text/plain")
    )

    # then its type comes from its content, not from what the browser said
    assert evidence.content_type.startswith(content_type)
    assert evidence.original_name == name
    assert evidence.size == len(content)
    assert evidence.file.name.startswith("evidence/")
    assert (media / evidence.file.name).read_bytes() == content


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("report.pdf", b"MZ\x90\x00\x03\x00\x00\x00 This program cannot be run in DOS mode"),
        ("plan.docx", _zip(["[Content_Types].xml", "payload/run.exe"])),
        ("plan.docx", b"Just some text pretending to be a Word file"),
        ("plan.docx", b"PK\x03\x04 broken zip"),
        ("survey.png", b"%PDF-1.7 a PDF named as an image"),
        ("empty.pdf", b""),
    ],
    ids=["renamed-exe", "fake-docx-zip", "fake-docx-text", "broken-zip", "wrong-name", "empty"],
)
def test_evidence_of_a_refused_type_names_the_file_field(lao_need, media, name, content):
    with pytest.raises(ValidationError) as error:
        services.need_attach_evidence(need=lao_need, file=SimpleUploadedFile(name, content))

    assert _fields(error) == {"file"}
    assert not NeedEvidence.objects.exists()


def test_evidence_above_10_mb_is_refused(lao_need, media):
    big = SimpleUploadedFile("survey.pdf", b"%PDF" + b"0" * (10 * 1024 * 1024))

    with pytest.raises(ValidationError) as error:
        services.need_attach_evidence(need=lao_need, file=big)

    assert _fields(error) == {"file"}
    assert "10 MB" in error.value.message_dict["file"][0]


# --- offers --------------------------------------------------------------------------------


def test_an_offer_is_recorded_with_its_priorities(nor, donor_user):
    # when Norway offers clearance support in South-eastern Asia and to Lao PDR
    offer = services.offer_create(
        provider_state=nor,
        title="Clearance support",
        areas=["clearance", "clearance", "risk_education"],
        modalities=["financial"],
        priority_regions=["035"],
        priority_countries=[State.objects.get(iso3="LAO")],
        languages=["en", "fr"],
        budget_envelope=Decimal("5000000"),
        currency="nok",
        user=donor_user,
    )

    # then repeats are dropped and the currency normalised
    assert offer.areas == ["clearance", "risk_education"]
    assert offer.currency == "NOK"
    assert [s.iso3 for s in offer.priority_countries.all()] == ["LAO"]
    assert offer.provider == nor


def test_an_offer_needs_exactly_one_provider(nor, npa):
    with pytest.raises(ValidationError) as both:
        services.offer_create(
            provider_state=nor, provider_organisation=npa, title="x", areas=["clearance"]
        )
    with pytest.raises(ValidationError) as neither:
        services.offer_create(title="x", areas=["clearance"])

    assert _fields(both) == _fields(neither) == {"provider_state"}


def test_an_offer_refuses_bad_lists_naming_each_field(nor):
    with pytest.raises(ValidationError) as error:
        services.offer_create(
            provider_state=nor,
            title="x",
            areas=[],
            modalities=["moral"],
            priority_regions=["999"],
            languages=["de"],
        )

    assert _fields(error) == {"areas", "modalities", "priority_regions", "languages"}


def test_an_offer_budget_needs_a_currency(nor):
    with pytest.raises(ValidationError) as error:
        services.offer_create(
            provider_state=nor, title="x", areas=["clearance"], budget_envelope=Decimal("1")
        )

    assert _fields(error) == {"currency"}


def test_offer_update_sets_countries_and_refuses_the_provider(nor, npa):
    # given an offer
    offer = services.offer_create(provider_state=nor, title="x", areas=["clearance"])

    # when its priority countries and status change
    offer = services.offer_update(
        offer=offer,
        data={"priority_countries": [State.objects.get(iso3="IRQ")], "status": "closed"},
    )

    # then they are saved
    assert offer.status == "closed"
    assert [s.iso3 for s in offer.priority_countries.all()] == ["IRQ"]

    # and the provider cannot be changed
    with pytest.raises(ValidationError) as error:
        services.offer_update(offer=offer, data={"provider_organisation": npa})
    assert _fields(error) == {"provider_organisation"}
