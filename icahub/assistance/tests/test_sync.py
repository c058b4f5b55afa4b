"""Needs taken from the voluntary part of Article 7 reports, and carried over amendments."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from icahub.assistance import services
from icahub.assistance.models import Need
from icahub.reports import services as report_services
from icahub.reports.models import ReportVersion

pytestmark = pytest.mark.django_db

CLEARANCE = {
    "area": "clearance",
    "modality": "financial",
    "title": "Clearance of Xieng Khouang",
    "description": "Technical survey and clearance.",
    "budget_required": "2500000",
    "currency": "USD",
}
VICTIMS = {"area": "victim_assistance", "modality": "technical", "title": "Prosthetics"}
EDUCATION = {"area": "risk_education", "modality": "training", "title": "Schools programme"}


def _submit(version: ReportVersion, rows: list[dict], on: dt.date) -> ReportVersion:
    """Fill a draft's voluntary part and mark it submitted (the report workflow itself is
    tested in the reports app)."""
    report_services.version_update(
        version=version,
        forms={"J": {"narrative": "None."}, "needs": {"tables": {"needs": rows}}},
    )
    ReportVersion.objects.filter(pk=version.pk).update(status="submitted", submitted_on=on)
    version.refresh_from_db()
    return version


@pytest.fixture
def report(lao, ccm, lao_focal_point):
    return report_services.report_start(
        state=lao,
        convention=ccm,
        kind="annual",
        reporting_year=2017,
        language="fr",
        user=lao_focal_point,
    )


@pytest.fixture
def first_version(report):
    return _submit(
        report_services.current_draft(report), [CLEARANCE, VICTIMS], dt.date(2018, 4, 30)
    )


def test_each_row_becomes_a_need_linked_both_ways(first_version, lao_focal_point):
    # when the needs are taken from the submitted report
    needs = services.needs_sync_from_report(version=first_version)

    # then one need per row, with the report's state, convention and language
    assert [(n.area, n.title, n.source_row) for n in needs] == [
        ("clearance", "Clearance of Xieng Khouang", 1),
        ("victim_assistance", "Prosthetics", 2),
    ]
    clearance = needs[0]
    assert clearance.state.iso3 == "LAO"
    assert clearance.convention.code == "CCM"
    assert clearance.language == "fr"
    assert clearance.visibility == "states_parties"
    assert clearance.budget_required == Decimal("2500000")
    assert clearance.currency == "USD"
    assert clearance.description == "Technical survey and clearance."
    assert clearance.created_by == lao_focal_point
    # and the link is kept both ways
    assert clearance.source_report_version == first_version
    assert set(first_version.needs.all()) == set(needs)


def test_a_repeated_sync_changes_nothing(first_version):
    # given the needs taken once
    first = services.needs_sync_from_report(version=first_version)

    # when taken again
    second = services.needs_sync_from_report(version=first_version)

    # then the same needs, no duplicate
    assert [n.pk for n in second] == [n.pk for n in first]
    assert Need.objects.count() == 2


def test_an_amendment_carries_needs_over_and_withdraws_the_dropped(report, first_version):
    # given the first version's needs, one made public and translated by the focal point
    clearance, victims = services.needs_sync_from_report(version=first_version)
    services.need_update(
        need=clearance, data={"visibility": "public", "budget_secured": Decimal("1000")}
    )
    services.need_add_translation(need=clearance, language="en", title="Clearance")

    # when an amendment keeps the clearance need (new budget), drops victim assistance and
    # adds risk education
    amendment = _submit(
        report_services.report_amend(report=report),
        [EDUCATION, {**CLEARANCE, "budget_required": "3000000"}],
        dt.date(2018, 6, 1),
    )
    needs = services.needs_sync_from_report(version=amendment)

    # then the clearance need is the same record, now pointing to the amendment
    education, carried = needs
    assert carried.pk == clearance.pk
    assert carried.source_report_version == amendment
    assert carried.source_row == 2
    assert carried.budget_required == Decimal("3000000")
    # keeping what was added to it since
    assert carried.visibility == "public"
    assert carried.budget_secured == Decimal("1000")
    assert [t.language for t in carried.translations.all()] == ["en"]
    # the new row is a new need
    assert education.pk not in {clearance.pk, victims.pk}
    # and the dropped need is withdrawn, still linked to the version that stated it
    victims.refresh_from_db()
    assert victims.status == "withdrawn"
    assert list(first_version.needs.all()) == [victims]
    assert Need.objects.count() == 3

    # and a repeated sync of the amendment changes nothing
    again = services.needs_sync_from_report(version=amendment)
    assert [n.pk for n in again] == [n.pk for n in needs]
    assert Need.objects.count() == 3


def test_a_draft_is_refused(report):
    with pytest.raises(ValidationError) as error:
        services.needs_sync_from_report(version=report_services.current_draft(report))

    assert set(error.value.message_dict) == {"status"}


def test_a_row_problem_is_named_by_its_path_in_the_forms(report):
    # given a submitted version whose second need gives a budget without currency (written
    # around the forms schema, which refuses it, as data from an older import might be)
    version = report_services.current_draft(report)
    rows = [VICTIMS, {**EDUCATION, "budget_required": "5000"}]
    ReportVersion.objects.filter(pk=version.pk).update(
        status="submitted",
        submitted_on=dt.date(2018, 4, 30),
        forms={"needs": {"tables": {"needs": rows}}},
    )
    version.refresh_from_db()

    # when the needs are taken, then the row's field is named and nothing is written
    with pytest.raises(ValidationError) as error:
        services.needs_sync_from_report(version=version)

    assert set(error.value.message_dict) == {"forms.needs.tables.needs[2].currency"}
    assert not Need.objects.exists()
