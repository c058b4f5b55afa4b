"""Account pages: password change for everyone signed in, the sign-in audit for the ISU."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _

from icahub.accounts import selectors
from icahub.accounts.forms import IcahubPasswordChangeForm, LoginEventFilterForm
from icahub.interchange.tables import csv_response
from icahub.web.views_support import denied_unless, querystring_without_page

PAGE_SIZE = 50


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = IcahubPasswordChangeForm
    success_url = reverse_lazy("password_change_done")
    template_name = "registration/password_change_form.html"


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "registration/password_change_done.html"


def login_event_list(request):
    if denied := denied_unless(request, "accounts.view_login_events"):
        return denied
    form = LoginEventFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    events = selectors.login_event_list(**{k: v for k, v in filters.items() if v})
    if request.GET.get("format") == "csv" and not form.errors:
        headers = [
            _("Time (UTC)"),
            _("Event"),
            _("Username"),
            _("IP address"),
            _("User agent"),
            _("Channel"),
        ]
        rows = (
            [
                event.at.strftime("%Y-%m-%d %H:%M:%S"),
                event.get_kind_display(),
                event.username,
                event.ip_address or "",
                event.user_agent,
                event.channel,
            ]
            for event in events.iterator()
        )
        return csv_response("sign-in-events", headers, rows)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/login_event_list.html",
        {
            "form": form,
            "page_obj": page,
            "events": page.object_list,
            "querystring_without_page": querystring_without_page(request),
            "breadcrumbs": [(_("Sign-in audit"), None)],
        },
    )
