"""The flows and exchange-rates API: filters, writes per role, errors naming fields."""

from __future__ import annotations

import datetime as dt

import pytest

from icahub.funding.models import ExchangeRate, Flow
from icahub.funding.tests.conftest import make_flow

pytestmark = pytest.mark.django_db

BODY = {
    "giver_state": "NOR",
    "recipient_state": "LAO",
    "area": "clearance",
    "status": "commitment",
    "amount": "250000.00",
    "currency": "nok",
    "value_date": "2024-02-01",
    "cooperation_model": "bilateral",
    "notes_on_use": "Technical survey in Xieng Khouang.",
}


def test_a_donor_records_a_flow_and_sees_it_valued(api, donor_user, nok_rates):
    api.force_authenticate(donor_user)
    response = api.post("/api/v1/flows/", BODY, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["giver"] == "NOR" and body["recipient"] == "LAO"
    assert body["currency"] == "NOK" and body["usd_value"] == "22500.00"
    assert body["counts_as_funding"] is True and body["year"] == 2024


def test_errors_name_the_field(api, isu_user, lao_need):
    api.force_authenticate(isu_user)
    cases = [
        ({**BODY, "giver_state": "XXX"}, "giver_state"),
        ({**BODY, "amount": "-1"}, "amount"),
        ({**BODY, "currency": "NO"}, "currency"),
        ({**BODY, "value_date": "2024-02-30"}, "value_date"),
        ({**BODY, "usd_value": "1"}, "usd_value"),
        ({**BODY, "recipient_state": "LBN", "need": lao_need.pk}, "recipient_state"),
        ({k: v for k, v in BODY.items() if k != "giver_state"}, "giver_state"),
    ]
    for body, field in cases:
        response = api.post("/api/v1/flows/", body, format="json")
        assert response.status_code == 400, body
        assert field in response.json(), (field, response.json())
    assert not Flow.objects.exists()


def test_writes_per_role(api, nor, lao, lbn_focal_point, partner_user, donor_user):
    flow = make_flow(giver_state=nor, recipient_state=lao, visibility="public")
    # a partner of NPA may not record a flow between two states
    api.force_authenticate(partner_user)
    assert api.post("/api/v1/flows/", BODY, format="json").status_code == 403
    # Lebanon's focal point sees the public flow but may not change or delete it
    api.force_authenticate(lbn_focal_point)
    assert (
        api.patch(
            f"/api/v1/flows/{flow.pk}/", {"amount": "1", "lock_version": 0}, format="json"
        ).status_code
        == 403
    )
    assert api.delete(f"/api/v1/flows/{flow.pk}/?lock_version=0").status_code == 403
    # Norway's donor changes, then deletes it
    api.force_authenticate(donor_user)
    response = api.patch(
        f"/api/v1/flows/{flow.pk}/", {"status": "disbursement", "lock_version": 0}, format="json"
    )
    assert response.status_code == 200 and response.json()["status"] == "disbursement"
    assert api.delete(f"/api/v1/flows/{flow.pk}/?lock_version=1").status_code == 204
    assert not Flow.objects.exists()


def test_filters(api, nor, lao, lbn, npa, lao_need):
    make_flow(giver_state=nor, need=lao_need, status="pledge")
    make_flow(
        giver_organisation=npa,
        recipient_state=lbn,
        value_date=dt.date(2022, 1, 1),
    )
    org = f"organisation:{npa.pk}"
    assert len(api.get("/api/v1/flows/?giver=NOR").json()) == 1
    assert len(api.get(f"/api/v1/flows/?giver={org}").json()) == 1
    assert len(api.get("/api/v1/flows/?recipient=state:LBN&year=2022").json()) == 1
    assert len(api.get(f"/api/v1/flows/?need={lao_need.pk}&status=pledge").json()) == 1
    assert api.get("/api/v1/flows/?status=promise").status_code == 400
    assert api.get("/api/v1/flows/summary/?by=colour").json() == {
        "by": ["Choose one of: donor, recipient, area, year, status."]
    }
    summary = api.get("/api/v1/flows/summary/?by=donor").json()
    assert {row["key"] for row in summary["rows"]} == {"NOR", org}
    assert summary["total"]["pledged_usd"] == "1000.00"
    assert summary["total"]["funded_usd"] == "1000.00"


def test_exchange_rates(api, isu_user, donor_user):
    body = {"currency": "EUR", "valid_from": "2024-01-01", "usd_per_unit": "1.08", "source": "UN"}
    assert api.post("/api/v1/exchange-rates/", body, format="json").status_code == 403
    api.force_authenticate(donor_user)
    assert api.post("/api/v1/exchange-rates/", body, format="json").status_code == 403
    api.force_authenticate(isu_user)
    bad = api.post("/api/v1/exchange-rates/", {**body, "currency": "USD"}, format="json")
    assert bad.status_code == 400 and "currency" in bad.json()
    assert api.post("/api/v1/exchange-rates/", body, format="json").status_code == 201
    api.force_authenticate(None)
    assert api.get("/api/v1/exchange-rates/?currency=eur").json()[0]["usd_per_unit"] == (
        "1.0800000000"
    )
    assert ExchangeRate.objects.count() == 1
