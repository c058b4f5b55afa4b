"""The gap view's figures: pure arithmetic, then flows and commitments together without
double counting, and the timeline read from Article 7 reports."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from icahub.accounts.models import User
from icahub.coalitions import gap, selectors, services
from icahub.funding.services import flow_create
from icahub.obligations.models import Obligation
from icahub.registry.models import Organisation, State
from icahub.reports import services as report_services

D = Decimal


def test_need_and_objective_lines_and_a_total_counting_each_need_once():
    # given two needs, the first linked to two objectives
    needs = [
        gap.NeedMoney(1, "A", D(100), flows_committed=D(30), flows_disbursed=D(10)),
        gap.NeedMoney(2, "B", None, commitments_committed=D(5), commitments_pledged=D(7)),
    ]
    objectives = [(10, "O1", [1]), (11, "O2", [1, 2])]

    # when the gap is computed with 4 given to the coalition outside any need
    result = gap.compute_gap(needs, objectives, unallocated_committed=D(4))

    # then each need line adds flows and its own commitments; pledges are apart
    a, b = result.needs
    assert (a.required, a.committed, a.disbursed, a.gap) == (D(100), D(30), D(10), D(70))
    assert (b.required, b.committed, b.pledged, b.gap) == (None, D(5), D(7), None)
    # objectives sum their needs; need A counts in both
    assert [line.committed for line in result.objectives] == [D(30), D(35)]
    assert result.objectives[1].required == D(100)
    # the plan counts each need once, plus the unallocated money
    assert (result.total.required, result.total.committed) == (D(100), D(39))


def test_the_gap_never_goes_below_zero_and_percent_is_capped():
    line = gap.need_line(gap.NeedMoney(1, "A", D(10), flows_committed=D(25)))
    assert line.gap == 0
    assert line.covered_percent == 100


def test_chart_bars_share_one_scale():
    lines = [
        gap.need_line(gap.NeedMoney(1, "A", D(200), flows_committed=D(50))),
        gap.need_line(gap.NeedMoney(2, "B", D(100))),
    ]
    bars = gap.chart_bars(lines, width=300, row_height=64, top=10)
    assert [(b.y, b.required_width, b.committed_width) for b in bars] == [
        (10, 300, 75),
        (74, 150, 0),
    ]
    assert gap.chart_bars([]) == []


@pytest.mark.django_db
def test_flows_and_commitments_are_counted_once(coalition, norway, plan_need, nor):
    # given, for the 1,000,000 USD need of the plan:
    # - Norway's commitment of 200,000, later fulfilled by a recorded flow of 200,000
    # - Norway's second commitment of 50,000, not yet fulfilled
    # - a pledge of 80,000 by Norway in the coalition (not counted)
    # - a French disbursement of 100,000 (a flow)
    # - a Swiss flow pledge of 30,000 (not counted)
    def commit(amount, status="committed"):
        return services.commitment_create(
            coalition=coalition,
            member=norway,
            need=plan_need,
            amount=D(amount),
            currency="USD",
            value_date=dt.date(2026, 2, 1),
            status=status,
        )

    def flow(giver, amount, status, **extra):
        return flow_create(
            giver_state=State.objects.get(iso3=giver),
            status=status,
            amount=D(amount),
            currency="USD",
            value_date=dt.date(2026, 3, 1),
            **extra,
        )

    first = commit(200_000)
    commit(50_000)
    commit(80_000, status="pledged")
    commit(999_999, status="withdrawn")
    norway_flow = flow("NOR", 200_000, "commitment", need=plan_need)
    services.commitment_update(commitment=first, data={"status": "fulfilled", "flow": norway_flow})
    flow("FRA", 100_000, "disbursement", need=plan_need)
    flow("CHE", 30_000, "pledge", need=plan_need)
    # and 10,000 disbursed to the coalition itself, for no need
    flow("FRA", 10_000, "disbursement", recipient_coalition=coalition, area="clearance")

    # when the gap is computed
    result = selectors.coalition_gap(coalition)

    # then committed = 200,000 (flow) + 100,000 (flow) + 50,000 (open commitment)
    (line,) = result.needs
    assert line.required == D(1_000_000)
    assert line.committed == D(350_000)
    assert line.disbursed == D(100_000)
    assert line.pledged == D(110_000)
    assert line.gap == D(650_000)
    assert result.objectives[0].committed == D(350_000)
    assert (result.unallocated.committed, result.unallocated.disbursed) == (D(10_000), D(10_000))
    assert result.total.committed == D(360_000)


@pytest.mark.django_db
def test_an_amount_without_exchange_rate_is_counted_apart(coalition, norway, plan_need):
    services.commitment_create(
        coalition=coalition,
        member=norway,
        need=plan_need,
        amount=D(10),
        currency="XOF",
        value_date=dt.date(2026, 2, 1),
    )
    (line,) = selectors.coalition_gap(coalition).needs
    assert (line.committed, line.unvalued) == (D(0), 1)


@pytest.mark.django_db
def test_flows_to_other_needs_do_not_count(coalition, plan_need, lao, ccm):
    from icahub.assistance import services as assistance_services

    other = assistance_services.need_create(
        state=lao, convention=ccm, area="clearance", modality="financial", title="Other"
    )
    flow_create(
        giver_organisation=Organisation.objects.get(acronym="NPA"),
        need=other,
        status="disbursement",
        amount=D(5),
        currency="USD",
        value_date=dt.date(2026, 3, 1),
    )
    result = selectors.coalition_gap(coalition)
    assert result.total.committed == 0


@pytest.mark.django_db
def test_the_timeline_reads_the_lead_states_submitted_reports(coalition, lao, ccm):
    # given Lao PDR's clearance obligation in the plan and three CCM reports: 2022 and 2023
    # submitted with the area remaining, 2024 a draft
    clearance = Obligation.objects.get(state=lao, convention=ccm, kind="clearance")
    services.objective_save(coalition=coalition, title="Clear", obligations=[clearance])
    isu = User.objects.create_user(username="isu-reports", password=None, role="isu")
    for year, remaining, submit in ((2022, "1000", True), (2023, "800", True), (2024, "1", False)):
        report = report_services.report_start(
            state=lao, convention=ccm, kind="annual", reporting_year=year
        )
        version = report.versions.get()
        version.forms = {
            "F": {
                "status": "changed",
                "tables": {
                    "areas": [
                        {
                            "region": "X",
                            "year": year,
                            "contaminated_m2": remaining,
                            "cleared_m2": "0",
                            "remaining_m2": remaining,
                        }
                    ]
                },
            }
        }
        version.save()
        if submit:
            report_services.report_submit(
                report=report, user=isu, submitted_on=dt.date(year + 1, 4, 1)
            )

    # when the timelines are read
    (timeline,) = selectors.timelines(coalition)

    # then the two submitted reports give the points and the projection uses them
    assert [(year, value) for _, value, year, _ in timeline["points"]] == [
        (2022, D(1000)),
        (2023, D(800)),
    ]
    projection = timeline["projection"]
    assert projection.status == "projected"
    assert projection.completion.year == 2027
