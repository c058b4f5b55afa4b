"""Relay pages: relay a need, the relay's page, objection, answers, follow-ups, "My
relays", the ISU's list and the annual "matches made" report.

Pages show the *effective* status (``Relay.effective_status``): a relay whose objection
period is over reads "being sent" even before the daily run has sent it.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from icahub.assistance import selectors as need_selectors
from icahub.interchange.tables import xlsx_response
from icahub.relays import selectors, services
from icahub.relays.forms import AnswerForm, FollowUpForm, ObjectionForm, RelayForm, ReportYearForm
from icahub.relays.models import RelayStatus
from icahub.relays.permissions import speaks_for
from icahub.web.views_support import add_service_errors, denied_unless, today

PAGE_SIZE = 50


def _sign_in_first(request):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return None


def decorate(relay, user, on=None):
    """Attach what the templates show: the effective status, and the recipients and
    follow-ups this user may see (all of them, or their own only)."""
    on = on or today()
    relay.effective = relay.effective_status(on)
    relay.effective_label = relay.effective_status_label(on)
    relay.all_answers = user.has_perm("relays.view_all_answers", relay)
    relay.visible_recipients = [
        r for r in relay.recipients.all() if relay.all_answers or speaks_for(user, r)
    ]
    shown = {r.pk for r in relay.visible_recipients}
    relay.visible_follow_ups = [
        f for f in relay.follow_ups.all() if relay.all_answers or f.recipient_id in shown
    ]
    for recipient in relay.visible_recipients:
        recipient.can_answer = user.has_perm("relays.answer_relay", recipient)
    for follow_up in relay.visible_follow_ups:
        follow_up.can_answer = user.has_perm("relays.answer_follow_up", follow_up)
    return relay


def _crumbs(request, *extra):
    if request.user.has_perm("relays.view_list"):
        first = (_("Relays"), reverse("relays:list"))
    else:
        first = (_("My relays"), reverse("relays:mine"))
    return [first, *extra]


# --- lists ---------------------------------------------------------------------------------


def relay_list(request):
    if denied := denied_unless(request, "relays.view_list"):
        return denied
    status = request.GET.get("status") or None
    if status not in RelayStatus.values:
        status = None
    relays = selectors.relay_list(user=request.user, status=status)
    page = Paginator(relays, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "relays/relay_list.html",
        {
            "nav": "relays",
            "page_obj": page,
            "relays": [decorate(r, request.user) for r in page.object_list],
            "status": status or "",
            "statuses": RelayStatus.choices,
            "querystring_without_page": f"status={status}&" if status else "",
            "breadcrumbs": [(_("Relays"), None)],
        },
    )


def my_relays(request):
    if denied := _sign_in_first(request):
        return denied
    user = request.user
    recipients = list(selectors.my_recipients(user=user))
    for recipient in recipients:
        recipient.effective_label = recipient.relay.effective_status_label(today())
        recipient.can_answer = user.has_perm("relays.answer_relay", recipient)
    own_state = [decorate(r, user) for r in selectors.requesting_state_relays(user=user)]
    follow_ups = selectors.my_follow_ups(user=user)
    for follow_up in follow_ups:
        follow_up.can_answer = user.has_perm("relays.answer_follow_up", follow_up)
    return render(
        request,
        "relays/my_relays.html",
        {
            "nav": "relays",
            "recipients": recipients,
            "own_state_relays": own_state,
            "follow_ups": follow_ups,
            "breadcrumbs": [(_("My relays"), None)],
        },
    )


# --- relay a need -------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def relay_create(request, need_pk: int):
    if denied := _sign_in_first(request):
        return denied
    need = need_selectors.need_get(user=request.user, pk=need_pk)
    if denied := denied_unless(request, "relays.add_relay", need):
        return denied
    form = RelayForm(request.POST if request.method == "POST" else None, need=need)
    searching = request.method == "POST" and request.POST.get("action") == "search"
    if request.method == "POST" and not searching and form.is_valid():
        try:
            relay = services.relay_create(
                need=need,
                partners=form.partners(),
                note=form.cleaned_data["note"],
                user=request.user,
            )
        except ValidationError as error:
            if hasattr(error, "error_dict") and "partners" in error.error_dict:
                error = ValidationError(
                    {"states" if k == "partners" else k: v for k, v in error.error_dict.items()}
                )
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _(
                    "The relay was recorded. The requesting state may object until %(date)s; "
                    "then the partners receive it."
                )
                % {"date": relay.objection_deadline.strftime("%Y-%m-%d")},
            )
            return redirect("relays:detail", pk=relay.pk)
    return render(
        request,
        "relays/relay_form.html",
        {
            "nav": "relays",
            "need": need,
            "form": form,
            "searching": searching,
            "breadcrumbs": [
                (_("Needs for assistance"), reverse("assistance:need_list")),
                (need.title, reverse("assistance:need_detail", args=[need.pk])),
                (_("Relay this need"), None),
            ],
        },
    )


# --- one relay ---------------------------------------------------------------------------


def relay_detail(request, pk: int):
    if denied := _sign_in_first(request):
        return denied
    relay = decorate(selectors.relay_get(user=request.user, pk=pk), request.user)
    user = request.user
    return render(
        request,
        "relays/relay_detail.html",
        {
            "nav": "relays",
            "relay": relay,
            "need": relay.need,
            "need_visible": user.has_perm("assistance.view_need", relay.need),
            "can_object": user.has_perm("relays.object_relay", relay)
            and relay.effective == RelayStatus.AWAITING_OBJECTION,
            "can_cancel": user.has_perm("relays.cancel_relay", relay)
            and relay.status == RelayStatus.AWAITING_OBJECTION,
            "breadcrumbs": _crumbs(request, (relay.need.title, None)),
        },
    )


@require_http_methods(["GET", "POST"])
def relay_objection(request, pk: int):
    if denied := _sign_in_first(request):
        return denied
    relay = selectors.relay_get(user=request.user, pk=pk)
    if denied := denied_unless(request, "relays.object_relay", relay):
        return denied
    form = ObjectionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.relay_object(
                relay=relay, user=request.user, reason=form.cleaned_data["objection_reason"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your objection was recorded: the relay is not sent."))
            return redirect("relays:detail", pk=relay.pk)
    return render(
        request,
        "relays/objection_form.html",
        {
            "nav": "relays",
            "relay": decorate(relay, request.user),
            "form": form,
            "breadcrumbs": _crumbs(
                request,
                (relay.need.title, reverse("relays:detail", args=[relay.pk])),
                (_("Object"), None),
            ),
        },
    )


@require_POST
def relay_cancel(request, pk: int):
    if denied := _sign_in_first(request):
        return denied
    relay = selectors.relay_get(user=request.user, pk=pk)
    if denied := denied_unless(request, "relays.cancel_relay", relay):
        return denied
    try:
        services.relay_cancel(relay=relay, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The relay was cancelled."))
    return redirect("relays:detail", pk=relay.pk)


@require_http_methods(["GET", "POST"])
def recipient_answer(request, pk: int):
    if denied := _sign_in_first(request):
        return denied
    recipient = selectors.recipient_get(user=request.user, pk=pk)
    relay = recipient.relay
    if not request.user.has_perm("relays.answer_relay", recipient):
        raise PermissionDenied
    initial = {
        "answer": recipient.answer if recipient.answer != "none" else None,
        "comment": recipient.comment,
        "pledge_amount": recipient.pledge_amount,
        "pledge_currency": recipient.pledge_currency,
    }
    form = AnswerForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        values = form.cleaned_data
        try:
            services.relay_answer(
                recipient=recipient,
                user=request.user,
                answer=values["answer"],
                comment=values["comment"],
                amount=values["pledge_amount"],
                currency=values["pledge_currency"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your answer was recorded."))
            return redirect("relays:detail", pk=relay.pk)
    return render(
        request,
        "relays/answer_form.html",
        {
            "nav": "relays",
            "recipient": recipient,
            "relay": relay,
            "need": relay.need,
            "form": form,
            "breadcrumbs": _crumbs(
                request,
                (relay.need.title, reverse("relays:detail", args=[relay.pk])),
                (_("Answer"), None),
            ),
        },
    )


@require_http_methods(["GET", "POST"])
def follow_up_answer(request, pk: int):
    if denied := _sign_in_first(request):
        return denied
    follow_up = selectors.follow_up_get(user=request.user, pk=pk)
    if denied := denied_unless(request, "relays.answer_follow_up", follow_up):
        return denied
    initial = {"answer": follow_up.answer or None, "comment": follow_up.comment}
    form = FollowUpForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.follow_up_answer(follow_up=follow_up, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Thank you: your answer was recorded."))
            return redirect("relays:detail", pk=follow_up.relay_id)
    relay = follow_up.relay
    return render(
        request,
        "relays/follow_up_form.html",
        {
            "nav": "relays",
            "follow_up": follow_up,
            "relay": relay,
            "form": form,
            "breadcrumbs": _crumbs(
                request,
                (relay.need.title, reverse("relays:detail", args=[relay.pk])),
                (_("Follow-up"), None),
            ),
        },
    )


# --- the annual report ---------------------------------------------------------------------


def _measure_labels() -> list[tuple[str, str]]:
    labels = {
        "requests": _("Requests (needs recorded)"),
        "offers": _("Offers recorded"),
        "relays_created": _("Relays made"),
        "relays_objected": _("Relays objected to"),
        "relays_sent": _("Relays sent"),
        "matches": _("Matches (interested or pledged)"),
        "pledged_usd": _("Pledged (USD)"),
        "pledges_unvalued": _("Pledges without an exchange rate"),
        "fully": _("Follow-ups: fully met"),
        "partly": _("Follow-ups: partly met"),
        "not_met": _("Follow-ups: not met"),
        "unanswered": _("Follow-ups: not answered yet"),
    }
    return [(key, labels[key]) for key in selectors.REPORT_MEASURES]


def _chart(rows: list[dict]) -> tuple[list[dict], int]:
    """Two bars per area (relays sent, matches), scaled to the largest value."""
    largest = max([1, *(max(r["relays_sent"], r["matches"]) for r in rows)])
    bars, y = [], 10
    for row in rows:
        entry = {"label": row["label"], "y": y, "series": []}
        for offset, key, css in ((0, "relays_sent", "bar"), (24, "matches", "bar bar-alt")):
            entry["series"].append(
                {
                    "y": y + offset,
                    "value": row[key],
                    "width": round(260 * row[key] / largest),
                    "css": css,
                    "key": key,
                }
            )
        bars.append(entry)
        y += 60
    return bars, y + 10


def matches_report(request):
    form = ReportYearForm(request.GET or {"year": today().year})
    year = form.cleaned_data["year"] if form.is_valid() else today().year
    report = selectors.matches_report(year=year)
    labels = _measure_labels()
    if request.GET.get("format") == "xlsx":

        def cells(row: dict) -> list:
            # Amounts as numbers, so that the spreadsheet can add them up.
            return [
                float(row[k]) if isinstance(row[k], Decimal) else row[k] for k, _label in labels
            ]

        headers = [_("Breakdown"), _("Code"), _("Name"), *(label for _key, label in labels)]
        rows = [[_("Total"), "", str(year), *cells(report["total"])]]
        rows += [[_("Area"), r["code"], r["label"], *cells(r)] for r in report["by_area"]]
        rows += [
            [_("Region"), r["code"], r["label"] or _("Unknown"), *cells(r)]
            for r in report["by_region"]
        ]
        return xlsx_response(
            f"icahub-matches-made-{year}",
            _("Matches made %(year)s") % {"year": year},
            headers,
            rows,
        )
    bars, chart_height = _chart(report["by_area"])
    return render(
        request,
        "relays/report.html",
        {
            "nav": "relays",
            "form": form,
            "year": year,
            "report": report,
            "labels": labels,
            "years": selectors.report_years(),
            "bars": bars,
            "chart_height": chart_height,
            "breadcrumbs": [(_("Matches made"), None)],
        },
    )
