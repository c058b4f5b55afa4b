"""Writes of funding flows and exchange rates."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from icahub.funding.models import ExchangeRate, Flow

CENT = Decimal("0.01")


def usd_value_for(amount: Decimal, currency: str, value_date: dt.date) -> Decimal | None:
    """``amount`` of ``currency`` in US dollars at ``value_date`` from the ISU's rate table
    (the latest rate valid on that date), or None when no rate is known."""
    if currency == "USD":
        return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)
    rate = (
        ExchangeRate.objects.filter(currency=currency, valid_from__lte=value_date)
        .order_by("-valid_from")
        .values_list("usd_per_unit", flat=True)
        .first()
    )
    if rate is None:
        return None
    return (Decimal(amount) * rate).quantize(CENT, rounding=ROUND_HALF_UP)


@transaction.atomic
def flow_create(*, user=None, **fields) -> Flow:
    """Validate and save one flow. The area and recipient default from the need; the year
    from the value date; the USD value from the rate table. Errors name their field."""
    flow = Flow(created_by=user if user and user.is_authenticated else None, **fields)
    need = flow.need
    if need is not None:
        flow.area = flow.area or need.area
        if not (
            flow.recipient_state_id or flow.recipient_organisation_id or flow.recipient_coalition_id
        ):
            flow.recipient_state_id = need.state_id
    if flow.value_date and not flow.year:
        flow.year = flow.value_date.year
    errors: dict = {}
    if not (flow.giver_state_id or flow.giver_organisation_id):
        errors["giver_state"] = _("Name the state or the organisation that gives.")
    elif flow.giver_state_id and flow.giver_organisation_id:
        errors["giver_organisation"] = _("Name one giver only: a state or an organisation.")
    recipients = [
        flow.recipient_state_id,
        flow.recipient_organisation_id,
        flow.recipient_coalition_id,
    ]
    if not any(recipients):
        errors["recipient_state"] = _("Name the state, organisation or coalition that receives.")
    elif sum(1 for r in recipients if r) > 1:
        errors["recipient_organisation"] = _("Name one recipient only.")
    if errors:
        raise ValidationError(errors)
    flow.full_clean()
    flow.usd_value = usd_value_for(flow.amount, flow.currency, flow.value_date)
    flow.save()
    return flow
