"""Validation of flows and rates, USD conversion with dated rates, and who may write."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from icahub.funding import rules, services
from icahub.funding.models import ExchangeRate, Flow
from icahub.funding.tests.conftest import make_flow

pytestmark = pytest.mark.django_db


def _errors(call) -> dict:
    with pytest.raises(ValidationError) as caught:
        call()
    return caught.value.message_dict


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"currency": "euro"}, "currency"),
        ({"currency": "eu"}, "currency"),
        ({"amount": Decimal("0")}, "amount"),
        ({"amount": Decimal("-5")}, "amount"),
        ({"area": ""}, "area"),
        ({"year": 2023}, "year"),  # a disbursement counts in its value date's year (2024)
        ({"year": 1990}, "year"),
    ],
)
def test_bad_values_are_refused_naming_the_field(nor, lao, values, field):
    # when a flow is recorded with one bad value
    errors = _errors(lambda: make_flow(giver_state=nor, recipient_state=lao, **values))

    # then the error names that field and nothing is saved
    assert field in errors
    assert not Flow.objects.exists()


def test_exactly_one_giver_and_one_recipient(nor, npa, lao, coalition):
    assert "giver_state" in _errors(lambda: make_flow(recipient_state=lao))
    assert "giver_organisation" in _errors(
        lambda: make_flow(giver_state=nor, giver_organisation=npa, recipient_state=lao)
    )
    assert "recipient_state" in _errors(lambda: make_flow(giver_state=nor))
    assert "recipient_organisation" in _errors(
        lambda: make_flow(giver_state=nor, recipient_state=lao, recipient_coalition=coalition)
    )
    assert "recipient_state" in _errors(lambda: make_flow(giver_state=lao, recipient_state=lao))


def test_a_flow_for_a_need_goes_to_the_needs_state(nor, lbn, npa, lao_need):
    # given Lao PDR's need: a flow to Lebanon for it is refused
    assert "recipient_state" in _errors(
        lambda: make_flow(giver_state=nor, recipient_state=lbn, need=lao_need)
    )
    # and its area is the need's
    assert "area" in _errors(
        lambda: make_flow(giver_state=nor, need=lao_need, area="victim_assistance")
    )
    # without recipient nor area, both come from the need
    flow = make_flow(giver_state=nor, need=lao_need, area="")
    assert (flow.recipient_state.iso3, flow.area) == ("LAO", "clearance")
    # an organisation working on the need may receive it
    assert make_flow(giver_state=nor, recipient_organisation=npa, need=lao_need).pk


def test_a_pledge_may_count_for_a_later_year_not_an_earlier_one(nor, lao):
    assert make_flow(giver_state=nor, recipient_state=lao, status="pledge", year=2026).year == 2026
    assert "year" in _errors(
        lambda: make_flow(giver_state=nor, recipient_state=lao, status="pledge", year=2023)
    )


def test_usd_value_uses_the_rate_valid_on_the_value_date(nor, lao, nok_rates):
    # when NOK flows are dated before, between and after the two rates
    early = make_flow(
        giver_state=nor, recipient_state=lao, currency="nok", value_date=dt.date(2019, 6, 1)
    )
    middle = make_flow(
        giver_state=nor, recipient_state=lao, currency="NOK", value_date=dt.date(2022, 6, 1)
    )
    late = make_flow(
        giver_state=nor, recipient_state=lao, currency="NOK", value_date=dt.date(2024, 3, 1)
    )

    # then each is valued with the rate of its date, and none before the first rate
    assert early.currency == "NOK" and early.usd_value is None
    assert middle.usd_value == Decimal("100.00")
    assert late.usd_value == Decimal("90.00")


def test_adding_a_rate_values_the_flows_waiting_for_it(nor, lao, isu_user):
    # given a flow in XOF with no rate
    waiting = make_flow(giver_state=nor, recipient_state=lao, currency="XOF", amount=Decimal(600))
    assert waiting.usd_value is None

    # when the ISU adds an XOF rate valid from before its date
    services.exchange_rate_create(
        currency="xof",
        valid_from=dt.date(2024, 1, 1),
        usd_per_unit=Decimal("0.0016"),
        source="UN operational rates",
        user=isu_user,
    )

    # then the flow now has its USD value
    waiting.refresh_from_db()
    assert waiting.usd_value == Decimal("0.96")


def test_rates_are_validated_and_kept_for_the_isu(isu_user, donor_user):
    def add(user=isu_user, **values):
        defaults = {
            "currency": "EUR",
            "valid_from": dt.date(2024, 1, 1),
            "usd_per_unit": Decimal("1.08"),
            "source": "x",
        }
        return services.exchange_rate_create(**{**defaults, **values}, user=user)

    assert "currency" in _errors(lambda: add(currency="USD"))
    assert "currency" in _errors(lambda: add(currency="E1R"))
    assert "usd_per_unit" in _errors(lambda: add(usd_per_unit=Decimal("0")))
    with pytest.raises(PermissionDenied):
        add(user=donor_user)
    add()
    assert "__all__" in _errors(add)  # the same currency and date twice
    assert ExchangeRate.objects.count() == 1


def test_update_revalues_and_delete_removes(nor, lao, nok_rates, donor_user):
    flow = make_flow(giver_state=nor, recipient_state=lao)
    # when Norway's donor focal point changes the currency
    services.flow_update(flow=flow, data={"currency": "NOK"}, user=donor_user)
    flow.refresh_from_db()
    assert flow.usd_value == Decimal("90.00")
    # when the value date moves to another year, the year follows
    services.flow_update(flow=flow, data={"value_date": dt.date(2022, 5, 5)}, user=donor_user)
    flow.refresh_from_db()
    assert (flow.year, flow.usd_value) == (2022, Decimal("100.00"))
    services.flow_delete(flow=flow, user=donor_user)
    assert not Flow.objects.exists()


def test_only_the_isu_and_the_parties_write(nor, lao, lbn, donor_user, lbn_focal_point, isu_user):
    # a Norwegian donor records a flow given by Norway, not one between others
    assert make_flow(giver_state=nor, recipient_state=lao, user=donor_user).created_by == donor_user
    with pytest.raises(PermissionDenied):
        make_flow(giver_state=lbn, recipient_state=lao, user=donor_user)
    flow = make_flow(giver_state=nor, recipient_state=lao, user=isu_user)
    # Lebanon's focal point may not change or delete it
    with pytest.raises(PermissionDenied):
        services.flow_update(flow=flow, data={"amount": Decimal(5)}, user=lbn_focal_point)
    with pytest.raises(PermissionDenied):
        services.flow_delete(flow=flow, user=lbn_focal_point)
    # Norway's donor may not move the flow away from Norway
    with pytest.raises(PermissionDenied):
        services.flow_update(flow=flow, data={"giver_state": lbn}, user=donor_user)
    flow.refresh_from_db()
    assert flow.giver_state == nor


def test_unknown_fields_are_refused(nor, lao):
    flow = make_flow(giver_state=nor, recipient_state=lao)
    assert "usd_value" in _errors(
        lambda: services.flow_update(flow=flow, data={"usd_value": Decimal(1)})
    )


def test_merge_makes_one_flow_of_two(nor, lao, isu_user, donor_user):
    keep = make_flow(giver_state=nor, recipient_state=lao, reported_by_giver=True)
    duplicate = make_flow(giver_state=nor, recipient_state=lao, reported_by_recipient=True)
    with pytest.raises(PermissionDenied):
        services.flow_merge(keep=keep, duplicate=duplicate, user=donor_user)

    merged = services.flow_merge(keep=keep, duplicate=duplicate, user=isu_user)

    assert (merged.reported_by_giver, merged.reported_by_recipient) == (True, True)
    assert list(Flow.objects.values_list("pk", flat=True)) == [keep.pk]


def test_amounts_match_within_the_tolerance():
    assert rules.amounts_match(Decimal("100000"), Decimal("98500"))
    assert not rules.amounts_match(Decimal("100000"), Decimal("97000"))
    assert not rules.amounts_match(Decimal("0"), Decimal("0"))
    assert rules.bar_widths([Decimal(0), Decimal(1), Decimal(1000)]) == [0, 1, 300]
