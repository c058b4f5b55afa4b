"""Totals: pledges apart and never funding; flows without a rate listed, never zero."""

from __future__ import annotations

from decimal import Decimal

import pytest

from icahub.funding import selectors
from icahub.funding.models import Flow
from icahub.funding.tests.conftest import make_flow

pytestmark = pytest.mark.django_db


@pytest.fixture
def mixed(nor, lao, lbn, npa, lao_need, nok_rates):
    make_flow(giver_state=nor, need=lao_need, status="pledge", amount=Decimal(5000))
    make_flow(giver_state=nor, need=lao_need, status="commitment", amount=Decimal(3000))
    make_flow(giver_state=nor, need=lao_need, status="disbursement", amount=Decimal(2000))
    make_flow(
        giver_state=nor,
        recipient_state=lbn,
        status="expenditure",
        amount=Decimal(10000),
        currency="NOK",
    )  # 900 USD at the 2023 rate
    make_flow(
        giver_organisation=npa,
        recipient_state=lbn,
        status="disbursement",
        amount=Decimal(700),
        currency="XOF",
    )  # no rate: unvalued


def test_totals_by_donor_exclude_pledges_and_list_unvalued(mixed, isu_user):
    rows = {row.key: row for row in selectors.flow_totals(Flow.objects.all(), "donor")}

    norway = rows["NOR"]
    assert norway.funded == Decimal("5900.00")  # 3000 + 2000 + 900, not the 5000 pledge
    assert norway.pledged == Decimal("5000.00")
    assert norway.disbursed == Decimal("2900.00")
    npa = next(row for key, row in rows.items() if key.startswith("organisation:"))
    assert (npa.funded, npa.unvalued, npa.unvalued_amounts) == (
        Decimal(0),
        1,
        {"XOF": Decimal("700.00")},
    )
    total = selectors.flow_grand_total(list(rows.values()))
    assert (total.funded, total.pledged, total.unvalued) == (Decimal("5900.00"), 5000, 1)


@pytest.mark.parametrize(
    ("dimension", "expected"),
    [
        ("recipient", {"LAO": Decimal("5000.00"), "LBN": Decimal("900.00")}),
        ("area", {"clearance": Decimal("5900.00")}),
        ("year", {"2024": Decimal("5900.00")}),
        (
            "status",
            {
                "pledge": Decimal(0),
                "commitment": Decimal("3000.00"),
                "disbursement": Decimal("2000.00"),
                "expenditure": Decimal("900.00"),
            },
        ),
    ],
)
def test_totals_by_each_dimension(mixed, dimension, expected):
    rows = selectors.flow_totals(Flow.objects.all(), dimension)
    assert {row.key: row.funded for row in rows} == expected


def test_need_funding_totals_keep_their_shape(mixed, lao_need):
    totals = selectors.need_funding_totals([lao_need.pk])[lao_need.pk]
    assert totals == {
        "pledged": Decimal("5000.00"),
        "committed": Decimal("5000.00"),
        "disbursed": Decimal("2000.00"),
        "unvalued": 0,
    }
