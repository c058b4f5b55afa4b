"""Reads of relays, honouring who may see them (the rules are in ``permissions.py``), the
users to notify, and the annual "matches made" report (``matches_report``)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from icahub.accounts.models import User
from icahub.accounts.permissions import is_coordinator, is_isu
from icahub.assistance.models import AREA_CHOICES, Need, Offer
from icahub.assistance.selectors import need_visibility_q
from icahub.registry.regions import region_name
from icahub.relays.models import (
    MATCH_ANSWERS,
    Answer,
    FollowUp,
    Outcome,
    Relay,
    RelayRecipient,
    RelayStatus,
)
from icahub.relays.permissions import (
    ORGANISATION_PARTNER_ROLES,
    REQUESTING_STATE_ROLES,
    STATE_PARTNER_ROLES,
    speaks_for,
)


def recipient_party_q(user, prefix: str = "") -> Q | None:
    """A filter on recipients (``{prefix}state`` / ``{prefix}organisation``) the user
    answers for; None when they answer for none."""
    if not (user and user.is_authenticated):
        return None
    q = Q(pk__in=[])
    speaks = False
    if user.role in STATE_PARTNER_ROLES and user.state_id is not None:
        q |= Q(**{f"{prefix}state_id": user.state_id})
        speaks = True
    if user.role in ORGANISATION_PARTNER_ROLES and user.organisation_id is not None:
        q |= Q(**{f"{prefix}organisation_id": user.organisation_id})
        speaks = True
    return q if speaks else None


def relay_visibility_q(user) -> Q:
    """The relays ``user`` may see, as a filter (mirrors ``permissions.can_view_relay``)."""
    if is_isu(user):
        return Q()
    if not (user and user.is_authenticated):
        return Q(pk__in=[])
    if is_coordinator(user):
        return Q(need__in=Need.objects.filter(need_visibility_q(user)).values("pk"))
    visible = Q(pk__in=[])
    if user.role in REQUESTING_STATE_ROLES and user.state_id is not None:
        visible |= Q(need__state_id=user.state_id)
    party = recipient_party_q(user)
    if party is not None:
        own = RelayRecipient.objects.filter(party, relay=OuterRef("pk"))
        visible |= Q(Exists(own), status=RelayStatus.SENT)
    return visible


def _relays() -> QuerySet[Relay]:
    return Relay.objects.select_related("need__state", "need__convention", "created_by")


def _with_recipients(relays: QuerySet[Relay]) -> QuerySet[Relay]:
    return relays.prefetch_related(
        Prefetch(
            "recipients",
            queryset=RelayRecipient.objects.select_related(
                "state", "organisation", "answered_by", "flow"
            ).order_by("pk"),
        ),
        Prefetch(
            "follow_ups",
            queryset=FollowUp.objects.select_related(
                "recipient__state", "recipient__organisation", "answered_by"
            ).order_by("recipient_id", "pk"),
        ),
    )


def relay_list(*, user, status: str | None = None, need: Need | None = None) -> QuerySet[Relay]:
    relays = _with_recipients(_relays().filter(relay_visibility_q(user)))
    if status:
        relays = relays.filter(status=status)
    if need is not None:
        relays = relays.filter(need=need)
    return relays.order_by("-created_at", "-pk")


def relay_get(*, user, pk: int) -> Relay:
    """One relay the user may see; 404 otherwise (its existence is not disclosed)."""
    return get_object_or_404(_with_recipients(_relays().filter(relay_visibility_q(user))), pk=pk)


def recipient_get(*, user, pk: int) -> RelayRecipient:
    """A recipient row of a relay the user may see, that the user answers for (or any row
    for those who see every answer); 404 otherwise."""
    recipient = get_object_or_404(
        RelayRecipient.objects.select_related(
            "relay__need__state", "relay__need__convention", "state", "organisation", "flow"
        ).filter(relay__in=Relay.objects.filter(relay_visibility_q(user)).values("pk")),
        pk=pk,
    )
    if not (
        user.has_perm("relays.view_all_answers", recipient.relay) or speaks_for(user, recipient)
    ):
        raise Http404
    return recipient


def follow_up_get(*, user, pk: int) -> FollowUp:
    follow_up = get_object_or_404(
        FollowUp.objects.select_related(
            "relay__need__state", "recipient__state", "recipient__organisation"
        ).filter(relay__in=Relay.objects.filter(relay_visibility_q(user)).values("pk")),
        pk=pk,
    )
    return follow_up


def my_recipients(*, user) -> QuerySet[RelayRecipient]:
    """The relay rows sent to the partner(s) the user answers for, newest first."""
    party = recipient_party_q(user)
    if party is None:
        return RelayRecipient.objects.none()
    return (
        RelayRecipient.objects.filter(party, relay__status=RelayStatus.SENT)
        .select_related("relay__need__state", "relay__need__convention", "state", "organisation")
        .order_by("-relay__sent_at", "-pk")
    )


def my_follow_ups(*, user) -> list[FollowUp]:
    """Follow-up questions asked of the user's party (as partner or requesting state)."""
    if not (user and user.is_authenticated):
        return []
    q = Q(pk__in=[])
    party = recipient_party_q(user, "recipient__")
    if party is not None:
        q |= party
    if user.role == "state_focal_point" and user.state_id is not None:
        q |= Q(recipient__isnull=True, relay__need__state_id=user.state_id)
    return list(
        FollowUp.objects.filter(q, asked_at__isnull=False)
        .select_related("relay__need__state", "recipient__state", "recipient__organisation")
        .order_by("answered_at", "-due_date", "pk")
    )


def requesting_state_relays(*, user) -> QuerySet[Relay]:
    """Relays of the needs of the user's own state (for its focal points)."""
    if not (user and user.is_authenticated) or user.role not in REQUESTING_STATE_ROLES:
        return Relay.objects.none()
    if user.state_id is None:
        return Relay.objects.none()
    return _with_recipients(_relays().filter(need__state_id=user.state_id)).order_by(
        "-created_at", "-pk"
    )


# --- whom to notify --------------------------------------------------------------------


def requesting_state_users(need: Need) -> QuerySet[User]:
    """The focal points of the state that asked for the need."""
    return User.objects.filter(
        is_active=True, role="state_focal_point", state_id=need.state_id
    ).order_by("pk")


def recipient_users(recipient: RelayRecipient) -> QuerySet[User]:
    """The users who answer for a recipient: for a state its donor and state focal points,
    for an organisation its partner members and donor focal points."""
    if recipient.state_id is not None:
        return User.objects.filter(
            is_active=True, role__in=STATE_PARTNER_ROLES, state_id=recipient.state_id
        ).order_by("pk")
    return User.objects.filter(
        is_active=True,
        role__in=ORGANISATION_PARTNER_ROLES,
        organisation_id=recipient.organisation_id,
    ).order_by("pk")


def relay_staff_users(relay: Relay) -> list[User]:
    """Who is told of objections and answers: whoever made the relay, else the ISU."""
    if relay.created_by_id and relay.created_by.is_active:
        return [relay.created_by]
    return list(User.objects.filter(is_active=True, role="isu").order_by("pk"))


def today_default(today: dt.date | None) -> dt.date:
    return today or timezone.localdate()


# --- the annual "matches made" report -------------------------------------------------------

REPORT_MEASURES = (
    "requests",
    "offers",
    "relays_created",
    "relays_objected",
    "relays_sent",
    "matches",
    "pledged_usd",
    "pledges_unvalued",
    "fully",
    "partly",
    "not_met",
    "unanswered",
)


def _empty() -> dict:
    return {measure: 0 for measure in REPORT_MEASURES} | {"pledged_usd": Decimal("0")}


def matches_report(*, year: int) -> dict:
    """The "matches made" in ``year``, in total, by area and by M49 region of the
    requesting state. Counted by the date each event happened in that year (UTC):

    - requests: needs recorded; offers: offers recorded (an offer counts once in each
      area it lists; offers have no single region, so the region rows leave them out);
    - relays created, objected (date of the objection) and sent (date sent);
    - matches: partners' answers "interested" or "pledged" given that year, and the
      pledges' value in USD (pledges with no exchange rate yet are counted in
      ``pledges_unvalued`` instead);
    - outcomes: follow-up questions asked that year, by answer (fully, partly, not met)
      or still unanswered.

    Only counts leave this function (no titles): the report is public even when some
    needs are not.
    """
    total = _empty()
    by_area: dict[str, dict] = {code: _empty() for code, _label in AREA_CHOICES}
    by_region: dict[str, dict] = {}

    def add(area: str, region: str | None, measure: str, value=1) -> None:
        total[measure] += value
        by_area.setdefault(area, _empty())[measure] += value
        if region is not None:
            by_region.setdefault(region or "", _empty())[measure] += value

    for area, region in Need.objects.filter(created_at__year=year).values_list(
        "area", "state__region_code"
    ):
        add(area, region, "requests")
    for areas in Offer.objects.filter(created_at__year=year).values_list("areas", flat=True):
        total["offers"] += 1
        for area in set(areas or []):
            by_area.setdefault(area, _empty())["offers"] += 1
    relay_fields = ("need__area", "need__state__region_code")
    for area, region in Relay.objects.filter(created_at__year=year).values_list(*relay_fields):
        add(area, region, "relays_created")
    for area, region in Relay.objects.filter(objected_at__year=year).values_list(*relay_fields):
        add(area, region, "relays_objected")
    for area, region in Relay.objects.filter(sent_at__year=year).values_list(*relay_fields):
        add(area, region, "relays_sent")
    matches = RelayRecipient.objects.filter(
        answer__in=MATCH_ANSWERS, answered_at__year=year
    ).values_list(
        "relay__need__area", "relay__need__state__region_code", "answer", "flow__usd_value"
    )
    for area, region, answer, usd in matches:
        add(area, region, "matches")
        if answer == Answer.PLEDGED:
            if usd is None:
                add(area, region, "pledges_unvalued")
            else:
                add(area, region, "pledged_usd", usd)
    outcome_measure = {
        Outcome.FULLY: "fully",
        Outcome.PARTLY: "partly",
        Outcome.NOT: "not_met",
        Outcome.NONE: "unanswered",
    }
    for area, region, answer in FollowUp.objects.filter(asked_at__year=year).values_list(
        "relay__need__area", "relay__need__state__region_code", "answer"
    ):
        add(area, region, outcome_measure[answer])
    area_labels = dict(AREA_CHOICES)
    return {
        "year": year,
        "total": total,
        "by_area": [
            {"code": code, "label": str(area_labels.get(code, code)), **values}
            for code, values in by_area.items()
        ],
        "by_region": [
            {"code": code, "label": region_name(code) if code else "", **values}
            for code, values in sorted(by_region.items())
        ],
    }


def report_years() -> list[int]:
    """Years with at least one need or relay, newest first (for the year chooser)."""
    years = {d.year for d in Need.objects.dates("created_at", "year")}
    years |= {d.year for d in Relay.objects.dates("created_at", "year")}
    years.add(timezone.localdate().year)
    return sorted(years, reverse=True)
