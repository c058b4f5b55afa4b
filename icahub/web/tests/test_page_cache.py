"""Public pages are kept a short time for anonymous visitors (icahub/web/page_cache.py), and
never for anyone signed in nor from what anyone signed in saw."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import get_resolver
from rest_framework.authtoken.models import Token

from icahub.accounts.middleware import LAST_SEEN_AT, SIGNED_IN_AT
from icahub.assistance import services as assistance
from icahub.registry.models import Convention, State
from icahub.web.page_cache import CACHE_HEADER, CACHED_VIEWS

pytestmark = pytest.mark.django_db

TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture(autouse=True)
def caching_on(settings):
    settings.ICAHUB_CACHE_SECONDS = 60
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def private_need():
    """A need of Lao PDR seen by States Parties only."""
    return assistance.need_create(
        state=State.objects.get(iso3="LAO"),
        convention=Convention.objects.get(code="CCM"),
        area="clearance",
        modality="financial",
        title="Zq-states-parties-only-need",
        visibility="states_parties",
    )


def _get(client, url, **headers):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, headers=headers)
    return response, len(queries)


def test_an_anonymous_visitor_gets_the_page_the_previous_one_got_without_a_query():
    # given a first anonymous visit of the states list
    first, first_queries = _get(Client(), "/states/")
    assert first[CACHE_HEADER] == "miss" and first_queries > 0

    # when a second visitor opens it
    second, queries = _get(Client(), "/states/")

    # then it is the same page, from the cache: no database query at all
    assert second.status_code == 200
    assert second[CACHE_HEADER] == "hit"
    assert queries == 0
    assert second["Content-Type"] == first["Content-Type"]
    # (each with its visitor's own CSRF token, in the language form and the HTMX headers)
    body = second.content.replace(TOKEN.search(second.content).group(1), b"")
    assert body == first.content.replace(TOKEN.search(first.content).group(1), b"")
    assert b'href="/states/AFG/"' in body


def test_each_visitor_gets_their_own_working_csrf_token_from_a_cached_page():
    # given a page kept from an earlier visitor
    _get(Client(), "/states/")

    # when two new visitors open it
    visitors = [Client(enforce_csrf_checks=True) for _ in range(2)]
    pages = [visitor.get("/states/") for visitor in visitors]

    # then neither sees the placeholder nor the other's token, each gets a CSRF cookie,
    assert all(page[CACHE_HEADER] == "hit" for page in pages)
    tokens = [TOKEN.search(page.content).group(1).decode() for page in pages]
    assert b"icahub-csrf-" not in pages[0].content + pages[1].content
    assert tokens[0] != tokens[1]
    assert all("csrftoken" in visitor.cookies for visitor in visitors)
    # and the page's forms (the language switcher) work with it
    for visitor, token in zip(visitors, tokens, strict=True):
        response = visitor.post(
            "/i18n/setlang/", {"language": "fr", "next": "/states/", "csrfmiddlewaretoken": token}
        )
        assert response.status_code == 302, response.content[:300]
    # while a forged token is refused
    forged = Client(enforce_csrf_checks=True)
    forged.get("/states/")
    response = forged.post("/i18n/setlang/", {"language": "fr", "csrfmiddlewaretoken": "x" * 64})
    assert response.status_code == 403


def test_a_signed_in_user_always_gets_a_fresh_page_and_it_is_never_kept(
    lao_focal_point, private_need
):
    # given a focal point of a State Party, who may see the States Parties' need
    member = Client()
    member.force_login(lao_focal_point)

    # when they open the needs list twice
    pages = [_get(member, "/assistance/needs/")[0] for _ in range(2)]

    # then they see the need, rendered for them each time
    for page in pages:
        assert b"Zq-states-parties-only-need" in page.content
        assert CACHE_HEADER not in page
    # and an anonymous visitor afterwards gets a page rendered for them, without the need
    anonymous = Client().get("/assistance/needs/")
    assert anonymous[CACHE_HEADER] == "miss"
    assert b"Zq-states-parties-only-need" not in anonymous.content


def test_an_api_client_with_a_token_is_never_served_nor_kept(lao_focal_point, private_need):
    # given an API client presenting a token of a focal point
    token = Token.objects.create(user=lao_focal_point).key
    url = f"/api/v1/needs/{private_need.pk}/matches/"

    # when it reads the need's matches (a cached API read) twice
    answers = [Client().get(url, headers={"Authorization": f"Token {token}"}) for _ in range(2)]

    # then it is answered each time for itself, never from the cache
    for answer in answers:
        assert answer.status_code == 200
        assert CACHE_HEADER not in answer
    # and an anonymous client is not given what the token's owner saw
    anonymous = Client().get(url)
    assert anonymous.status_code == 404
    assert CACHE_HEADER not in anonymous


def test_a_public_api_read_is_kept_per_language():
    # given the obligations API read anonymously in English
    url = "/api/v1/obligations/"
    english = Client().get(url, headers={"Accept-Language": "en"})
    assert english[CACHE_HEADER] == "miss"

    # when it is read in French, then in English again
    french = Client().get(url, headers={"Accept-Language": "fr"})
    again = Client().get(url, headers={"Accept-Language": "en"})

    # then each language is kept on its own, and the cached JSON is the same JSON
    assert french[CACHE_HEADER] == "miss"
    assert french["Content-Language"] == "fr"
    assert again[CACHE_HEADER] == "hit"
    assert again["Content-Type"] == "application/json"
    assert again.json() == english.json()


def test_pages_are_kept_per_language_and_address():
    # given the English states list kept
    Client().get("/states/")

    # when the French one and a filtered one are opened
    french = Client().get("/fr/states/")
    filtered = Client().get("/assistance/needs/?area=clearance")

    # then each is rendered for its own address
    assert french[CACHE_HEADER] == "miss"
    assert 'lang="fr"' in french.content.decode()
    assert filtered[CACHE_HEADER] == "miss"


def test_what_is_never_cached(settings):
    # a page that is not listed (a form)
    Client().get("/obligations/calculator/")
    assert CACHE_HEADER not in Client().get("/obligations/calculator/")
    # an HTMX request (a part of a page)
    Client().get("/assistance/needs/", headers={"HX-Request": "true"})
    assert CACHE_HEADER not in Client().get("/assistance/needs/", headers={"HX-Request": "true"})
    # a page that is not found
    Client().get("/states/XXX/")
    missing = Client().get("/states/XXX/")
    assert missing.status_code == 404 and CACHE_HEADER not in missing
    # anything when caching is off (development and the tests' default)
    settings.ICAHUB_CACHE_SECONDS = 0
    Client().get("/conventions/")
    assert CACHE_HEADER not in Client().get("/conventions/")


def test_a_visitor_with_a_message_waiting_gets_a_fresh_page_that_shows_it(lao_focal_point):
    # given the dashboard kept from an earlier visitor
    Client().get("/")
    # and a user whose session has expired (they are signed out with a message)
    visitor = Client()
    visitor.force_login(lao_focal_point)
    session = visitor.session
    session[SIGNED_IN_AT] = session[LAST_SEEN_AT] = 1
    session.save()

    # when they open the dashboard
    page = visitor.get("/")

    # then it was rendered for them and tells them, instead of the kept page (and, being
    # about them, it is not kept either)
    assert page.status_code == 200
    assert CACHE_HEADER not in page
    assert b"Your session has expired" in page.content
    # and the next page is the kept one again (the message was shown)
    assert visitor.get("/")[CACHE_HEADER] == "hit"


def test_every_listed_view_name_is_a_url_of_the_site():
    # The list names real URLs: a renamed view must not silently stop being cached.
    names = set()

    def walk(patterns, namespace=""):
        for pattern in patterns:
            if hasattr(pattern, "url_patterns"):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, inner)
            elif pattern.name:
                names.add(namespace + pattern.name)

    walk(get_resolver().url_patterns)
    assert CACHED_VIEWS <= names, CACHED_VIEWS - names
