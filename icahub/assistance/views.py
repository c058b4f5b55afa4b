"""Pages for needs (requests for assistance) and offers of assistance.

Every read goes through the selectors with the user (``need_list``/``need_get``,
``offer_list``/``offer_get``), so a record the user may not see is left out of lists and
downloads and answers 404 on its own pages. Every write goes through the services, whose
validation errors come back beside the field they name.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from icahub.assistance import matching, selectors, services
from icahub.assistance.forms import (
    VISIBILITY_LABELS,
    EvidenceForm,
    NeedFilterForm,
    NeedForm,
    NeedTranslationForm,
    OfferFilterForm,
    OfferForm,
)
from icahub.assistance.models import (
    AREA_LABELS,
    LANGUAGE_CHOICES,
    MODALITY_LABELS,
    Need,
    NeedEvidence,
    Offer,
)
from icahub.assistance.permissions import ORGANISATION_OFFER_ROLES, STATE_OFFER_ROLES
from icahub.interchange import uploads
from icahub.interchange.tables import csv_response, xlsx_response
from icahub.registry.models import State
from icahub.registry.regions import region_name
from icahub.reports.selectors import report_versions_visible
from icahub.versioning import page_status
from icahub.web.history import history_entries
from icahub.web.views_support import (
    add_service_errors,
    denied_unless,
    querystring_without_page,
    today,
)

PAGE_SIZE = 50
LANGUAGE_LABELS = dict(LANGUAGE_CHOICES)
FILE_TYPE_LABELS = {file_type.content_type: file_type.label for file_type in uploads.DOCUMENT_TYPES}


def _filters(form) -> dict:
    """The filters the user gave and that are valid; an invalid one is shown with its error
    and left out."""
    if not form.is_bound:
        return {}
    form.is_valid()
    return {name: value for name, value in form.cleaned_data.items() if value}


def _sign_in_first(request):
    """Pages that change records ask an anonymous visitor to sign in before anything else
    (whether the record exists is not disclosed)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return None


def _list_page(request, rows):
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return page, querystring_without_page(request)


def _label(labels: dict, code: str) -> str:
    return str(labels.get(code, code))


# --- needs ---------------------------------------------------------------------------------


def _evidence(need: Need) -> list[NeedEvidence]:
    files = list(need.evidence.all())
    for file in files:
        file.type_label = FILE_TYPE_LABELS.get(file.content_type, file.content_type)
    return files


def _decorate_need(need: Need) -> Need:
    need.visibility_label = VISIBILITY_LABELS.get(need.visibility, need.visibility)
    return need


def _need_export(needs) -> tuple[list, list]:
    headers = [
        _("Id"),
        _("State"),
        _("ISO code"),
        _("Convention"),
        _("Area"),
        _("Modality"),
        _("Title"),
        _("Description"),
        _("Language"),
        _("Translations"),
        _("Area (m²)"),
        _("Stockpiled munitions"),
        _("Survivors to reach"),
        _("Budget required"),
        _("Budget secured"),
        _("Budget gap"),
        _("Currency"),
        _("Value date"),
        _("Period from"),
        _("Period to"),
        _("Linked obligation"),
        _("Deadline"),
        _("Visibility"),
        _("Status"),
        _("Source report"),
        _("Source report version"),
    ]
    rows = []
    for need in needs:
        version = need.source_report_version
        rows.append(
            [
                need.pk,
                need.state.name,
                need.state.iso3,
                need.convention.code,
                need.get_area_display(),
                need.get_modality_display(),
                need.title,
                need.description,
                need.get_language_display(),
                ", ".join(t.language for t in need.translations.all()),
                need.area_m2,
                need.stockpiled_munitions,
                need.survivors_to_reach,
                need.budget_required,
                need.budget_secured,
                need.budget_gap,
                need.currency,
                need.value_date,
                need.period_start,
                need.period_end,
                need.obligation.get_kind_display() if need.obligation_id else "",
                need.deadline,
                VISIBILITY_LABELS.get(need.visibility, need.visibility),
                need.get_status_display(),
                version.report_id if version else None,
                version.number if version else None,
            ]
        )
    return headers, rows


def need_list(request):
    form = NeedFilterForm(request.GET or None)
    needs = selectors.need_list(user=request.user, **_filters(form))
    download = request.GET.get("format")
    if download in {"csv", "xlsx"}:
        headers, rows = _need_export(needs)
        name = f"icahub-needs-{today().isoformat()}"
        if download == "csv":
            return csv_response(name, headers, rows)
        return xlsx_response(name, _("Needs"), headers, rows)
    page, query = _list_page(request, needs)
    return render(
        request,
        "assistance/need_list.html#results" if request.htmx else "assistance/need_list.html",
        {
            "nav": "needs",
            "form": form,
            "page_obj": page,
            "needs": [_decorate_need(need) for need in page.object_list],
            "querystring_without_page": query,
            "can_add": request.user.is_authenticated
            and request.user.has_perm("assistance.add_need", Need(state_id=request.user.state_id)),
            "breadcrumbs": [(_("Needs for assistance"), None)],
        },
    )


def _need_crumbs(need: Need, *extra):
    return [
        (_("Needs for assistance"), reverse("assistance:need_list")),
        (need.title, reverse("assistance:need_detail", args=[need.pk]) if extra else None),
        *extra,
    ]


def _source_report(request, need: Need) -> dict | None:
    """The Article 7 report the need came from, linked when the user may read that version."""
    version = need.source_report_version
    if version is None:
        return None
    report = version.report
    return {
        "report": report,
        "version": version,
        "visible": report_versions_visible(request.user, report).filter(pk=version.pk).exists(),
    }


def _matches_context(lines: list[dict], *, title, empty) -> dict:
    return {
        "matches": lines,
        "matches_title": title,
        "matches_empty": empty,
        "weights_url": reverse("assistance:matching_weights"),
    }


def need_detail(request, pk: int):
    need = _decorate_need(selectors.need_get(user=request.user, pk=pk))
    translations = list(need.translations.all())
    evidence = _evidence(need)
    return render(
        request,
        "assistance/need_detail.html",
        {
            "nav": "needs",
            "need": need,
            "translations": translations,
            "evidence": evidence,
            "source": _source_report(request, need),
            "can_edit": request.user.has_perm("assistance.change_need", need),
            "history_entries": history_entries(need, *translations, *evidence)
            if request.user.has_perm("accounts.view_history")
            else [],
            "breadcrumbs": _need_crumbs(need),
            **_matches_context(
                matching.need_matches(user=request.user, need=need),
                title=_("Offers and potential partners that fit this need"),
                empty=_(
                    "No open offer or potential partner fits this need yet, or the matches are "
                    "still being computed."
                ),
            ),
        },
    )


@require_http_methods(["GET", "POST"])
def need_create(request):
    user = request.user
    if denied := denied_unless(
        request, "assistance.add_need", Need(state_id=getattr(user, "state_id", None))
    ):
        return denied
    form = NeedForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        values = dict(form.cleaned_data)
        if denied := denied_unless(request, "assistance.add_need", Need(state=values["state"])):
            return denied
        try:
            need = services.need_create(**values, user=user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The need was recorded."))
            return redirect("assistance:need_detail", pk=need.pk)
    return render(
        request,
        "assistance/need_form.html",
        {
            "nav": "needs",
            "form": form,
            "title": _("Record a need for assistance"),
            "breadcrumbs": [
                (_("Needs for assistance"), reverse("assistance:need_list")),
                (_("Record a need"), None),
            ],
        },
    )


def _editable_need(request, pk: int):
    """The need and None, or None and the answer refusing the user."""
    if denied := _sign_in_first(request):
        return None, denied
    need = selectors.need_get(user=request.user, pk=pk)
    if denied := denied_unless(request, "assistance.change_need", need):
        return None, denied
    return need, None


def _need_initial(need: Need) -> dict:
    return {name: getattr(need, name) for name in services.NEED_EDITABLE}


def _render_need_edit(request, need: Need, form, evidence_form):
    return render(
        request,
        "assistance/need_form.html",
        {
            "nav": "needs",
            "need": need,
            "form": form,
            "evidence_form": evidence_form,
            "evidence": _evidence(need),
            "title": _("Edit the need"),
            "breadcrumbs": _need_crumbs(need, (_("Edit"), None)),
        },
        status=page_status(form),
    )


@require_http_methods(["GET", "POST"])
def need_edit(request, pk: int):
    need, denied = _editable_need(request, pk)
    if denied:
        return denied
    form = NeedForm(
        request.POST or None,
        user=request.user,
        need=need,
        initial=_need_initial(need),
        version=need.lock_version,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.need_update(
                need=need, data=form.cleaned_data, expected_version=form.expected_version
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The need was saved."))
            return redirect("assistance:need_detail", pk=need.pk)
    return _render_need_edit(request, need, form, EvidenceForm())


@require_POST
def need_evidence_add(request, pk: int):
    need, denied = _editable_need(request, pk)
    if denied:
        return denied
    evidence_form = EvidenceForm(request.POST, request.FILES)
    if evidence_form.is_valid():
        try:
            evidence = services.need_attach_evidence(
                need=need, file=evidence_form.cleaned_data["file"], user=request.user
            )
        except ValidationError as error:
            add_service_errors(evidence_form, error)
        else:
            messages.success(
                request, _("The file %(name)s was attached.") % {"name": evidence.original_name}
            )
            return redirect(f"{reverse('assistance:need_edit', args=[need.pk])}#evidence")
    form = NeedForm(
        user=request.user, need=need, initial=_need_initial(need), version=need.lock_version
    )
    return _render_need_edit(request, need, form, evidence_form)


def need_evidence_download(request, pk: int, evidence_pk: int):
    need = selectors.need_get(user=request.user, pk=pk)
    evidence = get_object_or_404(NeedEvidence, need=need, pk=evidence_pk)
    try:
        stream = evidence.file.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    return FileResponse(
        stream,
        as_attachment=True,
        filename=evidence.original_name,
        content_type=evidence.content_type,
    )


@require_http_methods(["GET", "POST"])
def need_translation_create(request, pk: int):
    need, denied = _editable_need(request, pk)
    if denied:
        return denied
    # ?language=fr opens the French translation to change it (with its version); a posted
    # form names the version it showed, or none when it adds a language.
    existing = None
    if request.method == "GET" and request.GET.get("language"):
        existing = need.translations.filter(language=request.GET["language"]).first()
    if existing is not None:
        form = NeedTranslationForm(
            need=need,
            initial={
                "language": existing.language,
                "title": existing.title,
                "description": existing.description,
            },
            version=existing.lock_version,
        )
    else:
        form = NeedTranslationForm(request.POST or None, need=need)
    if request.method == "POST" and form.is_valid():
        expected = form.expected_version
        try:
            services.need_add_translation(
                need=need,
                expected_version=services.NEW_TRANSLATION if expected is None else expected,
                **form.cleaned_data,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The translation was saved."))
            return redirect("assistance:need_detail", pk=need.pk)
    # A form posted from a translation's change page carries its version (and keeps its title
    # when re-shown with an error).
    changing = existing is not None or bool(request.POST.get("lock_version"))
    title = _("Change a translation") if changing else _("Add a translation")
    return render(
        request,
        "assistance/need_translation_form.html",
        {
            "nav": "needs",
            "need": need,
            "form": form,
            "page_title": title,
            "breadcrumbs": _need_crumbs(need, (title, None)),
        },
        status=page_status(form),
    )


# --- offers --------------------------------------------------------------------------------


def _decorate_offer(offer: Offer) -> Offer:
    offer.visibility_label = VISIBILITY_LABELS.get(offer.visibility, offer.visibility)
    offer.area_labels = [_label(AREA_LABELS, code) for code in offer.areas]
    offer.modality_labels = [_label(MODALITY_LABELS, code) for code in offer.modalities]
    offer.language_labels = [_label(LANGUAGE_LABELS, code) for code in offer.languages]
    offer.region_labels = [region_name(code) or code for code in offer.priority_regions]
    return offer


def _offer_export(offers) -> tuple[list, list]:
    headers = [
        _("Id"),
        _("Provider"),
        _("Provider state (ISO code)"),
        _("Title"),
        _("Description"),
        _("Areas"),
        _("Modalities"),
        _("Priority regions"),
        _("Priority countries"),
        _("Working languages"),
        _("Budget envelope"),
        _("Currency"),
        _("Period from"),
        _("Period to"),
        _("Visibility"),
        _("Status"),
    ]
    rows = []
    for offer in map(_decorate_offer, offers):
        rows.append(
            [
                offer.pk,
                str(offer.provider or ""),
                offer.provider_state.iso3 if offer.provider_state_id else "",
                offer.title,
                offer.description,
                "; ".join(offer.area_labels),
                "; ".join(offer.modality_labels),
                "; ".join(offer.region_labels),
                ", ".join(country.iso3 for country in offer.priority_countries.all()),
                "; ".join(offer.language_labels),
                offer.budget_envelope,
                offer.currency,
                offer.period_start,
                offer.period_end,
                offer.visibility_label,
                offer.get_status_display(),
            ]
        )
    return headers, rows


def _own_provider(user):
    """The state or organisation a user other than the ISU offers for (None if none)."""
    if not user.is_authenticated:
        return None
    if user.role in STATE_OFFER_ROLES and user.state_id is not None:
        return user.state
    if user.role in ORGANISATION_OFFER_ROLES and user.organisation_id is not None:
        return user.organisation
    return None


def _offer_probe(provider) -> Offer:
    if isinstance(provider, State):
        return Offer(provider_state=provider)
    return Offer(provider_organisation=provider)


def offer_list(request):
    form = OfferFilterForm(request.GET or None)
    offers = selectors.offer_list(user=request.user, **_filters(form))
    download = request.GET.get("format")
    if download in {"csv", "xlsx"}:
        headers, rows = _offer_export(offers)
        name = f"icahub-offers-{today().isoformat()}"
        if download == "csv":
            return csv_response(name, headers, rows)
        return xlsx_response(name, _("Offers"), headers, rows)
    page, query = _list_page(request, offers)
    return render(
        request,
        "assistance/offer_list.html#results" if request.htmx else "assistance/offer_list.html",
        {
            "nav": "offers",
            "form": form,
            "page_obj": page,
            "offers": [_decorate_offer(offer) for offer in page.object_list],
            "querystring_without_page": query,
            "can_add": request.user.is_authenticated
            and request.user.has_perm(
                "assistance.add_offer", _offer_probe(_own_provider(request.user))
            ),
            "breadcrumbs": [(_("Offers of assistance"), None)],
        },
    )


def _offer_crumbs(offer: Offer, *extra):
    return [
        (_("Offers of assistance"), reverse("assistance:offer_list")),
        (offer.title, reverse("assistance:offer_detail", args=[offer.pk]) if extra else None),
        *extra,
    ]


def offer_detail(request, pk: int):
    offer = _decorate_offer(selectors.offer_get(user=request.user, pk=pk))
    return render(
        request,
        "assistance/offer_detail.html",
        {
            "nav": "offers",
            "offer": offer,
            "countries": list(offer.priority_countries.all()),
            "can_edit": request.user.has_perm("assistance.change_offer", offer),
            "history_entries": history_entries(offer)
            if request.user.has_perm("accounts.view_history")
            else [],
            "breadcrumbs": _offer_crumbs(offer),
            **_matches_context(
                matching.offer_matches(user=request.user, offer=offer),
                title=_("Needs this offer fits"),
                empty=_(
                    "No open need you can see fits this offer yet, or the matches are still "
                    "being computed."
                ),
            ),
        },
    )


@require_http_methods(["GET", "POST"])
def offer_create(request):
    user = request.user
    own = _own_provider(user)
    if denied := denied_unless(request, "assistance.add_offer", _offer_probe(own)):
        return denied
    form = OfferForm(request.POST or None, user=user, own_provider=own)
    if request.method == "POST" and form.is_valid():
        values = dict(form.cleaned_data)
        probe = Offer(
            provider_state=values.get("provider_state"),
            provider_organisation=values.get("provider_organisation"),
        )
        if denied := denied_unless(request, "assistance.add_offer", probe):
            return denied
        try:
            offer = services.offer_create(**values, user=user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The offer was recorded."))
            return redirect("assistance:offer_detail", pk=offer.pk)
    return render(
        request,
        "assistance/offer_form.html",
        {
            "nav": "offers",
            "form": form,
            "title": _("Record an offer of assistance"),
            "breadcrumbs": [
                (_("Offers of assistance"), reverse("assistance:offer_list")),
                (_("Record an offer"), None),
            ],
        },
    )


@require_http_methods(["GET", "POST"])
def offer_edit(request, pk: int):
    if denied := _sign_in_first(request):
        return denied
    offer = selectors.offer_get(user=request.user, pk=pk)
    if denied := denied_unless(request, "assistance.change_offer", offer):
        return denied
    initial = {name: getattr(offer, name) for name in services.OFFER_EDITABLE}
    initial["priority_countries"] = list(offer.priority_countries.all())
    form = OfferForm(
        request.POST or None,
        user=request.user,
        offer=offer,
        initial=initial,
        version=offer.lock_version,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.offer_update(
                offer=offer, data=form.cleaned_data, expected_version=form.expected_version
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The offer was saved."))
            return redirect("assistance:offer_detail", pk=offer.pk)
    return render(
        request,
        "assistance/offer_form.html",
        {
            "nav": "offers",
            "offer": offer,
            "form": form,
            "title": _("Edit the offer"),
            "breadcrumbs": _offer_crumbs(offer, (_("Edit"), None)),
        },
        status=page_status(form),
    )
