"""The public pages, as anonymous visitors see them, kept a short time in the cache.

Most of icahub's traffic is anonymous reading of public pages (the dashboard, the states, the
needs, the statistics), which cost 20-100 times the framework's own work to render
(docs/performance.md). What an anonymous visitor sees there depends only on the address,
the language and the data, so the rendered answer is kept ``ICAHUB_CACHE_SECONDS`` (60 s in
production, 0 with DEBUG on: development and the tests always render) and given to the next
anonymous visitor of the same address. A change shows to anonymous visitors within that time;
signed-in users always get a fresh page.

What is never cached, and why:

- anything for a signed-in user (a session) or an API client presenting credentials (an
  ``Authorization`` header: token authentication happens in the view, after this middleware,
  so the header itself decides);
- pages not listed in :data:`CACHED_VIEWS` (forms, private areas, downloads of files);
- a visitor with a message waiting (the page would show it to the next visitor otherwise);
- HTMX requests (partial pages), anything but GET, any answer but 200, streamed answers,
  and answers that set a cookie other than the CSRF one (they were about this visitor).

The CSRF token is the one part of a page that is each visitor's own (the language switcher
on every page is a form). While a cacheable page renders, the ``csrf_token`` of its context
is a random placeholder (:func:`csrf_placeholder`, a context processor); the stored page
keeps the placeholder, and each answer, the first one included, has it replaced by this
visitor's own token (which also sets their CSRF cookie as usual).
"""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils.translation import get_language

# URL names of the public pages and API reads whose anonymous answer depends only on the
# address, the language (and, for the API, the Accept header) and the data.
CACHED_VIEWS = frozenset(
    {
        "web:home",
        "registry:state_list",
        "registry:state_detail",
        "registry:organisation_list",
        "registry:organisation_detail",
        "registry:convention_list",
        "obligations:list",
        "assistance:need_list",
        "assistance:need_detail",
        "assistance:offer_list",
        "assistance:offer_detail",
        "api-need-matches",
        "api-statistics-assistance-requests",
        "api-obligations",
    }
)

# Response headers the view sets that the cached answer keeps; the middleware that runs after
# this one adds the others (security headers, CSP, cookies) to every answer, cached or not.
KEPT_HEADERS = ("Content-Type", "Content-Language", "Content-Disposition", "Vary", "Allow")
CACHE_HEADER = "X-Icahub-Cache"
# Stamped on the request while a cacheable page renders (see module docstring).
PLACEHOLDER_ATTRIBUTE = "icahub_csrf_placeholder"


def csrf_placeholder(request: HttpRequest) -> dict:
    """Context processor: the placeholder in place of the CSRF token while a cacheable page
    renders (listed after Django's own csrf processor, so it wins); nothing otherwise."""
    placeholder = getattr(request, PLACEHOLDER_ATTRIBUTE, None)
    return {"csrf_token": placeholder} if placeholder else {}


class AnonymousPageCacheMiddleware:
    """Serve and keep the anonymous answers of :data:`CACHED_VIEWS`. Last in MIDDLEWARE: a
    cached answer skips only the view; every other middleware still runs on it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        placeholder = getattr(request, PLACEHOLDER_ATTRIBUTE, None)
        if placeholder is None:
            return response
        if response.streaming:
            # Not cached, and passed on as it is: none of the listed views streams (their
            # CSV and XLSX exports are ordinary answers, kept like the pages).
            return response
        content = response.content
        if self._storable(request, response):
            stored = {
                "placeholder": placeholder,
                "content": content,
                "headers": {h: response[h] for h in KEPT_HEADERS if response.has_header(h)},
            }
            cache.set(request.icahub_cache_key, stored, settings.ICAHUB_CACHE_SECONDS)
            response[CACHE_HEADER] = "miss"
        response.content = _with_token(content, placeholder, request)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not _cacheable_request(request):
            return None
        key = _key(request)
        stored = cache.get(key)
        if stored is None:
            request.icahub_cache_key = key
            setattr(request, PLACEHOLDER_ATTRIBUTE, "icahub-csrf-" + secrets.token_hex(16))
            return None
        response = HttpResponse(
            _with_token(stored["content"], stored["placeholder"], request),
            headers=stored["headers"],
        )
        response[CACHE_HEADER] = "hit"
        return response

    @staticmethod
    def _storable(request: HttpRequest, response: HttpResponse) -> bool:
        if response.status_code != 200:
            return False
        if any(name != settings.CSRF_COOKIE_NAME for name in response.cookies):
            return False
        # Defence in depth: an answer rendered for anyone signed in is never stored (the API
        # view's own request has the user its authentication found).
        api_request = (getattr(response, "renderer_context", None) or {}).get("request")
        for candidate in (api_request, request):
            user = getattr(candidate, "user", None)
            if user is not None and user.is_authenticated:
                return False
        return True


def _cacheable_request(request: HttpRequest) -> bool:
    if settings.ICAHUB_CACHE_SECONDS <= 0 or request.method != "GET":
        return False
    match = request.resolver_match
    if match is None or match.view_name not in CACHED_VIEWS:
        return False
    if "HTTP_AUTHORIZATION" in request.META or request.headers.get("HX-Request"):
        return False
    if request.user.is_authenticated:
        return False
    return not _has_messages(request)


def _has_messages(request: HttpRequest) -> bool:
    """Whether a message waits for this visitor: stored earlier (cookie or session) or added
    during this request (e.g. "your session has expired"). Counting them does not mark them
    shown."""
    return len(messages.get_messages(request)) > 0


def _key(request: HttpRequest) -> str:
    """The address as the visitor asked it (scheme, host, path and query), the language and
    the Accept header (the API's format)."""
    parts = [
        request.scheme,
        request.get_host(),
        request.get_full_path(),
        get_language() or "",
        request.META.get("HTTP_ACCEPT", ""),
    ]
    digest = hashlib.sha256("\n".join(parts).encode()).hexdigest()
    return f"icahub:page:{digest}"


def _with_token(content: bytes, placeholder: str, request: HttpRequest) -> bytes:
    marker = placeholder.encode()
    if marker not in content:
        return content
    return content.replace(marker, get_token(request).encode())
