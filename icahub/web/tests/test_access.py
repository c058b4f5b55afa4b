"""One table: for every page and API endpoint, what each role gets.

Roles: anonymous, ISU staff, coordinator, the focal point of the record's own state (Lao
PDR), a focal point of another state (Lebanon), a donor focal point, a partner
organisation member and a Django superuser (who has every ISU permission). Records of
Iraq stand for "another state's": neither focal point in the table may change them.
"""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.test import Client

from icahub.accounts.models import User
from icahub.obligations.models import Obligation
from icahub.registry.models import Organisation, State

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "isu", "coordinator", "owner", "other_state", "donor", "partner", "superuser"]
PUBLIC = dict.fromkeys(ROLES, 200)


def _only(allowed: set[str], ok: int = 200, anonymous: int = 302, refused: int = 403) -> dict:
    return {
        role: ok if role in allowed else anonymous if role == "anonymous" else refused
        for role in ROLES
    }


ISU_ONLY = _only({"isu", "superuser"})
ISU_OR_OWNER = _only({"isu", "superuser", "owner"})
API_ISU_ONLY_CREATE = _only({"isu", "superuser"}, ok=201, anonymous=403)
API_ISU_OR_OWNER = _only({"isu", "superuser", "owner"}, anonymous=403)

SEEN_BY_STATES_PARTIES = {**PUBLIC, "anonymous": 404, "partner": 404}
# A coalition's workspace: its members (here Lao PDR and Norway) and the ISU; to anyone
# else it does not exist. Managers: the ISU and the lead state's focal point; a member
# without the right is refused (403); an anonymous visitor is asked to sign in first.
COALITION_READERS = {
    **dict.fromkeys(ROLES, 404),
    **dict.fromkeys(["isu", "superuser", "owner", "donor"], 200),
}
COALITION_MANAGERS = {**COALITION_READERS, "anonymous": 302, "donor": 403}
COALITION_API_MANAGERS = {**COALITION_READERS, "anonymous": 403, "donor": 403}


class current_version:  # noqa: N801 (reads as a value in the table)
    """A body value: the record's lock_version when the case runs (edits must name the
    version they change, see icahub/versioning.py). ``lookup`` values are url templates."""

    def __init__(self, model: str, **lookup: str) -> None:
        self.model = model
        self.lookup = lookup

    def resolve(self, ids: dict) -> int:
        from django.apps import apps

        lookup = {key: value.format(**ids) for key, value in self.lookup.items()}
        records = apps.get_model(self.model).objects.filter(**lookup)
        return records.values_list("lock_version", flat=True).get()


# (method, url template, body, expected per role)
TABLE = [
    ("get", "/", None, PUBLIC),
    # The load test's minimal view exists only when ICAHUB_BENCH_MINIMAL_VIEW is on.
    ("get", "/bench/minimal/", None, dict.fromkeys(ROLES, 404)),
    ("get", "/fr/", None, PUBLIC),
    ("get", "/ar/states/", None, PUBLIC),
    ("get", "/states/", None, PUBLIC),
    ("get", "/states/?convention=CCM&status=party&region=142&sort=-name", None, PUBLIC),
    ("get", "/states/LAO/", None, PUBLIC),
    ("get", "/states/LAO/edit/", None, ISU_OR_OWNER),
    (
        "post",
        "/states/LAO/edit/",
        {
            "mine_action_authority": "NRA",
            "lock_version": current_version("registry.State", iso3="LAO"),
        },
        _only({"isu", "superuser", "owner"}, ok=302),
    ),
    ("get", "/states/IRQ/edit/", None, ISU_ONLY),
    ("get", "/states/LAO/contacts/add/", None, ISU_OR_OWNER),
    ("get", "/organisations/", None, PUBLIC),
    ("get", "/organisations/{org}/", None, PUBLIC),
    ("get", "/organisations/{org}/edit/", None, _only({"isu", "superuser", "partner"})),
    ("get", "/organisations/{other_org}/edit/", None, ISU_ONLY),
    ("get", "/conventions/", None, PUBLIC),
    ("get", "/obligations/", None, PUBLIC),
    ("get", "/obligations/?format=csv", None, PUBLIC),
    ("get", "/obligations/?format=xlsx", None, PUBLIC),
    ("get", "/obligations/{lao}/", None, PUBLIC),
    ("get", "/obligations/{lao}/edit/", None, ISU_OR_OWNER),
    ("get", "/obligations/{irq}/edit/", None, ISU_ONLY),
    ("get", "/obligations/{lao}/extensions/new/", None, ISU_ONLY),
    (
        "post",
        "/obligations/{lao}/extensions/new/",
        {
            "new_deadline": "2030-08-01",
            "lock_version": current_version("obligations.Obligation", pk="{lao}"),
        },
        _only({"isu", "superuser"}, ok=302),
    ),
    ("get", "/obligations/new/", None, ISU_ONLY),
    ("get", "/obligations/calculator/?convention=CCM&deposited=2016-04-19", None, PUBLIC),
    ("get", "/accounts/login/", None, PUBLIC),
    # A wrong password: the form again, with the error summary.
    ("post", "/accounts/login/", {"username": "nobody", "password": "wrong"}, PUBLIC),
    ("post", "/accounts/logout/", {}, dict.fromkeys(ROLES, 302)),
    ("get", "/accounts/password/", None, _only(set(ROLES) - {"anonymous"})),
    # A wrong current password: the form again, with the error summary.
    (
        "post",
        "/accounts/password/",
        {"old_password": "wrong", "new_password1": "x", "new_password2": "x"},
        _only(set(ROLES) - {"anonymous"}),
    ),
    ("get", "/accounts/password/done/", None, _only(set(ROLES) - {"anonymous"})),
    ("get", "/accounts/sign-ins/", None, ISU_ONLY),
    ("get", "/accounts/sign-ins/?kind=failed&format=csv", None, ISU_ONLY),
    ("get", "/accounts/password-reset/", None, PUBLIC),
    (
        "post",
        "/accounts/password-reset/",
        {"email": "nobody@example.org"},
        dict.fromkeys(ROLES, 302),
    ),
    ("get", "/accounts/password-reset/sent/", None, PUBLIC),
    # A link with a bad token: the page saying the link is not valid.
    ("get", "/accounts/reset/MQ/bad-token/", None, PUBLIC),
    ("get", "/accounts/reset/done/", None, PUBLIC),
    ("post", "/i18n/setlang/", {"language": "fr", "next": "/"}, dict.fromkeys(ROLES, 302)),
    # Django's admin site: staff only (the table's ISU users are not staff; it sends them
    # to its own sign-in page).
    ("get", "/admin/", None, {**dict.fromkeys(ROLES, 302), "superuser": 200}),
    ("get", "/reports/", None, PUBLIC),
    ("get", "/reports/statistics/", None, PUBLIC),
    ("get", "/reports/who-has-reported/", None, PUBLIC),
    (
        "post",
        "/reports/who-has-reported/reminders/",
        {"convention": "CCM", "reporting_year": 2019},
        _only({"isu", "superuser"}, ok=302),
    ),
    ("get", "/reports/{published}/", None, PUBLIC),
    ("get", "/reports/{published}/download/pdf/", None, PUBLIC),
    (
        "get",
        "/reports/{draft}/download/xlsx/",
        None,
        _only({"isu", "superuser", "owner"}, anonymous=404, refused=404),
    ),
    ("get", "/reports/template/APMBC/", None, PUBLIC),
    ("get", "/reports/import/", None, _only({"isu", "superuser", "owner", "other_state"})),
    ("get", "/reports/new/", None, _only({"isu", "superuser", "owner", "other_state"})),
    ("get", "/reports/{draft}/edit/", None, ISU_OR_OWNER),
    ("get", "/reports/{draft}/edit/contacts/", None, ISU_OR_OWNER),
    ("get", "/reports/{draft}/edit/F/", None, ISU_OR_OWNER),
    ("post", "/reports/{draft}/submit/", {}, _only({"isu", "superuser", "owner"}, ok=302)),
    ("post", "/reports/{published}/amend/", {}, _only({"isu", "superuser", "owner"}, ok=302)),
    ("post", "/reports/{submitted}/publish/", {}, _only({"isu", "superuser"}, ok=302)),
    ("get", "/reports/{published}/differences/?from=1&to=1", None, PUBLIC),
    (
        "get",
        "/reports/{draft}/",
        None,
        _only({"isu", "superuser", "owner"}, anonymous=404, refused=404),
    ),
    (
        "post",
        "/api/v1/auth/token/",
        {"username": "nobody", "password": "wrong"},
        dict.fromkeys(ROLES, 400),
    ),
    ("get", "/api/v1/conventions/", None, PUBLIC),
    ("get", "/api/v1/states/", None, PUBLIC),
    ("get", "/api/v1/states/LAO/", None, PUBLIC),
    ("get", "/api/v1/organisations/", None, PUBLIC),
    ("get", "/api/v1/obligations/?state=LAO", None, PUBLIC),
    ("get", "/api/v1/obligations/{lao}/", None, PUBLIC),
    ("get", "/api/v1/rules/deadlines/?convention=CCM&deposited=2016-04-19", None, PUBLIC),
    ("get", "/api/v1/reports/", None, PUBLIC),
    ("get", "/api/v1/reports/{published}/", None, PUBLIC),
    (
        "get",
        "/api/v1/reports/{draft}/",
        None,
        _only({"isu", "superuser", "owner"}, anonymous=404, refused=404),
    ),
    (
        "post",
        "/api/v1/reports/",
        {"state": "LAO", "convention": "CCM", "kind": "annual", "reporting_year": 2021},
        _only({"isu", "superuser", "owner"}, ok=201, anonymous=403),
    ),
    (
        "patch",
        "/api/v1/reports/{draft}/",
        {
            "needs": [],
            "lock_version": current_version(
                "reports.ReportVersion", report_id="{draft}", status="draft"
            ),
        },
        _only({"isu", "superuser", "owner"}, anonymous=403, refused=404),
    ),
    (
        "post",
        "/api/v1/reports/{draft}/submit/",
        {},
        _only({"isu", "superuser", "owner"}, anonymous=403, refused=404),
    ),
    (
        "post",
        "/api/v1/reports/{published}/amend/",
        {},
        _only({"isu", "superuser", "owner"}, ok=201, anonymous=403),
    ),
    (
        "post",
        "/api/v1/reports/{submitted}/publish/",
        {},
        {**_only({"isu", "superuser"}, anonymous=403), "partner": 404},
    ),
    (
        "get",
        "/api/v1/statistics/assistance-requests/?convention=CCM&reporting_year=2019&as_of=2020-06-30",
        None,
        PUBLIC,
    ),
    ("get", "/api/v1/schema/", None, PUBLIC),
    ("get", "/api/v1/docs/", None, PUBLIC),
    ("get", "/api/v1/docs/?script=", None, PUBLIC),
    # Probes for supervisors and load balancers: no data, no sign-in.
    ("get", "/health/live", None, PUBLIC),
    ("get", "/health/ready", None, PUBLIC),
    (
        "post",
        "/api/v1/obligations/",
        {"state": "AFG", "convention": "APMBC", "kind": "clearance"},
        API_ISU_ONLY_CREATE,
    ),
    (
        "patch",
        "/api/v1/obligations/{lao}/",
        {"notes": "Updated", "lock_version": current_version("obligations.Obligation", pk="{lao}")},
        API_ISU_OR_OWNER,
    ),
    (
        "patch",
        "/api/v1/obligations/{irq}/",
        {"notes": "Updated", "lock_version": current_version("obligations.Obligation", pk="{irq}")},
        _only({"isu", "superuser"}, anonymous=403),
    ),
    (
        "post",
        "/api/v1/obligations/{lao}/extensions/",
        {"new_deadline": "2030-08-01"},
        API_ISU_ONLY_CREATE,
    ),
    # Needs and offers: a Lao PDR need and a Norwegian offer, both seen by States Parties
    # (a partner organisation member belongs to no state: to them they do not exist).
    ("get", "/api/v1/needs/?region=035&area=clearance", None, PUBLIC),
    ("get", "/api/v1/needs/{need}/", None, SEEN_BY_STATES_PARTIES),
    (
        "post",
        "/api/v1/needs/",
        {
            "state": "LAO",
            "convention": "CCM",
            "area": "clearance",
            "modality": "technical",
            "title": "Survey",
        },
        _only({"isu", "superuser", "owner"}, ok=201, anonymous=403),
    ),
    (
        "patch",
        "/api/v1/needs/{need}/",
        {"status": "partly_met", "lock_version": current_version("assistance.Need", pk="{need}")},
        {**API_ISU_OR_OWNER, "partner": 404},
    ),
    (
        "post",
        "/api/v1/needs/{need}/translations/",
        {"language": "fr", "title": "Enquête"},
        {**_only({"isu", "superuser", "owner"}, ok=201, anonymous=403), "partner": 404},
    ),
    ("get", "/api/v1/offers/?region=035", None, PUBLIC),
    ("get", "/api/v1/offers/{offer}/", None, SEEN_BY_STATES_PARTIES),
    (
        "post",
        "/api/v1/offers/",
        {"provider_state": "NOR", "title": "Offer", "areas": ["clearance"]},
        _only({"isu", "superuser", "donor"}, ok=201, anonymous=403),
    ),
    (
        "patch",
        "/api/v1/offers/{offer}/",
        {"status": "closed", "lock_version": current_version("assistance.Offer", pk="{offer}")},
        {**_only({"isu", "superuser", "donor"}, anonymous=403), "partner": 404},
    ),
    # Needs and offers pages (same records as the API rows above). Pages that change a
    # record send an anonymous visitor to sign in first.
    ("get", "/assistance/needs/", None, PUBLIC),
    (
        "get",
        "/assistance/needs/?area=clearance&region=035&status=open&deadline_before=2030-01-01",
        None,
        PUBLIC,
    ),
    ("get", "/assistance/needs/?format=csv", None, PUBLIC),
    ("get", "/assistance/needs/?format=xlsx", None, PUBLIC),
    ("get", "/assistance/needs/{need}/", None, SEEN_BY_STATES_PARTIES),
    ("get", "/assistance/needs/new/", None, _only({"isu", "superuser", "owner", "other_state"})),
    (
        "post",
        "/assistance/needs/new/",
        {
            "state": "LAO",
            "convention": "CCM",
            "area": "clearance",
            "modality": "technical",
            "title": "Survey",
            "language": "en",
            "visibility": "states_parties",
            "status": "open",
        },
        _only({"isu", "superuser", "owner", "other_state"}, ok=302),
    ),
    ("get", "/assistance/needs/{need}/edit/", None, {**ISU_OR_OWNER, "partner": 404}),
    (
        "post",
        "/assistance/needs/{need}/edit/",
        {
            "area": "clearance",
            "modality": "financial",
            "title": "Survey of Xieng Khouang",
            "language": "en",
            "visibility": "states_parties",
            "status": "partly_met",
            "lock_version": current_version("assistance.Need", pk="{need}"),
        },
        {**_only({"isu", "superuser", "owner"}, ok=302), "partner": 404},
    ),
    (
        "get",
        "/assistance/needs/{need}/translations/new/",
        None,
        {**ISU_OR_OWNER, "partner": 404},
    ),
    (
        "post",
        "/assistance/needs/{need}/translations/new/",
        {"language": "fr", "title": "Enquête"},
        {**_only({"isu", "superuser", "owner"}, ok=302), "partner": 404},
    ),
    # An upload with no file: the edit page again, with the error by the file field.
    ("post", "/assistance/needs/{need}/evidence/", {}, {**ISU_OR_OWNER, "partner": 404}),
    # No evidence is attached to the table's need: the download is not found for anyone
    # (downloads per role are tested in icahub/assistance/tests/test_views.py).
    ("get", "/assistance/needs/{need}/evidence/999999/", None, dict.fromkeys(ROLES, 404)),
    ("get", "/assistance/offers/", None, PUBLIC),
    ("get", "/assistance/offers/?area=clearance&region=035&provider_state=NOR", None, PUBLIC),
    ("get", "/assistance/offers/?format=csv", None, PUBLIC),
    ("get", "/assistance/offers/?format=xlsx", None, PUBLIC),
    ("get", "/assistance/offers/{offer}/", None, SEEN_BY_STATES_PARTIES),
    (
        "get",
        "/assistance/offers/new/",
        None,
        _only({"isu", "superuser", "owner", "other_state", "donor", "partner"}),
    ),
    (
        "post",
        "/assistance/offers/new/",
        {
            "provider_state": "NOR",
            "title": "Offer",
            "areas": "clearance",
            "visibility": "public",
            "status": "open",
        },
        _only({"isu", "superuser", "owner", "other_state", "donor", "partner"}, ok=302),
    ),
    (
        "get",
        "/assistance/offers/{offer}/edit/",
        None,
        {**_only({"isu", "superuser", "donor"}), "partner": 404},
    ),
    (
        "post",
        "/assistance/offers/{offer}/edit/",
        {
            "title": "Clearance",
            "areas": "clearance",
            "visibility": "public",
            "status": "closed",
            "lock_version": current_version("assistance.Offer", pk="{offer}"),
        },
        {**_only({"isu", "superuser", "donor"}, ok=302), "partner": 404},
    ),
    # Matching: lists are read like their need or offer; the weights are public, set by the ISU.
    ("get", "/api/v1/needs/{need}/matches/", None, SEEN_BY_STATES_PARTIES),
    ("get", "/api/v1/offers/{offer}/matches", None, SEEN_BY_STATES_PARTIES),
    ("get", "/api/v1/partners/organisation/{org}/matches/", None, PUBLIC),
    ("get", "/api/v1/matching/weights/", None, PUBLIC),
    (
        "patch",
        "/api/v1/matching/weights/",
        {"text": 2, "lock_version": 0},  # the defaults, never changed
        {**_only({"isu", "superuser"}, anonymous=403)},
    ),
    ("get", "/assistance/matching/", None, PUBLIC),
    (
        "post",
        "/assistance/matching/",
        {"area": "1", "lock_version": "0"},
        _only({"isu", "superuser"}, ok=200),
    ),
    ("get", "/assistance/partners/organisation/{org}/", None, PUBLIC),
    # Funding flows: {flow} is Norway's flow to Lao PDR's need, seen by States Parties; the
    # owner (Lao PDR, recipient) and the donor (Norway, giver) are its parties.
    ("get", "/funding/", None, PUBLIC),
    (
        "get",
        "/funding/?giver=NOR&recipient=LAO&area=clearance&year=2024&status=commitment",
        None,
        PUBLIC,
    ),
    ("get", "/funding/?format=csv", None, PUBLIC),
    ("get", "/funding/?format=xlsx", None, PUBLIC),
    ("get", "/funding/?format=hxl", None, PUBLIC),
    ("get", "/funding/?format=iati", None, PUBLIC),
    ("get", "/funding/by/donor/", None, PUBLIC),
    ("get", "/funding/by/recipient/", None, PUBLIC),
    ("get", "/funding/by/area/", None, PUBLIC),
    ("get", "/funding/by/year/?format=csv", None, PUBLIC),
    ("get", "/funding/flows/{flow}/", None, SEEN_BY_STATES_PARTIES),
    ("get", "/funding/flows/new/", None, {**PUBLIC, "anonymous": 302, "coordinator": 403}),
    ("post", "/funding/flows/new/", {}, {**PUBLIC, "anonymous": 302, "coordinator": 403}),
    (
        "get",
        "/funding/flows/{flow}/edit/",
        None,
        {**_only({"isu", "superuser", "owner", "donor"}), "partner": 404},
    ),
    (
        "post",
        "/funding/flows/{flow}/delete/",
        {"lock_version": current_version("funding.Flow", pk="{flow}")},
        {**_only({"isu", "superuser", "owner", "donor"}, ok=302), "partner": 404},
    ),
    (
        "post",
        "/funding/flows/{flow}/merge/",
        {"duplicate": 999999},
        {**_only({"isu", "superuser"}, ok=400), "partner": 404},
    ),
    ("get", "/funding/flows/import/", None, ISU_ONLY),
    ("get", "/funding/exchange-rates/", None, PUBLIC),
    (
        "post",
        "/funding/exchange-rates/",
        {"currency": "EUR", "valid_from": "2024-01-01", "usd_per_unit": "1.08", "source": "test"},
        _only({"isu", "superuser"}, ok=302),
    ),
    ("get", "/api/v1/flows/?giver=NOR&status=commitment", None, PUBLIC),
    ("get", "/api/v1/flows/summary/?by=year", None, PUBLIC),
    ("get", "/api/v1/flows/{flow}/", None, SEEN_BY_STATES_PARTIES),
    (
        "post",
        "/api/v1/flows/",
        {
            "giver_state": "NOR",
            "recipient_state": "LAO",
            "area": "clearance",
            "status": "commitment",
            "amount": "1000",
            "currency": "USD",
            "value_date": "2024-01-31",
        },
        _only({"isu", "superuser", "owner", "donor"}, ok=201, anonymous=403),
    ),
    (
        "patch",
        "/api/v1/flows/{flow}/",
        {"notes_on_use": "Survey.", "lock_version": current_version("funding.Flow", pk="{flow}")},
        {**_only({"isu", "superuser", "owner", "donor"}, anonymous=403), "partner": 404},
    ),
    (
        "delete",
        "/api/v1/flows/{flow}/",
        {"lock_version": current_version("funding.Flow", pk="{flow}")},
        {**_only({"isu", "superuser", "owner", "donor"}, ok=204, anonymous=403), "partner": 404},
    ),
    ("get", "/api/v1/exchange-rates/", None, PUBLIC),
    (
        "post",
        "/api/v1/exchange-rates/",
        {"currency": "EUR", "valid_from": "2024-01-01", "usd_per_unit": "1.08", "source": "test"},
        API_ISU_ONLY_CREATE,
    ),
    # Country Coalitions: a Lao PDR coalition (the owner's state leads) with Norway as an
    # active member (the donor) and NPA invited (the partner). Its existence is public; its
    # workspace is read by members and the ISU only (404 to anyone else).
    ("get", "/coalitions/", None, PUBLIC),
    ("get", "/coalitions/new/", None, _only({"isu", "superuser", "owner", "other_state"})),
    (
        "post",
        "/coalitions/new/",
        {"name": "Lao plan", "lead_state": "LAO", "convention": "CCM"},
        # Lebanon's focal point may only choose Lebanon: the form again, with the error.
        {**_only({"isu", "superuser", "owner"}, ok=302), "other_state": 200},
    ),
    ("get", "/coalitions/{coalition}/", None, PUBLIC),
    ("get", "/coalitions/{coalition}/edit/", None, COALITION_MANAGERS),
    (
        "post",
        "/coalitions/{coalition}/edit/",
        {
            "name": "Lao clearance",
            "status": "active",
            "lock_version": current_version("coalitions.Coalition", pk="{coalition}"),
        },
        {**COALITION_MANAGERS, "isu": 302, "superuser": 302, "owner": 302},
    ),
    ("get", "/coalitions/{coalition}/members/invite/", None, COALITION_MANAGERS),
    (
        "post",
        "/coalitions/{coalition}/members/invite/",
        {"state": "FRA", "role": "observer"},
        {**COALITION_MANAGERS, "isu": 302, "superuser": 302, "owner": 302},
    ),
    ("get", "/coalitions/{coalition}/members/{coalition_member}/role/", None, COALITION_MANAGERS),
    (
        "post",
        "/coalitions/{coalition}/members/{coalition_member}/remove/",
        {"lock_version": current_version("coalitions.CoalitionMember", pk="{coalition_member}")},
        # Norway's donor focal point may leave for Norway.
        {**COALITION_MANAGERS, "isu": 302, "superuser": 302, "owner": 302, "donor": 302},
    ),
    (
        "post",
        "/coalitions/invitations/{coalition_invitation}/accept/",
        {},
        {**dict.fromkeys(ROLES, 404), "anonymous": 302, "partner": 302},
    ),
    (
        "post",
        "/coalitions/invitations/{coalition_invitation}/decline/",
        {},
        {**dict.fromkeys(ROLES, 404), "anonymous": 302, "partner": 302},
    ),
    ("get", "/coalitions/{coalition}/objectives/new/", None, COALITION_MANAGERS),
    (
        "get",
        "/coalitions/{coalition}/objectives/{coalition_objective}/edit/",
        None,
        COALITION_MANAGERS,
    ),
    ("get", "/coalitions/{coalition}/meetings/new/", None, COALITION_MANAGERS),
    ("get", "/coalitions/{coalition}/meetings/{coalition_meeting}/", None, COALITION_READERS),
    ("get", "/coalitions/{coalition}/meetings/{coalition_meeting}/edit/", None, COALITION_MANAGERS),
    # An empty action item: the meeting page again, with the errors.
    (
        "post",
        "/coalitions/{coalition}/meetings/{coalition_meeting}/actions/",
        {},
        COALITION_MANAGERS,
    ),
    ("get", "/coalitions/{coalition}/actions/", None, COALITION_READERS),
    ("get", "/coalitions/{coalition}/actions/?format=csv", None, COALITION_READERS),
    ("get", "/coalitions/{coalition}/actions/?format=xlsx", None, COALITION_READERS),
    (
        "post",
        "/coalitions/{coalition}/actions/{coalition_item}/status/",
        {
            "status": "done",
            "lock_version": current_version("coalitions.ActionItem", pk="{coalition_item}"),
        },
        {**COALITION_MANAGERS, "isu": 302, "superuser": 302, "owner": 302},
    ),
    ("get", "/coalitions/{coalition}/documents/new/", None, COALITION_MANAGERS),
    ("get", "/coalitions/{coalition}/documents/{coalition_document}/", None, COALITION_READERS),
    ("get", "/coalitions/{coalition}/commitments/new/", None, {**COALITION_MANAGERS, "donor": 200}),
    (
        "get",
        "/coalitions/{coalition}/commitments/{coalition_commitment}/edit/",
        None,
        {**COALITION_MANAGERS, "donor": 200},
    ),
    ("get", "/coalitions/{coalition}/gap/", None, COALITION_READERS),
    ("get", "/coalitions/{coalition}/gap/?format=csv", None, COALITION_READERS),
    ("get", "/coalitions/{coalition}/gap/?format=xlsx", None, COALITION_READERS),
    ("get", "/api/v1/coalitions/", None, PUBLIC),
    (
        "post",
        "/api/v1/coalitions/",
        {"name": "Lao plan", "lead_state": "LAO", "convention": "CCM"},
        _only({"isu", "superuser", "owner"}, ok=201, anonymous=403),
    ),
    ("get", "/api/v1/coalitions/{coalition}/", None, PUBLIC),
    (
        "patch",
        "/api/v1/coalitions/{coalition}/",
        {
            "name": "Lao clearance",
            "lock_version": current_version("coalitions.Coalition", pk="{coalition}"),
        },
        COALITION_API_MANAGERS,
    ),
    ("get", "/api/v1/coalitions/{coalition}/members/", None, COALITION_READERS),
    (
        "post",
        "/api/v1/coalitions/{coalition}/members/",
        {"state": "FRA", "role": "observer"},
        {**COALITION_API_MANAGERS, "isu": 201, "superuser": 201, "owner": 201},
    ),
    (
        "patch",
        "/api/v1/coalitions/{coalition}/members/{coalition_member}/",
        {
            "role": "observer",
            "lock_version": current_version("coalitions.CoalitionMember", pk="{coalition_member}"),
        },
        COALITION_API_MANAGERS,
    ),
    ("get", "/api/v1/coalitions/invitations/", None, {**PUBLIC, "anonymous": 403}),
    (
        "post",
        "/api/v1/coalitions/invitations/{coalition_invitation}/accept/",
        {},
        {**dict.fromkeys(ROLES, 404), "anonymous": 403, "partner": 200},
    ),
    (
        "post",
        "/api/v1/coalitions/invitations/{coalition_invitation}/decline/",
        {},
        {**dict.fromkeys(ROLES, 404), "anonymous": 403, "partner": 200},
    ),
    ("get", "/api/v1/coalitions/{coalition}/objectives/", None, COALITION_READERS),
    (
        "post",
        "/api/v1/coalitions/{coalition}/objectives/",
        {"title": "Clear the north"},
        {**COALITION_API_MANAGERS, "isu": 201, "superuser": 201, "owner": 201},
    ),
    ("get", "/api/v1/coalitions/{coalition}/meetings/", None, COALITION_READERS),
    (
        "post",
        "/api/v1/coalitions/{coalition}/meetings/",
        {"title": "Review", "starts_at": "2026-06-01T09:00:00Z", "place": "Vientiane"},
        {**COALITION_API_MANAGERS, "isu": 201, "superuser": 201, "owner": 201},
    ),
    (
        "delete",
        "/api/v1/coalitions/{coalition}/members/{coalition_member}/",
        {"lock_version": current_version("coalitions.CoalitionMember", pk="{coalition_member}")},
        # Norway's donor focal point may leave for Norway; the answer is the member, now left.
        {**COALITION_API_MANAGERS, "isu": 200, "superuser": 200, "owner": 200, "donor": 200},
    ),
    (
        "post",
        "/api/v1/coalitions/{coalition}/meetings/{coalition_meeting}/action-items/",
        {"text": "Survey", "owner": "{coalition_member}"},
        {**COALITION_API_MANAGERS, "isu": 201, "superuser": 201, "owner": 201},
    ),
    ("get", "/api/v1/coalitions/{coalition}/commitments/", None, COALITION_READERS),
    (
        "post",
        "/api/v1/coalitions/{coalition}/commitments/",
        {
            "member": "{coalition_member}",
            "need": "{need}",
            "amount": "100",
            "currency": "USD",
            "value_date": "2026-02-01",
        },
        {**COALITION_API_MANAGERS, "isu": 201, "superuser": 201, "owner": 201, "donor": 201},
    ),
    ("get", "/api/v1/coalitions/{coalition}/gap/", None, COALITION_READERS),
    # Relays of the table's need: {relay} made today (open to objection, to HALO); {sent}
    # made 400 days ago to Norway and NPA, sent, with its 12-month follow-up asked;
    # {npa_answer} is NPA's row of {sent}, {follow_up} the question to Lao PDR. Partners see
    # a relay only once sent, and only their own row; {notification} is someone else's. A
    # superuser holds every permission (Django's rule), so may also act for a state or partner.
    ("get", "/relays/", None, _only({"isu", "superuser", "coordinator"})),
    ("get", "/relays/mine/", None, _only(set(ROLES) - {"anonymous"})),
    ("get", "/relays/report/?year=2026", None, PUBLIC),
    ("get", "/relays/report/?year=2026&format=xlsx", None, PUBLIC),
    (
        "get",
        "/relays/needs/{need}/new/",
        None,
        {**_only({"isu", "superuser", "coordinator"}), "partner": 404},
    ),
    (
        "post",
        "/relays/needs/{need}/new/",
        {"q": "Norway", "action": "search"},
        {**_only({"isu", "superuser", "coordinator"}), "partner": 404},
    ),
    (
        "get",
        "/relays/{relay}/",
        None,
        _only({"isu", "superuser", "coordinator", "owner"}, refused=404),
    ),
    (
        "get",
        "/relays/{sent}/",
        None,
        _only({"isu", "superuser", "coordinator", "owner", "donor", "partner"}, refused=404),
    ),
    (
        "get",
        "/relays/{relay}/objection/",
        None,
        {**_only({"owner", "superuser"}, refused=404), "isu": 403, "coordinator": 403},
    ),
    (
        "post",
        "/relays/{relay}/objection/",
        {"objection_reason": "Not now"},
        {**_only({"owner", "superuser"}, ok=302, refused=404), "isu": 403, "coordinator": 403},
    ),
    (
        "post",
        "/relays/{relay}/cancel/",
        {},
        {**_only({"isu", "superuser", "coordinator"}, ok=302, refused=404), "owner": 403},
    ),
    (
        "get",
        "/relays/answers/{npa_answer}/",
        None,
        {
            **_only({"partner", "superuser"}, refused=404),
            **dict.fromkeys(["isu", "coordinator", "owner"], 403),
        },
    ),
    (
        "post",
        "/relays/answers/{npa_answer}/",
        {"answer": "interested"},
        {
            **_only({"partner", "superuser"}, ok=302, refused=404),
            **dict.fromkeys(["isu", "coordinator", "owner"], 403),
        },
    ),
    (
        "get",
        "/relays/follow-ups/{follow_up}/",
        None,
        {
            **_only({"owner", "superuser"}, refused=404),
            **dict.fromkeys(["isu", "coordinator", "donor", "partner"], 403),
        },
    ),
    (
        "post",
        "/relays/follow-ups/{follow_up}/",
        {"answer": "fully"},
        {
            **_only({"owner", "superuser"}, ok=302, refused=404),
            **dict.fromkeys(["isu", "coordinator", "donor", "partner"], 403),
        },
    ),
    ("get", "/notifications/", None, _only(set(ROLES) - {"anonymous"})),
    ("post", "/notifications/{notification}/read/", {}, _only(set(), refused=404)),
    ("post", "/notifications/read-all/", {}, _only(set(ROLES) - {"anonymous"}, ok=302)),
    ("get", "/api/v1/relays/", None, PUBLIC),
    (
        "get",
        "/api/v1/relays/{relay}/",
        None,
        _only({"isu", "superuser", "coordinator", "owner"}, anonymous=404, refused=404),
    ),
    (
        "post",
        "/api/v1/needs/{need}/relays/",
        {"states": ["FRA"]},
        {**_only({"isu", "superuser", "coordinator"}, ok=201, anonymous=403), "partner": 404},
    ),
    (
        "post",
        "/api/v1/relays/{relay}/objection/",
        {"reason": "Not now"},
        {
            **_only({"owner", "superuser"}, anonymous=403, refused=404),
            **dict.fromkeys(["isu", "coordinator"], 403),
        },
    ),
    (
        "post",
        "/api/v1/relays/{sent}/answers/",
        {"answer": "interested"},
        {
            **_only({"donor", "partner"}, anonymous=403),
            "other_state": 404,
        },
    ),
    (
        "post",
        "/api/v1/follow-ups/{follow_up}/answer/",
        {"answer": "fully"},
        {**_only({"owner", "superuser"}, anonymous=403), "other_state": 404},
    ),
    ("get", "/api/v1/notifications/", None, _only(set(ROLES) - {"anonymous"}, anonymous=403)),
    (
        "post",
        "/api/v1/notifications/{notification}/read/",
        {},
        _only(set(), anonymous=403, refused=404),
    ),
    (
        "post",
        "/api/v1/notifications/read-all/",
        {},
        _only(set(ROLES) - {"anonymous"}, anonymous=403),
    ),
    # An import job (uploaded by an ISU user): its uploader and the ISU follow it.
    ("get", "/imports/{import_job}/", None, ISU_ONLY),
    ("get", "/fr/imports/{import_job}/", None, ISU_ONLY),
    ("get", "/api/v1/imports/{import_job}/", None, _only({"isu", "superuser"}, anonymous=403)),
]


def _login(client: Client, role: str) -> None:
    if role == "anonymous":
        return
    states = {s.iso3: s for s in State.objects.filter(iso3__in=["LAO", "LBN", "NOR"])}
    attributes = {
        "isu": {"role": "isu"},
        "coordinator": {"role": "coordinator"},
        "owner": {"role": "state_focal_point", "state": states["LAO"]},
        "other_state": {"role": "state_focal_point", "state": states["LBN"]},
        "donor": {"role": "donor_focal_point", "state": states["NOR"]},
        "partner": {"role": "partner", "organisation": Organisation.objects.get(acronym="NPA")},
        "superuser": {"is_superuser": True, "is_staff": True},
    }[role]
    user = User.objects.create_user(username=f"walk-{role}", password=None, **attributes)
    client.force_login(user)


def _reports() -> dict[str, int]:
    """Lao PDR's CCM reports: 2018 submitted, 2019 published, 2020 a draft."""
    import datetime as dt

    from icahub.registry.models import Convention
    from icahub.reports import services

    state, ccm = State.objects.get(iso3="LAO"), Convention.objects.get(code="CCM")
    isu = User.objects.create_user(username="walk-reports-isu", password=None, role="isu")
    ids = {}
    for name, year in (("submitted", 2018), ("published", 2019), ("draft", 2020)):
        report = services.report_start(
            state=state, convention=ccm, kind="annual", reporting_year=year
        )
        if name != "draft":
            version = services.report_submit(
                report=report, user=isu, submitted_on=dt.date(year + 1, 4, 1)
            )
            if name == "published":
                services.version_publish(version=version)
        ids[name] = report.pk
    return ids


def _assistance() -> dict[str, int]:
    """A Lao PDR need and a Norwegian offer, both seen by States Parties."""
    from icahub.assistance import services
    from icahub.registry.models import Convention

    need = services.need_create(
        state=State.objects.get(iso3="LAO"),
        convention=Convention.objects.get(code="CCM"),
        area="clearance",
        modality="financial",
        title="Survey of Xieng Khouang",
    )
    offer = services.offer_create(
        provider_state=State.objects.get(iso3="NOR"), title="Clearance", areas=["clearance"]
    )
    return {"need": need.pk, "offer": offer.pk}


def _funding(need_pk: int) -> dict[str, int]:
    """Norway's commitment to the Lao PDR need, seen by States Parties."""
    import datetime as dt
    from decimal import Decimal

    from icahub.funding import services

    flow = services.flow_create(
        giver_state=State.objects.get(iso3="NOR"),
        need_id=need_pk,
        status="commitment",
        amount=Decimal("1000"),
        currency="USD",
        value_date=dt.date(2024, 1, 31),
        visibility="states_parties",
    )
    return {"flow": flow.pk}


def _coalitions(need_pk: int) -> dict[str, int]:
    """A Lao PDR coalition: Norway active, NPA invited; the table's need in its plan, a
    meeting with an action item, a document and Norway's commitment."""
    import datetime as dt
    from decimal import Decimal

    from django.core.files.uploadedfile import SimpleUploadedFile

    from icahub.assistance.models import Need
    from icahub.coalitions import services
    from icahub.registry.models import Convention

    coalition = services.coalition_create(
        lead_state=State.objects.get(iso3="LAO"),
        convention=Convention.objects.get(code="CCM"),
        name="Lao clearance",
    )
    norway = services.member_invite(coalition=coalition, state=State.objects.get(iso3="NOR"))
    services.invitation_accept(member=norway)
    invitation = services.member_invite(
        coalition=coalition, organisation=Organisation.objects.get(acronym="NPA")
    )
    need = Need.objects.get(pk=need_pk)
    objective = services.objective_save(coalition=coalition, title="Clear", needs=[need])
    meeting = services.meeting_create(
        coalition=coalition,
        title="Kick-off",
        starts_at=dt.datetime(2026, 3, 1, 9, tzinfo=dt.UTC),
        place="Vientiane",
    )
    item = services.action_item_create(meeting=meeting, text="Survey", owner=norway)
    document = services.document_upload(
        coalition=coalition,
        title="Plan",
        file=SimpleUploadedFile("plan.pdf", b"%PDF-1.4 plan\n%%EOF\n", "application/pdf"),
    )
    commitment = services.commitment_create(
        coalition=coalition,
        member=norway,
        need=need,
        amount=Decimal("100"),
        currency="USD",
        value_date=dt.date(2026, 2, 1),
    )
    return {
        "coalition": coalition.pk,
        "coalition_member": norway.pk,
        "coalition_invitation": invitation.pk,
        "coalition_objective": objective.pk,
        "coalition_meeting": meeting.pk,
        "coalition_item": item.pk,
        "coalition_document": document.pk,
        "coalition_commitment": commitment.pk,
    }


def _relays(need_pk: int) -> dict[str, int]:
    """See the relay rows of TABLE."""
    import datetime as dt

    from django.utils import timezone

    from icahub.assistance.models import Need
    from icahub.notifications.services import notify
    from icahub.relays import services

    need = Need.objects.get(pk=need_pk)
    isu = User.objects.create_user(username="walk-relays-isu", password=None, role="isu")
    today = timezone.localdate()
    sent = services.relay_create(
        need=need,
        partners=[State.objects.get(iso3="NOR"), Organisation.objects.get(acronym="NPA")],
        user=isu,
        today=today - dt.timedelta(days=400),
    )
    services.relay_advance(today=today - dt.timedelta(days=390))
    services.relay_advance(today=today)
    relay = services.relay_create(
        need=need, partners=[Organisation.objects.get(acronym="HALO")], user=isu, today=today
    )
    return {
        "relay": relay.pk,
        "sent": sent.pk,
        "npa_answer": sent.recipients.get(organisation__acronym="NPA").pk,
        "follow_up": sent.follow_ups.get(recipient__isnull=True).pk,
        "notification": notify(users=[isu], subject="Walk", send_email=False)[0].pk,
    }


def _imports() -> dict[str, int]:
    """A finished import of exchange rates by an ISU user."""
    from icahub.imports.models import ImportJob

    isu = User.objects.create_user(username="walk-imports-isu", password=None, role="isu")
    job = ImportJob.objects.create(
        kind="exchange_rates",
        created_by=isu,
        file_name="rates.csv",
        status="done",
        result={"count": 0, "message": "0 rates were added.", "url": "/funding/exchange-rates/"},
    )
    return {"import_job": job.pk}


def build_records() -> dict[str, int]:
    """The records the table's URLs point at; returns the ids that fill its placeholders
    (also used by test_no_leaks.py)."""
    ids = {
        "lao": Obligation.objects.get(state__iso3="LAO", kind="clearance").pk,
        "irq": Obligation.objects.get(state__iso3="IRQ", kind="clearance").pk,
        "org": Organisation.objects.get(acronym="NPA").pk,
        "other_org": Organisation.objects.get(acronym="HALO").pk,
        **_reports(),
        **_assistance(),
    }
    ids |= _funding(ids["need"])
    ids |= _coalitions(ids["need"])
    ids |= _relays(ids["need"])
    ids |= _imports()
    return ids


def _cases():
    for method, url, body, expected in TABLE:
        for role in ROLES:
            yield pytest.param(method, url, body, role, expected[role], id=f"{role}-{method}-{url}")


@pytest.fixture(scope="module")
def records(django_db_setup, django_db_blocker, tmp_path_factory):
    """The records the table's URLs point at, built once per module (and test worker) in a
    transaction rolled back at the end; each case then runs in its own savepoint, as with
    Django's ``setUpTestData``. Building them for each of the ~1,100 cases took most of the
    suite's time."""
    from django.db import transaction
    from django.test.utils import override_settings

    documents = str(tmp_path_factory.mktemp("coalition-documents"))
    with (
        django_db_blocker.unblock(),
        override_settings(COALITION_DOCUMENTS_ROOT=documents),
    ):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield {"ids": build_records(), "documents": documents}
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.mark.parametrize(("method", "url", "body", "role", "status"), list(_cases()))
def test_access(method, url, body, role, status, settings, records):
    # given a user of this role (and uploaded files kept out of the checkout)
    settings.COALITION_DOCUMENTS_ROOT = records["documents"]
    client = Client()
    _login(client, role)
    ids = records["ids"]

    # when they call the endpoint
    target = url.format(**ids)
    if isinstance(body, dict):
        body = {
            key: value.format(**ids)
            if isinstance(value, str)
            else value.resolve(ids)
            if isinstance(value, current_version)
            else value
            for key, value in body.items()
        }
    if method == "get":
        response = client.get(target)
    elif method == "post" and target.startswith("/api/"):
        response = client.post(target, body, content_type="application/json")
    elif method == "post":
        response = client.post(target, body)
    elif method == "delete":
        # A DELETE names the version it read in the query string (optimistic locking).
        response = client.delete(f"{target}?{urlencode(body)}" if body else target)
    else:
        response = client.patch(target, body, content_type="application/json")

    # then the answer is the one the table gives
    assert response.status_code == status, response.content[:300]


# Routes the table does not walk: Django's admin site (its own staff-only views, hundreds of
# them; the table has a row for its index). Everything else, named or not, needs a row.
NOT_WALKED_APPS = {"admin"}
API_METHODS = ("get", "post", "put", "patch", "delete")


def _routes(patterns, prefix: str = "", namespace: str = ""):
    """Every route of the site and the API as (key, view): the key is the route's name
    (with its namespace) or, for a route without a name, its pattern."""
    from django.urls import URLPattern, URLResolver

    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.app_name in NOT_WALKED_APPS:
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            key = f"{namespace}{pattern.name}" if pattern.name else prefix + str(pattern.pattern)
            yield key, pattern.callback


def _api_methods(view) -> set[str]:
    """The HTTP methods an API view (Django REST framework) answers; empty for pages, whose
    methods the table cannot tell from the outside (a function view may take GET and POST)."""
    cls = getattr(view, "cls", None)
    if cls is None:
        return set()
    return {method for method in API_METHODS if hasattr(cls, method)}


class _AnyId(dict):
    def __missing__(self, key):
        return "10"


def _walked() -> set[tuple[str, str]]:
    """(route key, method) for every row of the table, each URL resolved in the language
    of its prefix."""
    from django.urls import resolve
    from django.utils import translation

    walked = set()
    for method, url, _, _ in TABLE:
        path = url.format_map(_AnyId()).split("?")[0]
        language = path.split("/")[1] if path.split("/")[1] in {"fr", "es", "ar"} else "en"
        with translation.override(language):
            match = resolve(path)
        key = match.view_name if match.url_name else f"{match.route}"
        walked.add((key, method))
    return walked


def test_the_table_walks_every_route():
    # given every route of the site and the API (from the URL resolver, so a route another
    # change adds is in it at once), and every method each API endpoint answers
    from django.urls import get_resolver

    routes = dict(_routes(get_resolver().url_patterns))

    # when the table's URLs are resolved
    walked = _walked()
    walked_routes = {key for key, _ in walked}

    # then every route has at least one row, and every method of an API endpoint has one
    assert sorted(set(routes) - walked_routes) == [], "routes with no row in TABLE"
    missing_methods = sorted(
        f"{method.upper()} {key}"
        for key, view in routes.items()
        for method in _api_methods(view)
        if (key, method) not in walked
    )
    assert missing_methods == [], "API methods with no row in TABLE"


def test_the_guard_sees_routes_without_a_name():
    # given a route with no name, as a helper might add
    from django.urls import include, path

    extra = path("pages/", include([path("nameless/", lambda request: None)]))

    # when the routes are listed, then it is there, keyed by its pattern
    assert "pages/nameless/" in dict(_routes([extra]))
