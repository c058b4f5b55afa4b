"""Reads of funding flows."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.db.models import Count, Q, Sum

from icahub.funding.models import DISBURSED_STATUSES, FUNDED_STATUSES, Flow, FlowStatus

ZERO = Decimal("0")


def need_funding_totals(need_ids: Iterable[int]) -> dict[int, dict[str, Decimal]]:
    """Per need, in USD: ``pledged`` (promises, not funding), ``committed`` (every funded
    status: commitment, disbursement, expenditure) and ``disbursed`` (money that moved).
    Flows without a USD value (no exchange rate yet) are left out of the sums and counted
    in ``unvalued``."""
    need_ids = list(need_ids)
    totals = {
        pk: {"pledged": ZERO, "committed": ZERO, "disbursed": ZERO, "unvalued": 0}
        for pk in need_ids
    }
    rows = (
        Flow.objects.filter(need_id__in=need_ids)
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
