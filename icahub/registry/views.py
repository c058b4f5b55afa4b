from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from icahub.assistance.selectors import need_list
from icahub.obligations import rules
from icahub.obligations.selectors import obligation_list
from icahub.registry import selectors, services
from icahub.registry.forms import (
    ContactForm,
    OrganisationEditForm,
    StateEditForm,
    StateFilterForm,
)
from icahub.registry.models import Organisation
from icahub.versioning import ConcurrentEditError, page_status
from icahub.web.history import history_entries
from icahub.web.views_support import denied_unless, querystring_without_page, today

PAGE_SIZE = 50

# Articles shown on a state profile, in the order of the ISU's country profiles.
PROFILE_ARTICLES = {"CCM": ["3", "4", "5", "6", "7", "9"], "APMBC": ["4", "5", "6", "7", "9"]}


def state_list(request):
    form = StateFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    sort = filters.get("sort") or "name"
    on = filters.get("on") or today()
    states = selectors.state_list(
        on=on,
        convention=filters.get("convention") or None,
        status=filters.get("status") or None,
        region=filters.get("region") or None,
        query=filters.get("q") or None,
        sort=sort,
    )
    page = Paginator(states, PAGE_SIZE).get_page(request.GET.get("page"))
    sort_links = {}
    for key in ("name", "iso3", "region"):
        params = request.GET.copy()
        params.pop("page", None)
        params["sort"] = f"-{key}" if sort == key else key
        sort_links[key] = {
            "query": params.urlencode(),
            "state": "ascending" if sort == key else "descending" if sort == f"-{key}" else "none",
        }
    return render(
        request,
        "registry/state_list.html#results" if request.htmx else "registry/state_list.html",
        {
            "nav": "states",
            "form": form,
            "on": on,
            "page_obj": page,
            "states": page.object_list,
            "sort_links": sort_links,
            "querystring_without_page": querystring_without_page(request),
            "breadcrumbs": [(_("States"), None)],
        },
    )


def _profile_sections(state, memberships, obligations):
    """Group what is known about a state per convention and article."""
    sections = []
    by_key = {(o.convention.code, o.kind): o for o in obligations}
    for membership in memberships:
        code = membership.convention.code
        articles = {a.number: a for a in membership.convention.articles.all()}
        eif = membership.entry_into_force
        items = []
        for number in PROFILE_ARTICLES.get(code, []):
            article = articles.get(number)
            if article is None:
                continue
            obligation = by_key.get((code, article.obligation_kind))
            item = {"article": article, "obligation": obligation}
            if number == "7" and eif:
                item["initial_report_due"] = rules.initial_report_due(eif)
                item["next_annual_report_due"] = rules.annual_report_due(today().year - 1)
                if item["next_annual_report_due"] < today():
                    item["next_annual_report_due"] = rules.annual_report_due(today().year)
            items.append(item)
        sections.append({"membership": membership, "articles": items})
    return sections


def state_detail(request, iso3: str):
    state = selectors.state_get(iso3)
    memberships = sorted(state.memberships.all(), key=lambda m: m.convention.code)
    obligations = list(obligation_list(on=today(), state=state.iso3))
    needs = list(need_list(user=request.user, state=state.iso3).select_related("convention"))
    return render(
        request,
        "registry/state_detail.html",
        {
            "nav": "states",
            "on": today(),
            "state": state,
            "memberships": memberships,
            "sections": _profile_sections(
                state,
                [m for m in memberships],
                obligations,
            ),
            "obligations": obligations,
            "needs": needs,
            "contacts": state.contacts.all(),
            "organisations": state.organisations.all(),
            "can_edit": request.user.has_perm("registry.change_state", state),
            "history_entries": history_entries(state, *memberships, *state.contacts.all())
            if request.user.has_perm("accounts.view_history")
            else [],
            "breadcrumbs": [(_("States"), reverse("registry:state_list")), (state.name, None)],
        },
    )


@require_http_methods(["GET", "POST"])
def state_edit(request, iso3: str):
    state = selectors.state_get(iso3)
    if denied := denied_unless(request, "registry.change_state", state):
        return denied
    form = StateEditForm(request.POST or None, instance=state)
    contact_form = ContactForm(prefix="contact")
    if request.method == "POST" and form.is_valid():
        try:
            services.state_update(
                state=state, data=form.cleaned_data, expected_version=form.expected_version
            )
        except ConcurrentEditError as error:
            form.add_concurrent_edit_error(error)
        else:
            messages.success(
                request, _("The details of %(state)s were saved.") % {"state": state.name}
            )
            return redirect("registry:state_detail", iso3=state.iso3)
    return render(
        request,
        "registry/state_edit.html",
        {
            "nav": "states",
            "state": state,
            "form": form,
            "contact_form": contact_form,
            "breadcrumbs": [
                (_("States"), reverse("registry:state_list")),
                (state.name, reverse("registry:state_detail", args=[state.iso3])),
                (_("Edit"), None),
            ],
        },
        status=page_status(form),
    )


@require_http_methods(["GET", "POST"])
def state_contact_add(request, iso3: str):
    state = selectors.state_get(iso3)
    if denied := denied_unless(request, "registry.add_contact", state):
        return denied
    form = ContactForm(request.POST or None, prefix="contact")
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            services.contact_create(state=state, **form.cleaned_data)
        messages.success(request, _("The contact was added."))
        return redirect("registry:state_detail", iso3=state.iso3)
    return render(
        request,
        "registry/contact_form.html",
        {
            "nav": "states",
            "state": state,
            "form": form,
            "breadcrumbs": [
                (_("States"), reverse("registry:state_list")),
                (state.name, reverse("registry:state_detail", args=[state.iso3])),
                (_("Add a contact"), None),
            ],
        },
    )


def organisation_list(request):
    organisations = Organisation.objects.select_related("country").order_by("name")
    return render(
        request,
        "registry/organisation_list.html",
        {
            "nav": "organisations",
            "organisations": organisations,
            "breadcrumbs": [(_("Organisations"), None)],
        },
    )


def organisation_detail(request, pk: int):
    organisation = get_object_or_404(Organisation.objects.select_related("country"), pk=pk)
    return render(
        request,
        "registry/organisation_detail.html",
        {
            "nav": "organisations",
            "organisation": organisation,
            "contacts": organisation.contacts.all(),
            "can_edit": request.user.has_perm("registry.change_organisation", organisation),
            "history_entries": history_entries(organisation, *organisation.contacts.all())
            if request.user.has_perm("accounts.view_history")
            else [],
            "breadcrumbs": [
                (_("Organisations"), reverse("registry:organisation_list")),
                (organisation.name, None),
            ],
        },
    )


def convention_list(request):
    return render(
        request,
        "registry/convention_list.html",
        {
            "nav": "conventions",
            "rows": selectors.convention_counts(on=today()),
            "breadcrumbs": [(_("Conventions"), None)],
        },
    )


@require_http_methods(["GET", "POST"])
def organisation_edit(request, pk: int):
    organisation = get_object_or_404(Organisation, pk=pk)
    if denied := denied_unless(request, "registry.change_organisation", organisation):
        return denied
    form = OrganisationEditForm(request.POST or None, instance=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            services.organisation_update(
                organisation=organisation,
                data=form.cleaned_data,
                expected_version=form.expected_version,
            )
        except ConcurrentEditError as error:
            form.add_concurrent_edit_error(error)
        else:
            messages.success(request, _("The organisation was saved."))
            return redirect("registry:organisation_detail", pk=organisation.pk)
    return render(
        request,
        "registry/organisation_edit.html",
        {
            "nav": "organisations",
            "organisation": organisation,
            "form": form,
            "breadcrumbs": [
                (_("Organisations"), reverse("registry:organisation_list")),
                (organisation.name, reverse("registry:organisation_detail", args=[pk])),
                (_("Edit"), None),
            ],
        },
        status=page_status(form),
    )
