"""The home dashboard's aggregates are cached ICAHUB_CACHE_SECONDS (off in tests), for the
signed-in users too (anonymous visitors get the whole page from the page cache, see
test_page_cache.py): these tests sign in, so that they measure the aggregates alone."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db


@pytest.fixture
def fresh_cache(client, isu_user):
    client.force_login(isu_user)
    cache.clear()
    yield
    cache.clear()


def _queries(client, url: str = "/") -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_with_caching_on_the_second_view_reads_no_aggregates(client, settings, fresh_cache):
    # given
    settings.ICAHUB_CACHE_SECONDS = 60
    first = _queries(client)
    # when
    second = _queries(client)
    # then the dashboard is the same page, from the cache
    assert second <= first - 5
    assert "States Parties" in client.get("/").content.decode()


def test_the_cache_is_kept_per_language(client, settings, fresh_cache):
    # given
    settings.ICAHUB_CACHE_SECONDS = 60
    client.get("/")
    # when
    french = client.get("/fr/").content.decode()
    # then
    assert "États parties" in french


def test_with_caching_off_every_view_computes_the_aggregates(client, settings, fresh_cache):
    # given the default of the tests and of development
    settings.ICAHUB_CACHE_SECONDS = 0
    first = _queries(client)
    # then
    assert _queries(client) == first
