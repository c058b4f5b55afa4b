"""Pages of the matching: how scores are made (and, for the ISU, their weights) and the
needs a potential partner fits."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from icahub.assistance import matching, scoring, services
from icahub.assistance.forms import FACTOR_HELP, MatchingWeightsForm
from icahub.registry.models import Organisation, State
from icahub.versioning import page_status
from icahub.web.views_support import add_service_errors, denied_unless


@require_http_methods(["GET", "POST"])
def matching_weights(request):
    """Everyone sees how scores are made; the ISU may change the weights here."""
    weights = matching.weights_current()
    can_change = request.user.has_perm("assistance.change_matchingweights")
    form = None
    if can_change:
        form = MatchingWeightsForm(
            request.POST or None, initial=weights, version=matching.weights_version()
        )
        if request.method == "POST" and form.is_valid():
            try:
                services.matching_weights_update(
                    data=form.cleaned_data,
                    user=request.user,
                    expected_version=form.expected_version,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("The weights were saved. Every match is being recomputed with them."),
                )
                return redirect("assistance:matching_weights")
    elif request.method == "POST" and (
        denied := denied_unless(request, "assistance.change_matchingweights")
    ):
        return denied
    total = sum(weights.values()) or 1
    factors = [
        {
            "name": name,
            "label": FACTOR_HELP[name][0],
            "help": FACTOR_HELP[name][1],
            "weight": weights[name],
            "share": weights[name] / total,
        }
        for name in scoring.FACTORS
    ]
    return render(
        request,
        "assistance/matching_weights.html",
        {
            "nav": "needs",
            "factors": factors,
            "form": form,
            "outside_area_percent": round(scoring.OUTSIDE_AREA_FACTOR * 100),
            "breadcrumbs": [(_("How matches are scored"), None)],
        },
        status=page_status(form),
    )


def partner_needs(request, kind: str, pk: int):
    """The open needs a state or an organisation fits as a potential partner, by its
    funding and work so far."""
    if kind not in ("state", "organisation"):
        raise Http404
    party = get_object_or_404(State if kind == "state" else Organisation, pk=pk)
    name = party.name if kind == "state" else str(party)
    lines = matching.partner_needs(user=request.user, kind=kind, pk=pk)
    return render(
        request,
        "assistance/partner_needs.html",
        {
            "nav": "needs",
            "party_name": name,
            "matches": lines,
            "matches_mode": "partner",
            "matches_title": _("Open needs that fit %(name)s") % {"name": name},
            "matches_empty": _(
                "No funding flow or work is on record for %(name)s yet, or no open need you "
                "can see fits it."
            )
            % {"name": name},
            "weights_url": reverse("assistance:matching_weights"),
            "breadcrumbs": [(name, None)],
        },
    )
