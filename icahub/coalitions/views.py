"""Pages of Country Coalitions.

A coalition's overview (name, lead state, convention, description, active members) is
public; everything else is its workspace, read through ``selectors.workspace_get``, which
answers 404 to anyone but the active members and the ISU. Pages that change records ask an
anonymous visitor to sign in first, then check the permission (403 for a member without
the right). Every write goes through the services.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from icahub.assistance import matching
from icahub.assistance.models import Need
from icahub.coalitions import gap as gap_module
from icahub.coalitions import selectors, services
from icahub.coalitions.forms import (
    ActionItemForm,
    CoalitionCreateForm,
    CoalitionEditForm,
    CommitmentForm,
    DocumentForm,
    InviteForm,
    MeetingForm,
    ObjectiveForm,
    RoleForm,
)
from icahub.coalitions.models import (
    ActionItem,
    Coalition,
    CoalitionMember,
    Commitment,
    Document,
    Meeting,
    Objective,
)
from icahub.coalitions.permissions import can_commit_for, is_lead_focal_point, speaks_for
from icahub.interchange.tables import csv_response, xlsx_response
from icahub.registry.models import Organisation, State
from icahub.versioning import page_status, posted_version
from icahub.web.history import history_entries
from icahub.web.views_support import add_service_errors, today


def _signed_in_workspace(request, pk: int, perm: str | None = None):
    """The coalition whose workspace the user may read and, when ``perm`` is given, write;
    or raises/returns the refusal (sign in, 404, 403)."""
    if not request.user.is_authenticated:
        return None, redirect_to_login(request.get_full_path())
    coalition = selectors.workspace_get(user=request.user, pk=pk)
    if perm and not request.user.has_perm(perm, coalition):
        raise PermissionDenied
    return coalition, None


def _crumbs(coalition: Coalition | None = None, *extra):
    crumbs = [(_("Country Coalitions"), reverse("coalitions:list") if coalition or extra else None)]
    if coalition is not None:
        crumbs.append(
            (coalition.name, reverse("coalitions:detail", args=[coalition.pk]) if extra else None)
        )
    return [*crumbs, *extra]


def _render_form(request, template, context):
    return render(
        request,
        f"coalitions/{template}",
        {"nav": "coalitions", **context},
        status=page_status(context.get("form")),
    )


# --- list, create, overview ---------------------------------------------------------------


def coalition_list(request):
    coalitions = list(selectors.coalition_list())
    mine = selectors.user_coalition_ids(request.user)
    for coalition in coalitions:
        coalition.active_members = selectors.public_members(coalition)
    return render(
        request,
        "coalitions/coalition_list.html",
        {
            "nav": "coalitions",
            "coalitions": coalitions,
            "my_coalitions": [c for c in coalitions if c.pk in mine],
            "invitations": selectors.pending_invitations(request.user),
            "can_add": request.user.has_perm("coalitions.add_coalition", None),
            "breadcrumbs": _crumbs(),
        },
    )


@require_http_methods(["GET", "POST"])
def coalition_create(request):
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not user.has_perm("coalitions.add_coalition", None):
        raise PermissionDenied
    form = CoalitionCreateForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        values = dict(form.cleaned_data)
        if not user.has_perm(
            "coalitions.add_coalition", Coalition(lead_state=values["lead_state"])
        ):
            raise PermissionDenied
        try:
            coalition = services.coalition_create(**values, user=user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The coalition was created."))
            return redirect("coalitions:detail", pk=coalition.pk)
    return _render_form(
        request,
        "coalition_form.html",
        {
            "form": form,
            "title": _("Create a Country Coalition"),
            "breadcrumbs": _crumbs(None, (_("Create a coalition"), None)),
        },
    )


def _workspace_context(request, coalition: Coalition) -> dict:
    user = request.user
    members = selectors.all_members(coalition)
    for member in members:
        member.can_leave = user.has_perm("coalitions.leave_coalition", member)
    return {
        "members": members,
        "objectives": selectors.objectives(coalition),
        "meetings": selectors.meetings(coalition),
        "documents": selectors.documents(coalition),
        "commitments": selectors.commitments(coalition),
        "can_manage": user.has_perm("coalitions.change_coalition", coalition),
        "can_invite": user.has_perm("coalitions.invite_member", coalition),
        "suggestions": _suggested_members(user, coalition, members)
        if user.has_perm("coalitions.invite_member", coalition)
        else [],
        "weights_url": reverse("assistance:matching_weights"),
        "can_run_meetings": user.has_perm("coalitions.run_meetings", coalition),
        "can_commit": user.has_perm("coalitions.add_commitment", coalition),
        "history_entries": history_entries(coalition, *members)
        if user.has_perm("accounts.view_history")
        else [],
    }


def _suggested_members(user, coalition: Coalition, members) -> list[dict]:
    """Partners the matching engine proposes for the coalition: the best candidates of the
    lead state's open needs under the coalition's convention, without those already invited
    or active."""
    taken = {
        ("state" if member.state_id else "organisation", member.state_id or member.organisation_id)
        for member in members
        if member.status in ("invited", "active")
    }
    suggestions = matching.suggested_partners(
        user=user, state=coalition.lead_state, convention=coalition.convention, top=10 + len(taken)
    )
    lines = [
        line
        for line in suggestions
        if (line["partner"]["kind"], line["partner"]["id"]) not in taken
    ][:10]
    codes = dict(
        State.objects.filter(
            pk__in=[line["partner"]["id"] for line in lines if line["partner"]["kind"] == "state"]
        ).values_list("pk", "iso3")
    )
    for line in lines:
        line["iso3"] = codes.get(line["partner"]["id"], "")
    return lines


def coalition_detail(request, pk: int):
    coalition = selectors.coalition_get(pk=pk)
    context = {
        "nav": "coalitions",
        "coalition": coalition,
        "public_members": selectors.public_members(coalition),
        "workspace": request.user.has_perm("coalitions.view_workspace", coalition),
        "breadcrumbs": _crumbs(coalition),
    }
    if context["workspace"]:
        context |= _workspace_context(request, coalition)
    return render(request, "coalitions/coalition_detail.html", context)


@require_http_methods(["GET", "POST"])
def coalition_edit(request, pk: int):
    coalition, denied = _signed_in_workspace(request, pk, "coalitions.change_coalition")
    if denied:
        return denied
    initial = {name: getattr(coalition, name) for name in services.COALITION_EDITABLE}
    form = CoalitionEditForm(request.POST or None, initial=initial, version=coalition.lock_version)
    if request.method == "POST" and form.is_valid():
        try:
            services.coalition_update(
                coalition=coalition,
                data=form.cleaned_data,
                expected_version=form.expected_version,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The coalition was saved."))
            return redirect("coalitions:detail", pk=coalition.pk)
    return _render_form(
        request,
        "simple_form.html",
        {
            "form": form,
            "coalition": coalition,
            "title": _("Edit the coalition"),
            "submit": _("Save the coalition"),
            "breadcrumbs": _crumbs(coalition, (_("Edit"), None)),
        },
    )


# --- members ------------------------------------------------------------------------------


def _invite_initial(request) -> dict:
    """A suggested partner's "Invite" link fills the form: ?state=ISO3 or ?organisation=id."""
    initial = {}
    state = request.GET.get("state", "")
    if state.isalpha() and len(state) == 3:
        initial["state"] = State.objects.filter(iso3=state.upper()).first()
    organisation = request.GET.get("organisation", "")
    if organisation.isdigit():
        initial["organisation"] = Organisation.objects.filter(pk=int(organisation)).first()
    return {key: value for key, value in initial.items() if value is not None}


@require_http_methods(["GET", "POST"])
def member_invite(request, pk: int):
    coalition, denied = _signed_in_workspace(request, pk, "coalitions.invite_member")
    if denied:
        return denied
    form = InviteForm(request.POST or None, initial=_invite_initial(request))
    if request.method == "POST" and form.is_valid():
        try:
            member = services.member_invite(
                coalition=coalition, user=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(party)s was invited.") % {"party": member.party})
            return redirect(f"{reverse('coalitions:detail', args=[coalition.pk])}#members")
    return _render_form(
        request,
        "simple_form.html",
        {
            "form": form,
            "coalition": coalition,
            "title": _("Invite a member"),
            "lead": _(
                "Invite a state or an organisation. Its focal points (for a state) or members "
                "(for an organisation) receive an e-mail and answer the invitation in icahub."
            ),
            "submit": _("Send the invitation"),
            "breadcrumbs": _crumbs(coalition, (_("Invite a member"), None)),
        },
    )


def _member(coalition: Coalition, member_pk: int) -> CoalitionMember:
    return get_object_or_404(CoalitionMember, coalition=coalition, pk=member_pk)


@require_http_methods(["GET", "POST"])
def member_role(request, pk: int, member_pk: int):
    coalition, denied = _signed_in_workspace(request, pk, "coalitions.change_coalition")
    if denied:
        return denied
    member = _member(coalition, member_pk)
    form = RoleForm(
        request.POST or None, initial={"role": member.role}, version=member.lock_version
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.member_change_role(
                member=member,
                role=form.cleaned_data["role"],
                expected_version=form.expected_version,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The role was changed."))
            return redirect(f"{reverse('coalitions:detail', args=[coalition.pk])}#members")
    return _render_form(
        request,
        "simple_form.html",
        {
            "form": form,
            "coalition": coalition,
            "title": _("Change the role of %(party)s") % {"party": member.party},
            "submit": _("Save the role"),
            "breadcrumbs": _crumbs(coalition, (_("Change a role"), None)),
        },
    )


def _service_conflict(request, error: ValidationError) -> None:
    for messages_list in getattr(error, "message_dict", {"": error.messages}).values():
        for message in messages_list:
            messages.error(request, message)


@require_POST
def member_remove(request, pk: int, member_pk: int):
    """The lead state or the ISU removes a member or withdraws an invitation; a member
    leaves (for its own membership)."""
    coalition, denied = _signed_in_workspace(request, pk)
    if denied:
        return denied
    member = _member(coalition, member_pk)
    own = speaks_for(request.user, member)
    if not (request.user.has_perm("coalitions.change_coalition", coalition) or own):
        raise PermissionDenied
    try:
        services.member_leave(member=member, expected_version=posted_version(request))
    except ValidationError as error:
        _service_conflict(request, error)
    else:
        if own and not request.user.is_isu and not is_lead_focal_point(request.user, coalition):
            messages.success(request, _("You left the coalition."))
            return redirect("coalitions:list")
        messages.success(request, _("%(party)s is no longer a member.") % {"party": member.party})
    return redirect(f"{reverse('coalitions:detail', args=[coalition.pk])}#members")


def _answer(request, member_pk: int, accept: bool):
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("coalitions:list"))
    member = selectors.invitation_get(user=request.user, pk=member_pk)
    if not request.user.has_perm("coalitions.answer_invitation", member):
        raise Http404
    try:
        if accept:
            services.invitation_accept(member=member)
        else:
            services.invitation_decline(member=member)
    except ValidationError as error:
        _service_conflict(request, error)
        return redirect("coalitions:list")
    if accept:
        messages.success(
            request, _("You joined the coalition %(name)s.") % {"name": member.coalition.name}
        )
        return redirect("coalitions:detail", pk=member.coalition_id)
    messages.success(
        request,
        _("You declined the invitation to %(name)s.") % {"name": member.coalition.name},
    )
    return redirect("coalitions:list")


@require_POST
def invitation_accept(request, member_pk: int):
    return _answer(request, member_pk, accept=True)


@require_POST
def invitation_decline(request, member_pk: int):
    return _answer(request, member_pk, accept=False)


# --- plan -----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def objective_form(request, pk: int, objective_pk: int | None = None):
    coalition, denied = _signed_in_workspace(request, pk, "coalitions.change_coalition")
    if denied:
        return denied
    objective = (
        get_object_or_404(Objective, coalition=coalition, pk=objective_pk) if objective_pk else None
    )
    initial = {}
    if objective is not None:
        initial = {
            "title": objective.title,
            "description": objective.description,
            "target_date": objective.target_date,
            "obligations": list(objective.obligations.all()),
            "needs": list(objective.needs.all()),
        }
    form = ObjectiveForm(
        request.POST or None,
        coalition=coalition,
        initial=initial,
        version=objective.lock_version if objective else None,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.objective_save(
                coalition=coalition,
                objective=objective,
                expected_version=form.expected_version,
                **form.cleaned_data,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The objective was saved."))
            return redirect(f"{reverse('coalitions:detail', args=[coalition.pk])}#plan")
    title = _("Edit the objective") if objective else _("Add an objective to the plan")
    return _render_form(
        request,
        "simple_form.html",
        {
            "form": form,
            "coalition": coalition,
            "title": title,
            "submit": _("Save the objective"),
            "breadcrumbs": _crumbs(coalition, (title, None)),
        },
    )


# --- meetings and action items --------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def meeting_form(request, pk: int, meeting_pk: int | None = None):
    coalition, denied = _signed_in_workspace(request, pk, "coalitions.run_meetings")
    if denied:
        return denied
    meeting = get_object_or_404(Meeting, coalition=coalition, pk=meeting_pk) if meeting_pk else None
    initial = (
        {name: getattr(meeting, name) for name in services.MEETING_EDITABLE} if meeting else {}
    )
    form = MeetingForm(
        request.POST or None, initial=initial, version=meeting.lock_version if meeting else None
    )
    if request.method == "POST" and form.is_valid():
        try:
            if meeting is None:
                meeting = services.meeting_create(
                    coalition=coalition, user=request.user, **form.cleaned_data
                )
            else:
                services.meeting_update(
                    meeting=meeting,
                    data=form.cleaned_data,
                    expected_version=form.expected_version,
                )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The meeting was saved."))
            return redirect("coalitions:meeting_detail", pk=coalition.pk, meeting_pk=meeting.pk)
    title = _("Edit the meeting") if meeting else _("Record a meeting")
    return _render_form(
        request,
        "simple_form.html",
        {
            "form": form,
            "coalition": coalition,
            "title": title,
            "submit": _("Save the meeting"),
            "breadcrumbs": _crumbs(coalition, (title, None)),
        },
    )


def _meeting_page(request, coalition, meeting, form=None):
    can_run = request.user.has_perm("coalitions.run_meetings", coalition)
    if can_run and form is None:
        form = ActionItemForm(members=selectors.active_members(coalition))
    return render(
        request,
        "coalitions/meeting_detail.html",
        {
            "nav": "coalitions",
            "coalition": coalition,
            "meeting": meeting,
            "items": list(
                meeting.action_items.select_related("owner__state", "owner__organisation")
            ),
            "form": form,
            "can_run_meetings": can_run,
            "history_entries": history_entries(meeting, *meeting.action_items.all())
            if request.user.has_perm("accounts.view_history")
            else [],
            "breadcrumbs": _crumbs(coalition, (meeting.title, None)),
        },
    )


def meeting_detail(request, pk: int, meeting_pk: int):
    coalition = selectors.workspace_get(user=request.user, pk=pk)
    meeting = get_object_or_404(Meeting, coalition=coalition, pk=meeting_pk)
    return _meeting_page(request, coalition, meeting)


@require_POST
def action_item_add(request, pk: int, meeting_pk: int):
    coalition, denied = _signed_in_workspace(request, pk, "coalitions.run_meetings")
    if denied:
        return denied
    meeting = get_object_or_404(Meeting, coalition=coalition, pk=meeting_pk)
    form = ActionItemForm(request.POST, members=selectors.active_members(coalition))
    if form.is_valid():
        try:
            services.action_item_create(meeting=meeting, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The action item was added."))
            return redirect(
                f"{reverse('coalitions:meeting_detail', args=[coalition.pk, meeting.pk])}#actions"
            )
    return _meeting_page(request, coalition, meeting, form)


@require_POST
def action_item_status(request, pk: int, item_pk: int):
    coalition, denied = _signed_in_workspace(request, pk, "coalitions.run_meetings")
    if denied:
        return denied
    item = get_object_or_404(ActionItem, meeting__coalition=coalition, pk=item_pk)
    try:
        services.action_item_set_status(
            item=item,
            status=request.POST.get("status", ""),
            expected_version=posted_version(request),
        )
    except ValidationError as error:
        _service_conflict(request, error)
    else:
        messages.success(request, _("The action item was updated."))
    return redirect(
        f"{reverse('coalitions:meeting_detail', args=[coalition.pk, item.meeting_id])}#actions"
    )


def _action_export(items) -> tuple[list, list]:
    headers = [
        _("Id"),
        _("Meeting"),
        _("Meeting date"),
        _("Action"),
        _("Owner"),
        _("Due date"),
        _("Status"),
    ]
    rows = [
        [
            item.pk,
            item.meeting.title,
            item.meeting.starts_at.date(),
            item.text,
            str(item.owner.party),
            item.due_date,
            item.get_status_display(),
        ]
        for item in items
    ]
    return headers, rows


def action_item_list(request, pk: int):
    coalition = selectors.workspace_get(user=request.user, pk=pk)
    items = selectors.action_items(coalition)
    download = request.GET.get("format")
    if download in {"csv", "xlsx"}:
        headers, rows = _action_export(items)
        name = f"icahub-coalition-{coalition.pk}-action-items-{today().isoformat()}"
        if download == "csv":
            return csv_response(name, headers, rows)
        return xlsx_response(name, _("Action items"), headers, rows)
    return render(
        request,
        "coalitions/action_item_list.html",
        {
            "nav": "coalitions",
            "coalition": coalition,
            "items": items,
            "today": today(),
            "breadcrumbs": _crumbs(coalition, (_("Action items"), None)),
        },
    )


# --- documents ------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def document_upload(request, pk: int):
    coalition, denied = _signed_in_workspace(request, pk, "coalitions.run_meetings")
    if denied:
        return denied
    form = DocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            document = services.document_upload(
                coalition=coalition, user=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("The file %(name)s was added.") % {"name": document.original_name}
            )
            return redirect(f"{reverse('coalitions:detail', args=[coalition.pk])}#documents")
    return _render_form(
        request,
        "simple_form.html",
        {
            "form": form,
            "coalition": coalition,
            "multipart": True,
            "title": _("Add a document"),
            "lead": _("Documents are private to the coalition: its members and the ISU."),
            "submit": _("Add the document"),
            "breadcrumbs": _crumbs(coalition, (_("Add a document"), None)),
        },
    )


def document_download(request, pk: int, document_pk: int):
    coalition = selectors.workspace_get(user=request.user, pk=pk)
    document = get_object_or_404(Document, coalition=coalition, pk=document_pk)
    try:
        stream = document.file.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    response = FileResponse(
        stream,
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type,
    )
    response["Cache-Control"] = "private, no-store"
    return response


# --- commitments ----------------------------------------------------------------------------


def _committable_members(user, coalition: Coalition):
    members = selectors.active_members(coalition).exclude(role="observer")
    return members.filter(pk__in=[m.pk for m in members if can_commit_for(user, m)])


def _plan_needs(coalition: Coalition):
    return Need.objects.filter(objectives__coalition=coalition).distinct().order_by("title", "pk")


@require_http_methods(["GET", "POST"])
def commitment_form(request, pk: int, commitment_pk: int | None = None):
    coalition, denied = _signed_in_workspace(request, pk, "coalitions.add_commitment")
    if denied:
        return denied
    commitment = None
    initial = {"value_date": today()}
    if commitment_pk:
        commitment = get_object_or_404(Commitment, coalition=coalition, pk=commitment_pk)
        if not request.user.has_perm("coalitions.commit_for_member", commitment.member):
            raise PermissionDenied
        initial = {name: getattr(commitment, name) for name in services.COMMITMENT_EDITABLE}
    form = CommitmentForm(
        request.POST or None,
        members=_committable_members(request.user, coalition),
        needs=_plan_needs(coalition),
        editing=commitment is not None,
        initial=initial,
        version=commitment.lock_version if commitment else None,
    )
    if request.method == "POST" and form.is_valid():
        values = dict(form.cleaned_data)
        try:
            if commitment is None:
                commitment = services.commitment_create(
                    coalition=coalition, user=request.user, **values
                )
            else:
                services.commitment_update(
                    commitment=commitment, data=values, expected_version=form.expected_version
                )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The commitment was saved."))
            return redirect(f"{reverse('coalitions:detail', args=[coalition.pk])}#commitments")
    title = _("Edit the commitment") if commitment else _("Record a commitment")
    return _render_form(
        request,
        "simple_form.html",
        {
            "form": form,
            "coalition": coalition,
            "title": title,
            "lead": _("A commitment is made towards one need linked to the plan."),
            "submit": _("Save the commitment"),
            "breadcrumbs": _crumbs(coalition, (title, None)),
        },
    )


# --- gap view -------------------------------------------------------------------------------


def gap_labels() -> dict[str, str]:
    return {"unallocated": _("Not tied to a need of the plan"), "total": _("Whole plan")}


def _gap_export(result: gap_module.Gap) -> tuple[list, list]:
    headers = [
        _("Line"),
        _("Kind"),
        _("Budget required (USD)"),
        _("Committed (USD)"),
        _("Disbursed (USD)"),
        _("Pledged, not counted (USD)"),
        _("Gap (USD)"),
        _("Amounts without exchange rate"),
    ]
    rows = []
    for kind, lines in (
        (_("Need"), result.needs),
        (_("Objective"), result.objectives),
        (_("Other"), [result.unallocated, result.total]),
    ):
        for line in lines:
            rows.append(
                [
                    line.label,
                    kind,
                    line.required,
                    line.committed,
                    line.disbursed,
                    line.pledged,
                    line.gap,
                    line.unvalued,
                ]
            )
    return headers, rows


CHART_ROW = 64


def gap_view(request, pk: int):
    coalition = selectors.workspace_get(user=request.user, pk=pk)
    result = selectors.coalition_gap(coalition, labels=gap_labels())
    download = request.GET.get("format")
    if download in {"csv", "xlsx"}:
        headers, rows = _gap_export(result)
        name = f"icahub-coalition-{coalition.pk}-gap-{today().isoformat()}"
        if download == "csv":
            return csv_response(name, headers, rows)
        return xlsx_response(name, _("Gap"), headers, rows)
    timelines = selectors.timelines(coalition)
    for timeline in timelines:
        values = [value for _, value, _, _ in timeline["points"]]
        largest = max(values, default=0)
        timeline["bars"] = [
            {
                "y": 10 + index * 30,
                "year": year,
                "value": value,
                "width": max(int(value * 300 / largest), 1) if largest and value else 0,
            }
            for index, (_, value, year, _) in enumerate(timeline["points"])
        ]
        timeline["chart_height"] = len(timeline["bars"]) * 30 + 20
    need_bars = gap_module.chart_bars(result.needs, row_height=CHART_ROW)
    objective_bars = gap_module.chart_bars(result.objectives, row_height=CHART_ROW)
    return render(
        request,
        "coalitions/gap.html",
        {
            "nav": "coalitions",
            "coalition": coalition,
            "gap": result,
            "totals_lines": [result.unallocated, result.total],
            "need_bars": need_bars,
            "need_chart_height": len(need_bars) * CHART_ROW + 20,
            "objective_bars": objective_bars,
            "objective_chart_height": len(objective_bars) * CHART_ROW + 20,
            "timelines": timelines,
            "breadcrumbs": _crumbs(coalition, (_("Gap view"), None)),
        },
    )
