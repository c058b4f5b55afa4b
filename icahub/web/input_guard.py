"""Refuse NUL characters wherever a request carries text, before any view or query runs.

PostgreSQL stores no NUL in text: a lookup or a save with one raises DataError, a 500. Forms'
and serializers' text fields refuse it already (Django's and DRF's CharField), JSON bodies are
refused by ``api_parsers.NulRefusingJSONParser``; what is left is text that reaches a query
without a text field: the address (``/states/%00/``), its query string (filters, choice
fields) and the values of a submitted form that a choice field looks up (``?state=%00``).
This middleware answers those with 400, naming the parameter: JSON for the API, a page
otherwise.
"""

from __future__ import annotations

from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _nul_parameter(request) -> str | None:
    """The name of the first part of the request holding a NUL, or None."""
    if "\x00" in request.path:
        return _("the web address")
    for name, values in request.GET.lists():
        if "\x00" in name or any("\x00" in value for value in values):
            return name.replace("\x00", "")
    # A page's form: read here (Django caches it; CSRF reads it anyway). The API's bodies are
    # left to its parsers, which run later and only once.
    if (
        request.method == "POST"
        and not request.path_info.startswith("/api/")
        and request.content_type in FORM_TYPES
    ):
        for name, values in request.POST.lists():
            if "\x00" in name or any("\x00" in value for value in values):
                return name.replace("\x00", "")
    return None


class RefuseNulMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        parameter = _nul_parameter(request)
        if parameter is None:
            return self.get_response(request)
        message = _(
            "Null characters are not allowed (in %(where)s): remove them and try again."
        ) % {"where": parameter}
        if request.path_info.startswith("/api/"):
            return JsonResponse({parameter: [message]}, status=400)
        return render(request, "web/bad_request.html", {"message": message}, status=400)
