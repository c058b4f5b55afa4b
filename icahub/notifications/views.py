"""The inbox: a signed-in user's notifications, with mark-as-read (one or all)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from icahub.notifications import selectors, services

PAGE_SIZE = 50


@login_required
def inbox(request):
    unread_only = request.GET.get("show") == "unread"
    notifications = selectors.notification_list(user=request.user, unread_only=unread_only)
    page = Paginator(notifications, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/inbox.html",
        {
            "nav": "notifications",
            "page_obj": page,
            "notifications": page.object_list,
            "unread_only": unread_only,
            "unread": selectors.unread_count(request.user),
            "querystring_without_page": "show=unread&" if unread_only else "",
            "breadcrumbs": [(_("Notifications"), None)],
        },
    )


@login_required
@require_POST
def mark_read(request, pk: int):
    notification = selectors.notification_get(user=request.user, pk=pk)
    services.notification_mark_read(notification=notification, user=request.user)
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        # "Open": marked read, then on to what it is about.
        return redirect(target)
    messages.success(request, _("The notification was marked as read."))
    return redirect("notifications:inbox")


@login_required
@require_POST
def mark_all_read(request):
    count = services.notification_mark_all_read(user=request.user)
    messages.success(
        request,
        _("%(count)d notification(s) marked as read.") % {"count": count},
    )
    return redirect("notifications:inbox")
