"""The annual "matches made" report on a fixed scenario."""

import datetime as dt
from decimal import Decimal
from unittest import mock

import pytest
from openpyxl import load_workbook

from icahub.assistance import services as assistance_services
from icahub.funding.models import ExchangeRate
from icahub.registry.models import Convention, State
from icahub.relays import selectors, services

pytestmark = pytest.mark.django_db


def _at(day: dt.date):
    return mock.patch(
        "django.utils.timezone.now",
        return_value=dt.datetime.combine(day, dt.time(10), tzinfo=dt.UTC),
    )


@pytest.fixture
def scenario(isu_user, lao_focal_point, partner_user, donor_user, nor, npa):
    """2025: two Lao needs (clearance, victim assistance) and one Lebanese need; one offer.
    Relay A (clearance, to Norway and NPA) is sent; NPA pledges 10,000 EUR (rate 1.2),
    Norway declines. Relay B (victim assistance, to NPA) is objected to. In 2026 the
    follow-up of relay A is asked: the state says "partly", NPA does not answer yet."""
    ExchangeRate.objects.create(
        currency="EUR", valid_from=dt.date(2025, 1, 1), usd_per_unit=Decimal("1.2"), source="UN"
    )
    ccm = Convention.objects.get(code="CCM")
    lao, lbn = State.objects.get(iso3="LAO"), State.objects.get(iso3="LBN")
    with _at(dt.date(2025, 2, 3)):
        clearance = assistance_services.need_create(
            state=lao, convention=ccm, area="clearance", modality="technical", title="A"
        )
        assistance = assistance_services.need_create(
            state=lao, convention=ccm, area="victim_assistance", modality="financial", title="B"
        )
        assistance_services.need_create(
            state=lbn, convention=ccm, area="clearance", modality="technical", title="C"
        )
        assistance_services.offer_create(
            provider_state=nor, title="Offer", areas=["clearance", "risk_education"]
        )
        relay_a = services.relay_create(
            need=clearance, partners=[nor, npa], user=isu_user, today=dt.date(2025, 2, 3)
        )
        relay_b = services.relay_create(
            need=assistance, partners=[npa], user=isu_user, today=dt.date(2025, 2, 3)
        )
    services.relay_object(
        relay=relay_b, user=lao_focal_point, reason="No", today=dt.date(2025, 2, 5)
    )
    services.relay_advance(today=dt.date(2025, 2, 11))
    services.relay_answer(
        recipient=relay_a.recipients.get(organisation=npa),
        user=partner_user,
        answer="pledged",
        amount=Decimal("10000"),
        currency="EUR",
        today=dt.date(2025, 3, 1),
    )
    services.relay_answer(
        recipient=relay_a.recipients.get(state=nor),
        user=donor_user,
        answer="declined",
        today=dt.date(2025, 3, 1),
    )
    services.relay_advance(today=dt.date(2026, 2, 11))
    question = relay_a.follow_ups.get(recipient__isnull=True)
    with _at(dt.date(2026, 2, 20)):
        services.follow_up_answer(follow_up=question, user=lao_focal_point, answer="partly")


def test_the_year_of_the_relays(scenario):
    report = selectors.matches_report(year=2025)
    total = report["total"]
    assert (total["requests"], total["offers"]) == (3, 1)
    assert (total["relays_created"], total["relays_objected"], total["relays_sent"]) == (2, 1, 1)
    assert (total["matches"], total["pledged_usd"], total["pledges_unvalued"]) == (
        1,
        Decimal("12000.00"),
        0,
    )
    assert total["fully"] + total["partly"] + total["not_met"] + total["unanswered"] == 0

    by_area = {row["code"]: row for row in report["by_area"]}
    assert by_area["clearance"]["requests"] == 2
    assert by_area["clearance"]["offers"] == 1 and by_area["risk_education"]["offers"] == 1
    assert by_area["clearance"]["matches"] == 1
    assert by_area["victim_assistance"]["relays_objected"] == 1

    by_region = {row["code"]: row for row in report["by_region"]}
    assert by_region["142"]["requests"] == 3  # Asia: Lao PDR and Lebanon
    assert by_region["142"]["relays_sent"] == 1


def test_the_year_of_the_follow_up(scenario):
    total = selectors.matches_report(year=2026)["total"]
    assert (total["partly"], total["unanswered"], total["fully"]) == (1, 2, 0)
    assert total["requests"] == 0


def test_the_report_page_and_its_xlsx(scenario, client):
    response = client.get("/relays/report/?year=2025")
    assert response.status_code == 200
    text = response.content.decode()
    assert "Matches made in 2025" in text
    assert "<svg" in text and "<caption>By area, 2025</caption>" in text

    response = client.get("/relays/report/?year=2025&format=xlsx")
    sheet = load_workbook(filename=__import__("io").BytesIO(response.content)).active
    header = [cell.value for cell in sheet[1]]
    total = dict(zip(header, [cell.value for cell in sheet[2]], strict=True))
    assert total["Relays sent"] == 1
    assert total["Pledged (USD)"] == 12000.0


def test_a_bad_year_shows_the_current_year_with_the_error(client):
    response = client.get("/relays/report/?year=abc")
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
