"""Reads of funding flows and exchange rates, honouring visibility (the rules are in
``permissions.py``).

A flow the user may not see does not exist for them: lists, totals and downloads leave it
out and a detail read answers 404. Totals are in US dollars and count only funding
(commitments, disbursements, expenditure); pledges are summed apart and never added to
funding. A flow without a USD value (no exchange rate known yet) is never summed as zero:
it is counted as *unvalued*, with its original amount by currency.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.shortcuts import get_object_or_404

from icahub.accounts.permissions import is_coordinator, is_isu
from icahub.assistance.models import AREA_CHOICES
from icahub.assistance.permissions import party_convention_ids
from icahub.coalitions.membership import (
    ORGANISATION_MEMBER_ROLES,
    STATE_MEMBER_ROLES,
    user_coalition_ids,
)
from icahub.coalitions.models import Coalition
from icahub.funding.models import (
    DISBURSED_STATUSES,
    FUNDED_STATUSES,
    ExchangeRate,
    Flow,
    FlowStatus,
    Visibility,
)
from icahub.registry.models import Organisation, State

ZERO = Decimal("0")
DIMENSIONS = ("donor", "recipient", "area", "year", "status")
# The columns a dimension groups by.
DIMENSION_FIELDS = {
    "donor": ("giver_state_id", "giver_organisation_id"),
    "recipient": ("recipient_state_id", "recipient_organisation_id", "recipient_coalition_id"),
    "area": ("area",),
    "year": ("year",),
    "status": ("status",),
}


def flow_visibility_q(user) -> Q:
    """The flows ``user`` may see, as a filter (mirrors ``permissions.can_see_flow``)."""
    if is_isu(user):
        return Q()
    visible = Q(visibility=Visibility.PUBLIC)
    if not (user and user.is_authenticated):
        return visible
    if is_coordinator(user) or party_convention_ids(user):
        visible |= Q(visibility=Visibility.STATES_PARTIES)
    coalitions = user_coalition_ids(user)
    if coalitions:
        visible |= Q(visibility=Visibility.COALITION, recipient_coalition_id__in=coalitions)
    # The flow's own parties see it whatever its visibility.
    if user.role in STATE_MEMBER_ROLES and user.state_id is not None:
        visible |= Q(giver_state_id=user.state_id) | Q(recipient_state_id=user.state_id)
    if user.role in ORGANISATION_MEMBER_ROLES and user.organisation_id is not None:
        visible |= Q(giver_organisation_id=user.organisation_id) | Q(
            recipient_organisation_id=user.organisation_id
        )
    return visible


def _flows() -> QuerySet[Flow]:
    return Flow.objects.select_related(
        "giver_state",
        "giver_organisation",
        "recipient_state",
        "recipient_organisation",
        "recipient_coalition",
        "need",
        "need__state",
    )


def party_q(prefix: str, key: str) -> Q:
    """A filter on the giver (``prefix="giver"``) or recipient for a party key:
    ``LAO`` or ``state:LAO`` (ISO alpha-3), ``organisation:<id>``, ``coalition:<id>``."""
    kind, _, value = key.partition(":") if ":" in key else ("state", "", key)
    if kind == "state":
        return Q(**{f"{prefix}_state__iso3": value.upper()})
    if kind == "organisation" and value.isdigit():
        return Q(**{f"{prefix}_organisation_id": int(value)})
    if kind == "coalition" and value.isdigit() and prefix == "recipient":
        return Q(**{f"{prefix}_coalition_id": int(value)})
    return Q(pk__in=[])


def flow_list(
    *,
    user,
    giver: str | None = None,
    recipient: str | None = None,
    area: str | None = None,
    year: int | None = None,
    status: str | None = None,
    need: int | None = None,
    currency: str | None = None,
) -> QuerySet[Flow]:
    """Flows the user may see, filtered (``giver``/``recipient`` are party keys, see
    ``party_q``)."""
    flows = _flows().filter(flow_visibility_q(user))
    if giver:
        flows = flows.filter(party_q("giver", giver))
    if recipient:
        flows = flows.filter(party_q("recipient", recipient))
    if area:
        flows = flows.filter(area=area)
    if year:
        flows = flows.filter(year=year)
    if status:
        flows = flows.filter(status=status)
    if need:
        flows = flows.filter(need_id=need)
    if currency:
        flows = flows.filter(currency=currency.upper())
    return flows.order_by("-year", "-value_date", "pk")


def flow_get(*, user, pk: int) -> Flow:
    """One flow the user may see; 404 otherwise."""
    return get_object_or_404(_flows().filter(flow_visibility_q(user)), pk=pk)


@dataclass
class TotalRow:
    """Totals of one group of flows (one donor, one year...), in USD."""

    key: str
    label: str
    funded: Decimal = ZERO
    disbursed: Decimal = ZERO
    pledged: Decimal = ZERO
    flows: int = 0
    unvalued: int = 0
    # Original amounts of the unvalued flows, by currency.
    unvalued_amounts: dict[str, Decimal] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "key": self.key,
            "label": self.label,
            "funded_usd": self.funded,
            "disbursed_usd": self.disbursed,
            "pledged_usd": self.pledged,
            "flows": self.flows,
            "unvalued_flows": self.unvalued,
            "unvalued_amounts": [
                {"currency": currency, "amount": amount}
                for currency, amount in sorted(self.unvalued_amounts.items())
            ],
        }


def _group_key(dimension: str, row: dict) -> str:
    if dimension == "donor":
        if row["giver_state_id"]:
            return f"state:{row['giver_state_id']}"
        return f"organisation:{row['giver_organisation_id']}"
    if dimension == "recipient":
        if row["recipient_state_id"]:
            return f"state:{row['recipient_state_id']}"
        if row["recipient_organisation_id"]:
            return f"organisation:{row['recipient_organisation_id']}"
        return f"coalition:{row['recipient_coalition_id']}"
    return str(row[DIMENSION_FIELDS[dimension][0]])


def _labels(dimension: str, keys: Iterable[str]) -> dict[str, tuple[str, str]]:
    """Per internal group key: (public key, label). A state's public key is its ISO code."""
    keys = list(keys)
    if dimension in ("donor", "recipient"):
        ids: dict[str, list[int]] = {"state": [], "organisation": [], "coalition": []}
        for key in keys:
            kind, _, pk = key.partition(":")
            ids[kind].append(int(pk))
        out = {}
        for state in State.objects.filter(pk__in=ids["state"]):
            out[f"state:{state.pk}"] = (state.iso3, state.name)
        for organisation in Organisation.objects.filter(pk__in=ids["organisation"]):
            out[f"organisation:{organisation.pk}"] = (
                f"organisation:{organisation.pk}",
                str(organisation),
            )
        for coalition in Coalition.objects.filter(pk__in=ids["coalition"]):
            out[f"coalition:{coalition.pk}"] = (f"coalition:{coalition.pk}", coalition.name)
        return out
    if dimension == "area":
        labels = dict(AREA_CHOICES)
        return {key: (key, str(labels.get(key, key))) for key in keys}
    if dimension == "status":
        labels = dict(FlowStatus.choices)
        return {key: (key, str(labels.get(key, key))) for key in keys}
    return {key: (key, key) for key in keys}


def flow_totals(flows: QuerySet[Flow], dimension: str) -> list[TotalRow]:
    """Totals of ``flows`` (already filtered for the user) grouped by ``dimension``
    (donor, recipient, area, year, status): funding (no pledge), disbursed, pledged, in USD,
    and the unvalued flows apart. Sorted by funding, largest first (years: newest first)."""
    if dimension not in DIMENSIONS:
        raise ValueError(f"Unknown dimension {dimension!r}")
    grouped = (
        flows.order_by()
        .values(*DIMENSION_FIELDS[dimension], "status", "currency")
        .annotate(
            usd=Sum("usd_value"),
            n=Count("pk"),
            unvalued=Count("pk", filter=Q(usd_value__isnull=True)),
            unvalued_amount=Sum("amount", filter=Q(usd_value__isnull=True)),
        )
    )
    rows: dict[str, TotalRow] = {}
    for item in grouped:
        key = _group_key(dimension, item)
        row = rows.setdefault(key, TotalRow(key=key, label=key))
        usd = item["usd"] or ZERO
        row.flows += item["n"]
        if item["status"] == FlowStatus.PLEDGE:
            row.pledged += usd
        if item["status"] in FUNDED_STATUSES:
            row.funded += usd
        if item["status"] in DISBURSED_STATUSES:
            row.disbursed += usd
        if item["unvalued"]:
            row.unvalued += item["unvalued"]
            row.unvalued_amounts[item["currency"]] = (
                row.unvalued_amounts.get(item["currency"], ZERO) + item["unvalued_amount"]
            )
    labels = _labels(dimension, rows)
    for key, row in rows.items():
        row.key, row.label = labels.get(key, (key, key))
    if dimension == "year":
        return sorted(rows.values(), key=lambda r: r.key, reverse=True)
    return sorted(rows.values(), key=lambda r: (-r.funded, -r.pledged, r.label))


def flow_grand_total(rows: list[TotalRow]) -> TotalRow:
    """The sum of total rows (for a table's footer)."""
    total = TotalRow(key="total", label="")
    for row in rows:
        total.funded += row.funded
        total.disbursed += row.disbursed
        total.pledged += row.pledged
        total.flows += row.flows
        total.unvalued += row.unvalued
        for currency, amount in row.unvalued_amounts.items():
            total.unvalued_amounts[currency] = total.unvalued_amounts.get(currency, ZERO) + amount
    return total


def need_funding_totals(need_ids: Iterable[int]) -> dict[int, dict[str, Decimal]]:
    """Per need, in USD: ``pledged`` (promises, not funding), ``committed`` (every funded
    status: commitment, disbursement, expenditure) and ``disbursed`` (money that moved).
    Flows without a USD value (no exchange rate yet) are left out of the sums and counted
    in ``unvalued``. Counts every flow of the need whoever may see it: callers showing the
    figures to a user use ``need_funding_for_user``."""
    return _need_totals(Flow.objects.all(), need_ids)


def need_funding_for_user(user, need_ids: Iterable[int]) -> dict[int, dict[str, Decimal]]:
    """``need_funding_totals`` counting only the flows ``user`` may see."""
    return _need_totals(Flow.objects.filter(flow_visibility_q(user)), need_ids)


def _need_totals(flows: QuerySet[Flow], need_ids: Iterable[int]) -> dict[int, dict]:
    need_ids = list(need_ids)
    totals = {
        pk: {"pledged": ZERO, "committed": ZERO, "disbursed": ZERO, "unvalued": 0}
        for pk in need_ids
    }
    rows = (
        flows.filter(need_id__in=need_ids)
        .order_by()
        .values("need_id")
        .annotate(
            pledged=Sum("usd_value", filter=Q(status=FlowStatus.PLEDGE)),
            committed=Sum("usd_value", filter=Q(status__in=FUNDED_STATUSES)),
            disbursed=Sum("usd_value", filter=Q(status__in=DISBURSED_STATUSES)),
            unvalued=Count("pk", filter=Q(usd_value__isnull=True)),
        )
    )
    for row in rows:
        totals[row["need_id"]] = {
            "pledged": row["pledged"] or ZERO,
            "committed": row["committed"] or ZERO,
            "disbursed": row["disbursed"] or ZERO,
            "unvalued": row["unvalued"],
        }
    return totals


def exchange_rate_list(*, currency: str | None = None) -> QuerySet[ExchangeRate]:
    """The ISU's rate table (public: rates carry no private data)."""
    rates = ExchangeRate.objects.all()
    if currency:
        rates = rates.filter(currency=currency.upper())
    return rates.order_by("currency", "-valid_from")
