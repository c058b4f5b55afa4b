"""The "Funding" section of a need's page, computed for the user who reads it."""

from __future__ import annotations

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from icahub.funding import rules, selectors, services

register = template.Library()


@register.simple_tag(takes_context=True)
def need_funding(context, need) -> dict:
    """Required, pledged, committed and disbursed in USD for ``need`` (counting only the
    flows the reader may see), the bars of its chart, and the flows themselves."""
    user = context["request"].user
    totals = selectors.need_funding_for_user(user, [need.pk])[need.pk]
    required = None
    if need.budget_required is not None and need.currency:
        required = services.usd_value_for(
            need.budget_required, need.currency, need.value_date or timezone.localdate()
        )
    figures = [
        ("required", pgettext("budget", "Required"), required),
        ("pledged", _("Pledged (not funding)"), totals["pledged"]),
        ("committed", _("Committed"), totals["committed"]),
        ("disbursed", _("Disbursed"), totals["disbursed"]),
    ]
    widths = rules.bar_widths([value for _key, _label, value in figures], full=280)
    bars = [
        {"key": key, "label": label, "value": value, "width": width, "y": 10 + index * 34}
        for index, ((key, label, value), width) in enumerate(zip(figures, widths, strict=True))
    ]
    flows = list(selectors.flow_list(user=user, need=need.pk))
    return {
        "bars": bars,
        "chart_height": 20 + 34 * len(bars),
        "required_unvalued": need.budget_required is not None and required is None,
        "unvalued": totals["unvalued"],
        "flows": flows,
        "can_add": user.has_perm("funding.record_flows"),
    }
