"""Article 7 form I: assistance provided and received become flows, each real flow once."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from icahub.funding import services
from icahub.funding.models import Flow
from icahub.funding.tests.conftest import make_flow
from icahub.reports import services as report_services
from icahub.reports.models import ReportVersion

pytestmark = pytest.mark.django_db


def _report(state, ccm, year=2023):
    return report_services.report_start(
        state=state, convention=ccm, kind="annual", reporting_year=year
    )


def _submit(version: ReportVersion, provided=(), received=()) -> ReportVersion:
    report_services.version_update(
        version=version,
        forms={
            "I": {
                "narrative": "Cooperation.",
                "tables": {
                    "assistance_provided": list(provided),
                    "assistance_received": list(received),
                },
            }
        },
    )
    ReportVersion.objects.filter(pk=version.pk).update(
        status="submitted", submitted_on=dt.date(version.report.reporting_year + 1, 4, 30)
    )
    version.refresh_from_db()
    return version


def _row(party_column: str, name: str, amount: str, currency: str = "USD") -> dict:
    return {
        party_column: name,
        "amount": amount,
        "currency": currency,
        "type": "financial",
        "article": "6",
    }


def test_the_giver_and_the_receiver_reporting_make_one_flow(nor, lao, ccm):
    # given Norway reports 500,000 USD provided to Lao PDR in 2023
    nor_version = _submit(
        report_services.current_draft(_report(nor, ccm)),
        provided=[_row("recipient", "Lao People's Democratic Republic", "500000")],
    )
    first = services.flows_sync_from_report(nor_version)
    assert len(first.created) == 1

    # when Lao PDR reports 495,000 USD received from Norway (within the tolerance)
    lao_version = _submit(
        report_services.current_draft(_report(lao, ccm)),
        received=[_row("provider", "NOR", "495000")],
    )
    second = services.flows_sync_from_report(lao_version)

    # then it is the same flow, reported by both, counted once
    assert second.created == [] and len(second.linked) == 1
    flow = Flow.objects.get()
    assert (flow.reported_by_giver, flow.reported_by_recipient) == (True, True)
    assert (flow.giver_state, flow.recipient_state, flow.year) == (nor, lao, 2023)
    assert flow.amount == Decimal("500000") and flow.usd_value == Decimal("500000.00")
    assert (flow.status, flow.source, flow.modality) == ("disbursement", "article7", "financial")


def test_a_different_amount_is_another_flow(nor, lao, ccm):
    services.flows_sync_from_report(
        _submit(
            report_services.current_draft(_report(nor, ccm)),
            provided=[_row("recipient", "LAO", "500000")],
        )
    )
    services.flows_sync_from_report(
        _submit(
            report_services.current_draft(_report(lao, ccm)),
            received=[_row("provider", "Norway", "300000")],
        )
    )
    assert Flow.objects.count() == 2


def test_resubmitting_or_amending_does_not_duplicate(nor, lao, ccm):
    # given Norway's report with two rows, synced
    report = _report(nor, ccm)
    version = _submit(
        report_services.current_draft(report),
        provided=[
            _row("recipient", "LAO", "500000"),
            _row("recipient", "Lebanon", "200000", "NOK"),
        ],
    )
    services.flows_sync_from_report(version)

    # when the same version is synced again
    again = services.flows_sync_from_report(version)
    assert again.created == [] and Flow.objects.count() == 2

    # and an amendment corrects the Lao amount slightly and drops the Lebanon row
    amendment = report_services.report_amend(report=report)
    amendment = _submit(amendment, provided=[_row("recipient", "LAO", "501000")])
    result = services.flows_sync_from_report(amendment)

    # then the Lao flow is kept (updated), the Lebanese one, from form I only, is gone
    assert result.created == [] and result.deleted == 1
    flow = Flow.objects.get()
    assert flow.amount == Decimal("501000") and flow.source_report_version == amendment


def test_a_manual_flow_is_linked_not_duplicated(nor, lao, ccm):
    # given the ISU recorded Norway's disbursement to Lao PDR by hand
    manual = make_flow(
        giver_state=nor,
        recipient_state=lao,
        amount=Decimal("80000"),
        value_date=dt.date(2023, 6, 1),
    )
    # when Lao PDR's report lists it as received
    services.flows_sync_from_report(
        _submit(
            report_services.current_draft(_report(lao, ccm)),
            received=[_row("provider", "NOR", "80000")],
        )
    )
    # then the manual flow is flagged, nothing added
    manual.refresh_from_db()
    assert manual.reported_by_recipient and Flow.objects.count() == 1


def test_unknown_counterparts_are_left_out_and_listed(nor, ccm):
    result = services.flows_sync_from_report(
        _submit(
            report_services.current_draft(_report(nor, ccm)),
            provided=[_row("recipient", "Atlantis", "1000")],
        )
    )
    assert result.unresolved == [("assistance_provided", 1, "Atlantis")]
    assert not Flow.objects.exists()


def test_report_submission_creates_the_flows(nor, ccm, isu_user):
    # given a draft with form I filled (and nothing else)
    report = _report(nor, ccm)
    version = report_services.current_draft(report)
    report_services.version_update(
        version=version,
        forms={
            "I": {
                "status": "changed",
                "tables": {"assistance_provided": [_row("recipient", "LAO", "1000")]},
            }
        },
    )
    # when the report is submitted through the reports workflow
    report_services.report_submit(report=report, user=isu_user, submitted_on=dt.date(2024, 4, 1))
    # then its flow exists
    assert Flow.objects.filter(giver_state=nor, reported_by_giver=True).count() == 1
