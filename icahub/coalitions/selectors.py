"""Reads of Country Coalitions and of who belongs to them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Prefetch, Q, QuerySet, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from icahub.assistance.models import Need
from icahub.coalitions import gap, progress
from icahub.coalitions.membership import (  # noqa: F401 - re-exported
    ORGANISATION_MEMBER_ROLES,
    STATE_MEMBER_ROLES,
    coalition_reach,
    member_party_q,
    user_coalition_ids,
)
from icahub.coalitions.models import (
    ActionItem,
    Coalition,
    CoalitionMember,
    CoalitionStatus,
    Commitment,
    CommitmentStatus,
    Document,
    Meeting,
    MemberRole,
    MemberStatus,
    Objective,
)
from icahub.funding.models import DISBURSED_STATUSES, FUNDED_STATUSES, Flow, FlowStatus
from icahub.funding.selectors import need_funding_totals
from icahub.funding.services import usd_value_for
from icahub.obligations.models import Obligation
from icahub.reports.models import ReportVersion, VersionStatus

ZERO = Decimal("0")


def _coalitions() -> QuerySet[Coalition]:
    return Coalition.objects.select_related("lead_state", "convention").prefetch_related(
        Prefetch(
            "members",
            queryset=CoalitionMember.objects.select_related("state", "organisation").order_by(
                "role", "pk"
            ),
        )
    )


def coalition_list(*, status: str | None = None, lead_state: str | None = None):
    """Every coalition (their existence is public, see ``permissions.py``)."""
    coalitions = _coalitions()
    if status:
        coalitions = coalitions.filter(status=status)
    if lead_state:
        coalitions = coalitions.filter(lead_state__iso3=lead_state.upper())
    return coalitions.order_by("lead_state__name_en", "name", "pk")


def coalition_get(*, pk: int) -> Coalition:
    return get_object_or_404(_coalitions(), pk=pk)


def workspace_get(*, user, pk: int) -> Coalition:
    """A coalition whose workspace the user may read (active members and the ISU); 404
    for anyone else, so private records are not disclosed."""
    coalition = coalition_get(pk=pk)
    if not user.has_perm("coalitions.view_workspace", coalition):
        raise Http404
    return coalition


def public_members(coalition: Coalition) -> list[CoalitionMember]:
    """The active members, lead first (prefetched by ``_coalitions``)."""
    order = {role: index for index, role in enumerate(MemberRole.values)}
    members = [m for m in coalition.members.all() if m.status == MemberStatus.ACTIVE]
    return sorted(members, key=lambda m: (order.get(m.role, 99), str(m.party)))


def all_members(coalition: Coalition) -> list[CoalitionMember]:
    """Every membership, invitations and departures included (workspace only)."""
    order = {status: index for index, status in enumerate(MemberStatus.values)}
    roles = {role: index for index, role in enumerate(MemberRole.values)}
    return sorted(
        coalition.members.all(),
        key=lambda m: (order.get(m.status, 99), roles.get(m.role, 99), str(m.party)),
    )


def pending_invitations(user) -> list[CoalitionMember]:
    """Invitations waiting for an answer from the user's state or organisation."""
    party = member_party_q(user)
    if party is None:
        return []
    return list(
        CoalitionMember.objects.filter(
            party, status=MemberStatus.INVITED, coalition__status=CoalitionStatus.ACTIVE
        )
        .select_related("coalition", "coalition__lead_state", "state", "organisation")
        .order_by("-created_at", "pk")
    )


def invitation_get(*, user, pk: int) -> CoalitionMember:
    """An invitation the user may answer; 404 otherwise."""
    for member in pending_invitations(user):
        if str(member.pk) == str(pk):
            return member
    raise Http404


def objectives(coalition: Coalition) -> list[Objective]:
    return list(
        coalition.objectives.prefetch_related(
            Prefetch("obligations", queryset=Obligation.objects.order_by("article", "kind")),
            Prefetch("needs", queryset=Need.objects.order_by("title", "pk")),
        ).order_by("target_date", "pk")
    )


def plan_needs(coalition: Coalition) -> list[Need]:
    """The needs linked to the plan's objectives, each once."""
    return list(
        Need.objects.filter(objectives__coalition=coalition)
        .distinct()
        .select_related("obligation")
        .order_by("title", "pk")
    )


def meetings(coalition: Coalition) -> list[Meeting]:
    return list(
        coalition.meetings.prefetch_related(
            Prefetch(
                "action_items",
                queryset=ActionItem.objects.select_related("owner__state", "owner__organisation"),
            )
        ).order_by("-starts_at", "pk")
    )


def action_items(coalition: Coalition) -> list[ActionItem]:
    return list(
        ActionItem.objects.filter(meeting__coalition=coalition)
        .select_related("meeting", "owner__state", "owner__organisation")
        .order_by("status", "due_date", "pk")
    )


def documents(coalition: Coalition) -> list[Document]:
    return list(coalition.documents.select_related("created_by").order_by("-created_at", "pk"))


def commitments(coalition: Coalition) -> list[Commitment]:
    return list(
        coalition.commitments.select_related(
            "member__state", "member__organisation", "need", "flow"
        ).order_by("need__title", "pk")
    )


def active_members(coalition: Coalition) -> QuerySet[CoalitionMember]:
    return (
        CoalitionMember.objects.filter(coalition=coalition, status=MemberStatus.ACTIVE)
        .select_related("state", "organisation")
        .order_by("role", "pk")
    )


# --- gap view -------------------------------------------------------------------------------


def _need_required_usd(need: Need) -> Decimal | None:
    if need.budget_required is None or not need.currency:
        return None
    on = need.value_date or timezone.localdate()
    return usd_value_for(need.budget_required, need.currency, on)


def coalition_gap(coalition: Coalition, labels: dict[str, str] | None = None) -> gap.Gap:
    """The gap view's figures (see ``gap.py`` for what counts as what)."""
    needs = plan_needs(coalition)
    need_ids = [need.pk for need in needs]
    flows = need_funding_totals(need_ids)
    own: dict[int, dict[str, Decimal]] = {
        pk: {"committed": ZERO, "pledged": ZERO} for pk in need_ids
    }
    unvalued_commitments: dict[int, int] = dict.fromkeys(need_ids, 0)
    for commitment in coalition.commitments.filter(need_id__in=need_ids):
        if commitment.status not in (CommitmentStatus.COMMITTED, CommitmentStatus.PLEDGED):
            continue
        if commitment.usd_value is None:
            unvalued_commitments[commitment.need_id] += 1
            continue
        key = "committed" if commitment.status == CommitmentStatus.COMMITTED else "pledged"
        own[commitment.need_id][key] += commitment.usd_value
    money = [
        gap.NeedMoney(
            need_id=need.pk,
            title=need.title,
            required=_need_required_usd(need),
            flows_committed=flows[need.pk]["committed"],
            flows_disbursed=flows[need.pk]["disbursed"],
            flows_pledged=flows[need.pk]["pledged"],
            commitments_committed=own[need.pk]["committed"],
            commitments_pledged=own[need.pk]["pledged"],
            unvalued=flows[need.pk]["unvalued"] + unvalued_commitments[need.pk],
        )
        for need in needs
    ]
    plan = [
        (objective.pk, objective.title, [need.pk for need in objective.needs.all()])
        for objective in objectives(coalition)
    ]
    # Money given to the coalition itself and tied to no need of the plan.
    loose = (
        Flow.objects.filter(recipient_coalition=coalition)
        .exclude(need_id__in=need_ids)
        .aggregate(
            committed=Sum("usd_value", filter=Q(status__in=FUNDED_STATUSES)),
            disbursed=Sum("usd_value", filter=Q(status__in=DISBURSED_STATUSES)),
            pledged=Sum("usd_value", filter=Q(status=FlowStatus.PLEDGE)),
        )
    )
    return gap.compute_gap(
        money,
        plan,
        unallocated_committed=loose["committed"] or ZERO,
        unallocated_disbursed=loose["disbursed"] or ZERO,
        unallocated_pledged=loose["pledged"] or ZERO,
        labels=labels,
    )


# --- timeline -------------------------------------------------------------------------------


def reported_series(obligation: Obligation) -> list[tuple[dt.date, Decimal, int, int]]:
    """What the lead state's submitted Article 7 reports say remains for ``obligation``:
    ``(end of the reporting period, quantity, reporting year, version number)``, from the
    latest submitted or published version of each report."""
    if obligation.kind not in progress.TABLE_FOR_KIND:
        return []
    versions = (
        ReportVersion.objects.filter(
            report__state_id=obligation.state_id,
            report__convention_id=obligation.convention_id,
            status__in=[VersionStatus.SUBMITTED, VersionStatus.PUBLISHED],
        )
        .select_related("report", "report__convention")
        .order_by("report__period_end", "report_id", "-number")
    )
    points = []
    seen = set()
    for version in versions:
        if version.report_id in seen:
            continue
        seen.add(version.report_id)
        value = progress.remaining_from_forms(
            version.report.convention.code, version.forms, obligation.kind
        )
        if value is not None:
            points.append(
                (version.report.period_end, value, version.report.reporting_year, version.number)
            )
    return points


def timelines(coalition: Coalition) -> list[dict]:
    """For each obligation the plan links: its current deadline, the quantities reported
    and the projected completion at the recent rate."""
    linked = (
        Obligation.objects.filter(
            pk__in=Objective.obligations.through.objects.filter(
                objective__coalition=coalition
            ).values("obligation_id")
        )
        .select_related("convention", "state")
        .order_by("convention__code", "article", "kind")
    )
    result = []
    for obligation in linked:
        series = reported_series(obligation)
        result.append(
            {
                "obligation": obligation,
                "measured": obligation.kind in progress.TABLE_FOR_KIND,
                "points": series,
                "projection": progress.project_completion(
                    [(day, value) for day, value, _, _ in series], obligation.current_deadline
                ),
            }
        )
    return result


# --- what coalition membership opens in needs and offers -------------------------------------
