"""The API keeps its published contract: schemathesis generates requests from the OpenAPI
schema (valid and invalid ones: odd text, NUL bytes, huge numbers, impossible dates) for
every operation, sends them to the WSGI application in-process, as an anonymous client and
as each role of the authorization table (icahub/web/tests/test_access.py), and fails on any
5xx and on any answer the schema does not describe (status code, content type, body).

The records are those of the authorization table: a need, an offer, a flow, reports, a
coalition, relays... Every other generated request has its path parameters replaced by the
ids of those records, so that an operation is exercised on a record the role can see, not
only answered 404.

Bounded for CI: a few generated cases per operation and role, derandomised (the same cases on
every run), no shrinking, no deadline, the fuzzing phase only. Each request runs in a
savepoint rolled back after it, so a write never changes what later cases see.
"""

from __future__ import annotations

import itertools
import os

import pytest
import schemathesis
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis import checks

from icahub.accounts.models import User
from icahub.registry.models import Organisation, State
from icahub.web.tests.test_access import records  # noqa: F401  (the table's records)

pytestmark = pytest.mark.django_db

# Cases generated per operation and role. 69 operations x 7 roles x 3 cases: about 1,450
# requests, about a minute and a half of CPU. ICAHUB_SCHEMA_EXAMPLES=50 runs a deeper,
# slower search by hand (see docs/api.md).
MAX_EXAMPLES = int(os.environ.get("ICAHUB_SCHEMA_EXAMPLES", "3"))
ROLES = ["anonymous", "isu", "coordinator", "owner", "other_state", "donor", "partner"]

CONFIG = schemathesis.Config.from_dict(
    {
        "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True, "no-shrink": True},
        "phases": {
            "examples": {"enabled": False},
            "coverage": {"enabled": False},
            "stateful": {"enabled": False},
        },
    }
)
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]


def _schema():
    document = SchemaGenerator().get_schema(request=None, public=True)
    loaded = schemathesis.openapi.from_dict(document, config=CONFIG)
    loaded.app = WSGIHandler()
    return loaded


schema = _schema()


def _path_ids(path: str, method: str, ids: dict[str, int]) -> dict[str, object]:
    """The table's record for each path parameter of an operation."""
    if path.startswith("/api/v1/states/"):
        return {"iso3": "LAO"}
    if path.startswith("/api/v1/partners/"):
        return {"kind": "organisation", "id": ids["org"]}
    if path.startswith("/api/v1/coalitions/invitations/"):
        return {"member_pk": ids["coalition_invitation"]}
    if path.startswith("/api/v1/coalitions/"):
        return {
            "id": ids["coalition"],
            "member_pk": ids["coalition_member"],
            "meeting_pk": ids["coalition_meeting"],
        }
    if path.startswith("/api/v1/reports/"):
        report = {
            "/api/v1/reports/{id}/amend/": "published",
            "/api/v1/reports/{id}/publish/": "submitted",
            "/api/v1/reports/{id}/submit/": "draft",
        }.get(path, "draft" if method == "PATCH" else "published")
        return {"id": ids[report]}
    if path.startswith("/api/v1/relays/"):
        return {"id": ids["relay" if path.endswith("/objection/") else "sent"]}
    resource = path.split("/")[3]
    record = {
        "flows": "flow",
        "follow-ups": "follow_up",
        "needs": "need",
        "notifications": "notification",
        "obligations": "lao",
        "offers": "offer",
    }.get(resource)
    # An operation on records the table does not build (import jobs) keeps its generated ids.
    return {"id": ids[record]} if record else {}


def _user(role: str) -> User | None:
    if role == "anonymous":
        return None
    states = {s.iso3: s for s in State.objects.filter(iso3__in=["LAO", "LBN", "NOR"])}
    attributes = {
        "isu": {"role": "isu"},
        "coordinator": {"role": "coordinator"},
        "owner": {"role": "state_focal_point", "state": states["LAO"]},
        "other_state": {"role": "state_focal_point", "state": states["LBN"]},
        "donor": {"role": "donor_focal_point", "state": states["NOR"]},
        "partner": {"role": "partner", "organisation": Organisation.objects.get(acronym="NPA")},
    }[role]
    return User.objects.create_user(username=f"schema-{role}", password=None, **attributes)


def _keep_the_test_connection():
    """Like Django's test client: neither the start nor the end of an in-process request
    closes the test's connection. close_old_connections closes a connection whose autocommit
    differs from the settings, which is always true inside the test's transaction: on
    PostgreSQL that ended the test's transaction and left 'the connection is closed' for every
    later test of the worker (SQLite's in-memory test database ignores the close)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)


@pytest.fixture
def in_process_wsgi():
    _keep_the_test_connection()
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.parametrize("role", ROLES)
@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_answers_every_generated_request_as_its_schema_says(
    case,
    role,
    records,  # noqa: F811
    in_process_wsgi,
    request,
):
    # Given a role with its API token and a generated request (every other one aimed at the
    # table's records), when the request is sent, then the answer is no 5xx and matches the
    # schema; anything it wrote is rolled back.
    if not hasattr(request.node, "_schema_state"):
        user = _user(role)
        headers = {"Authorization": f"Token {Token.objects.create(user=user).key}"} if user else {}
        request.node._schema_state = {"headers": headers, "count": itertools.count()}
    state = request.node._schema_state
    if case.path_parameters and next(state["count"]) % 2 == 0:
        real = _path_ids(case.operation.path, case.method.upper(), records["ids"])
        case.path_parameters = {**case.path_parameters, **real}
    # Each case starts with fresh request-rate counters: one role's token requests must not
    # use up the next role's allowance.
    cache.clear()
    # Django's test Client reconnects close_old_connections after each of its requests.
    _keep_the_test_connection()
    with transaction.atomic():
        case.call_and_validate(headers=state["headers"], checks=CHECKS)
        transaction.set_rollback(True)


def test_every_operation_lists_the_error_statuses_it_can_answer():
    # Given the schema, when an operation is read, then it lists the errors it can answer
    # with their bodies: field errors for 400/409/413, {"detail": ...} for the others.
    paths = schema.raw_schema["paths"]

    def statuses(path, method):
        return sorted(paths[path][method]["responses"])

    assert statuses("/api/v1/needs/{id}/", "patch") == [
        "200",
        "400",
        "403",
        "404",
        "409",
        "413",
        "415",
    ]
    assert statuses("/api/v1/needs/{id}/", "get") == ["200", "403", "404"]
    assert statuses("/api/v1/conventions/", "get") == ["200", "403"]
    assert statuses("/api/v1/states/", "get") == ["200", "400", "403"]
    assert statuses("/api/v1/auth/token/", "post") == ["200", "400", "413", "415", "429"]
    needs = paths["/api/v1/needs/{id}/"]["patch"]["responses"]
    body = {status: needs[status]["content"]["application/json"]["schema"] for status in needs}
    assert body["400"] == body["409"] == body["413"] == {"$ref": "#/components/schemas/FieldErrors"}
    assert body["403"] == body["404"] == {"$ref": "#/components/schemas/ErrorOutput"}
