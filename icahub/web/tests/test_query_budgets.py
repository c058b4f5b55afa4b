"""List pages and API lists run a fixed number of queries whatever the number of rows."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from icahub.obligations.services import obligation_create
from icahub.registry.models import Convention, Membership

pytestmark = pytest.mark.django_db


def _add_apmbc_obligations(count: int) -> None:
    apmbc = Convention.objects.get(code="APMBC")
    parties = Membership.objects.filter(
        convention=apmbc, entry_into_force__lte=dt.date(2020, 1, 1)
    ).select_related("state")[:count]
    for membership in parties:
        obligation_create(state=membership.state, convention=apmbc, kind="clearance")


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize(
    ("url", "budget"),
    [
        ("/", 20),
        ("/states/", 6),
        ("/states/?convention=APMBC&status=party", 6),
        ("/obligations/", 6),
        ("/obligations/?format=csv", 4),
        ("/api/v1/states/", 4),
        ("/api/v1/obligations/", 4),
        ("/api/v1/organisations/", 3),
    ],
)
def test_list_stays_within_its_query_budget_as_rows_grow(client, url, budget):
    # given a few obligations, then many more
    before = _queries(client, url)
    _add_apmbc_obligations(40)

    # when the list is read again
    after = _queries(client, url)

    # then the number of queries did not grow and stays within the budget
    assert after <= budget, f"{url}: {after} queries"
    assert after == before


def test_dashboard_lists_passed_deadlines_with_no_recorded_extension(client):
    # given Iraq, whose clearance deadline (1 November 2023) has no confirmed extension
    page = client.get("/").content.decode()

    # then the dashboard lists it under the passed deadlines
    section = page[page.index("Deadlines passed") :]
    assert "Iraq" in section
