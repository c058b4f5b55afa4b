"""Matching with the database: stored ranked lists, explanations, incremental recompute,
potential partners from funding flows, visibility, API and pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from icahub.assistance import matching, services
from icahub.assistance.models import Match, MatchSide
from icahub.assistance.tests.conftest import make_need
from icahub.funding.services import flow_create
from icahub.registry.models import Organisation, State


def _offer(title, **values):
    defaults = {"areas": ["clearance"], "visibility": "public"}
    return services.offer_create(title=title, **{**defaults, **values})


@pytest.fixture
def scenario(lao, ccm, nor, npa):
    """A Lao clearance need (financial, English, USD 1m to find) and three offers: one fits
    on every factor, one is in another area, one fits the area but little else."""
    need = make_need(
        lao,
        ccm,
        title="Clearance of cluster munition remnants in Xieng Khouang",
        description="Battle area clearance of contaminated farmland.",
        budget_required=Decimal("1000000"),
        currency="USD",
        visibility="public",
    )
    best = _offer(
        "Grants for cluster munition clearance in Lao PDR",
        provider_state=nor,
        description="Funding for clearance of cluster munition remnants on farmland.",
        modalities=["financial"],
        priority_countries=[lao],
        languages=["en"],
        budget_envelope=Decimal("500000"),
        currency="USD",
    )
    other_area = _offer(
        "Rehabilitation for survivors",
        provider_organisation=Organisation.objects.get(acronym="HI"),
        description="Physiotherapy and prosthetics for survivors.",
        areas=["victim_assistance"],
        modalities=["financial"],
        priority_countries=[lao],
        languages=["en"],
    )
    weak = _offer(
        "Legal drafting support in Latin America",
        provider_organisation=npa,
        description="Advice on national implementation legislation.",
        modalities=["legal"],
        priority_regions=["419"],
        languages=["es"],
    )
    matching.recompute_all()
    return {"need": need, "best": best, "other_area": other_area, "weak": weak}


def test_a_fixed_scenario_ranks_the_offers_and_explains_each_score(scenario, isu_user):
    # when the need's list is read
    lines = matching.need_matches(user=isu_user, need=scenario["need"])

    # then the full fit comes first, the weak fit in the area second, the other area last
    assert [line["offer"] for line in lines] == [
        scenario["best"],
        scenario["weak"],
        scenario["other_area"],
    ]
    assert lines[0]["score"] > lines[1]["score"] > lines[2]["score"]
    best = {part["factor"]: part for part in lines[0]["explanation"]}
    assert sum(part["contribution"] for part in best.values()) == pytest.approx(
        lines[0]["score"], abs=1e-3
    )
    assert best["area"]["text"] == "Offers help in clearance, the need's area."
    assert best["modality"]["text"] == "Gives financial assistance, the kind asked for."
    assert best["geography"]["text"] == (
        "Names Lao People's Democratic Republic among its priority countries."
    )
    assert best["budget"]["text"] == "Its envelope covers 50% of the budget still to be found."
    outside = {part["factor"]: part for part in lines[2]["explanation"]}
    assert "its score is halved" in outside["area"]["text"]
    weak = {part["factor"]: part for part in lines[1]["explanation"]}
    assert weak["language"]["text"] == "Does not list English among its working languages."
    assert weak["geography"]["text"] == "Its geographic priorities lie elsewhere."


def test_the_offer_side_lists_the_needs_it_fits(scenario, lao, ccm, isu_user):
    lines = matching.offer_matches(user=isu_user, offer=scenario["best"])

    assert [line["need"] for line in lines] == [scenario["need"]]
    assert lines[0]["partner"] == {
        "kind": "state",
        "id": scenario["best"].provider_state_id,
        "name": "Norway",
    }


def test_a_french_need_finds_the_english_offer_that_fits_it(lao, ccm, nor, npa, isu_user):
    # given a French clearance need and two English offers in the same area and country,
    # one about clearance and one about survivors' support, alike on every other factor
    need = make_need(
        State.objects.get(iso3="LBN"),
        ccm,
        language="fr",
        title="Dépollution des terres contaminées par les sous-munitions",
        description="Équipes de déminage pour dégager les terres agricoles contaminées.",
        visibility="public",
    )
    clearance = _offer(
        "Clearance teams",
        provider_organisation=npa,
        description="Demining teams to clear farmland contaminated by cluster munitions.",
    )
    support = _offer(
        "Peer support",
        provider_state=nor,
        description="Psychological peer support groups and income for survivors' families.",
    )

    matching.recompute_all()
    lines = matching.need_matches(user=isu_user, need=need)

    # then the clearance offer ranks first because of the text alone
    assert [line["offer"] for line in lines] == [clearance, support]
    text = [{p["factor"]: p for p in line["explanation"]}["text"]["contribution"] for line in lines]
    assert text[0] > text[1]


def test_a_new_offer_enters_the_lists_incrementally_and_a_closed_one_leaves(
    scenario, nor, isu_user
):
    need = scenario["need"]
    offer = _offer(
        "Second Norwegian grant", provider_state=nor, modalities=["financial"], languages=["en"]
    )

    result = matching.recompute(offer_ids=[offer.pk])

    assert result.needs == 1  # the need whose list the offer entered, and only that one
    assert offer in [line["offer"] for line in matching.need_matches(user=isu_user, need=need)]
    assert Match.objects.filter(side=MatchSide.OFFER, offer=offer).count() == 1

    services.offer_update(offer=offer, data={"status": "closed"})
    matching.recompute(offer_ids=[offer.pk])

    assert offer not in [line["offer"] for line in matching.need_matches(user=isu_user, need=need)]
    assert not Match.objects.filter(offer=offer).exists()


def test_a_met_need_leaves_every_offers_list(scenario, isu_user):
    need = scenario["need"]
    services.need_update(need=need, data={"status": "met"})

    matching.recompute(need_ids=[need.pk])

    assert not Match.objects.filter(need=need).exists()
    assert matching.offer_matches(user=isu_user, offer=scenario["best"]) == []


def test_saving_a_need_schedules_its_recompute_after_commit(
    lao, ccm, nor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        offer = _offer("Clearance grants", provider_state=nor)
        need = make_need(lao, ccm, visibility="public")

    assert len(callbacks) == 1  # one recompute for the whole transaction
    assert Match.objects.filter(side=MatchSide.NEED, need=need, offer=offer).exists()


def test_a_state_with_funding_history_but_no_offer_is_proposed_as_a_partner(lao, ccm, isu_user):
    # given Japan funded clearance in Cambodia (same sub-region) and in Lao PDR, no offer
    japan, cambodia = State.objects.get(iso3="JPN"), State.objects.get(iso3="KHM")
    need = make_need(lao, ccm, visibility="public")
    for recipient in (cambodia, lao):
        flow_create(
            giver_state=japan,
            recipient_state=recipient,
            area="clearance",
            status="disbursement",
            amount=Decimal("250000"),
            currency="USD",
            value_date=dt.date(2024, 5, 1),
        )

    matching.recompute_all()
    lines = matching.need_matches(user=isu_user, need=need)

    # then Japan is in the need's list as a partner without an offer, and why
    assert lines[0]["offer"] is None
    assert lines[0]["partner"] == {"kind": "state", "id": japan.pk, "name": "Japan"}
    parts = {p["factor"]: p["text"] for p in lines[0]["explanation"]}
    assert parts["past_cooperation"] == (
        "1 funding flow already between Japan and Lao People's Democratic Republic."
    )
    assert parts["geography"] == "Has worked with Lao People's Democratic Republic before."
    # and the partner's own list of needs is computed on demand
    needs = matching.partner_needs(user=isu_user, kind="state", pk=japan.pk)
    assert [line["need"] for line in needs] == [need]


def test_pledges_do_not_count_as_cooperation(lao, ccm, isu_user):
    japan = State.objects.get(iso3="JPN")
    make_need(lao, ccm, visibility="public")
    flow_create(
        giver_state=japan,
        recipient_state=lao,
        area="clearance",
        status="pledge",
        amount=Decimal("1000"),
        currency="USD",
        value_date=dt.date(2024, 5, 1),
    )

    matching.recompute_all()

    assert not Match.objects.filter(partner_state=japan).exists()


def test_lines_pointing_at_offers_the_reader_may_not_see_are_left_out(
    scenario, nor, lbn_focal_point
):
    private = _offer("Private grant", provider_state=nor, visibility="private")
    matching.recompute_all()

    offers = [
        line["offer"] for line in matching.need_matches(user=lbn_focal_point, need=scenario["need"])
    ]

    assert private not in offers
    assert scenario["best"] in offers


# --- API ---------------------------------------------------------------------------------


def test_api_need_matches_are_ranked_with_explanations(api, scenario):
    response = api.get(f"/api/v1/needs/{scenario['need'].pk}/matches/")

    assert response.status_code == 200
    body = response.json()
    assert [item["offer"] for item in body] == [
        scenario["best"].pk,
        scenario["weak"].pk,
        scenario["other_area"].pk,
    ]
    first = body[0]
    assert set(first) == {"offer", "partner", "score", "explanation"}
    assert first["partner"]["kind"] == "state"
    assert 0 <= first["score"] <= 1
    assert [part["factor"] for part in first["explanation"]][0] == "area"
    assert {"factor", "contribution", "text"} == set(first["explanation"][0])


def test_api_offer_matches_name_the_need(api, scenario):
    response = api.get(f"/api/v1/offers/{scenario['best'].pk}/matches")

    assert response.status_code == 200
    assert response.json()[0]["need"] == {
        "id": scenario["need"].pk,
        "title": scenario["need"].title,
        "state": "LAO",
    }


def test_api_matches_of_a_need_the_caller_may_not_see_answer_404(api, lao, ccm):
    private = make_need(lao, ccm, visibility="private")

    assert api.get(f"/api/v1/needs/{private.pk}/matches/").status_code == 404
    assert api.get("/api/v1/offers/999999/matches/").status_code == 404


def test_api_weights_are_public_and_only_the_isu_changes_them(
    api, isu_user, lao_focal_point, django_capture_on_commit_callbacks
):
    assert api.get("/api/v1/matching/weights/").json()["area"] == 3.0

    api.force_authenticate(lao_focal_point)
    assert api.patch("/api/v1/matching/weights/", {"text": 5}, format="json").status_code == 403

    api.force_authenticate(isu_user)
    bad = api.patch("/api/v1/matching/weights/", {"text": -1, "colour": 2}, format="json")
    assert bad.status_code == 400
    assert set(bad.json()) >= {"text"} or "colour" in str(bad.json())
    ok = api.patch("/api/v1/matching/weights/", {"text": 5, "lock_version": 0}, format="json")
    assert ok.status_code == 200
    assert ok.json()["text"] == 5.0
    assert matching.weights_current()["text"] == 5.0


def test_changing_the_weights_changes_the_ranking(scenario, isu_user):
    # given only the budget factor weighs: the best offer's envelope covers half the gap,
    # the others' envelopes are unknown (0.5), the one outside the area halved
    services.matching_weights_update(
        data={
            name: 0
            for name in (
                "area",
                "modality",
                "geography",
                "language",
                "urgency",
                "past_cooperation",
                "text",
            )
        }
    )
    matching.recompute_all()
    lines = matching.need_matches(user=isu_user, need=scenario["need"])

    assert lines[0]["offer"] == scenario["best"]
    assert lines[0]["score"] == pytest.approx(0.5, abs=1e-3)
    assert {p["factor"]: p["contribution"] for p in lines[0]["explanation"]}["text"] == 0


# --- pages -------------------------------------------------------------------------------


def test_the_need_page_lists_its_matches_with_their_explanation(client, scenario):
    response = client.get(reverse("assistance:need_detail", args=[scenario["need"].pk]))

    page = response.content.decode()
    assert "Offers and potential partners that fit this need" in page
    assert page.index(scenario["best"].title) < page.index(scenario["other_area"].title)
    assert "Offers help in clearance, the need&#x27;s area." in page


def test_the_offer_page_lists_the_needs_it_fits(client, scenario):
    response = client.get(reverse("assistance:offer_detail", args=[scenario["best"].pk]))

    assert "Needs this offer fits" in response.content.decode()
    assert scenario["need"].title in response.content.decode()


def test_the_weights_page_explains_the_factors_and_lets_the_isu_change_them(
    client, isu_user, lao_focal_point
):
    page = client.get(reverse("assistance:matching_weights")).content.decode()
    assert "How matches are scored" in page and "Save the weights" not in page

    client.force_login(lao_focal_point)
    assert client.post(reverse("assistance:matching_weights"), {"area": 1}).status_code == 403

    client.force_login(isu_user)
    values = {
        name: 1
        for name in (
            "area",
            "modality",
            "geography",
            "language",
            "budget",
            "urgency",
            "past_cooperation",
        )
    }
    values["lock_version"] = 0  # the defaults, never changed
    response = client.post(reverse("assistance:matching_weights"), {**values, "text": "-2"})
    assert response.status_code == 200
    assert "Ensure this value is greater than or equal to 0" in response.content.decode()
    response = client.post(reverse("assistance:matching_weights"), {**values, "text": "2"})
    assert response.status_code == 302
    assert matching.weights_current()["text"] == 2.0


def test_the_partner_page_lists_needs_and_refuses_unknown_kinds(client, lao, ccm):
    japan = State.objects.get(iso3="JPN")
    assert (
        client.get(reverse("assistance:partner_needs", args=["planet", japan.pk])).status_code
        == 404
    )
    response = client.get(reverse("assistance:partner_needs", args=["state", japan.pk]))
    assert response.status_code == 200
    assert "No funding flow or work is on record for Japan yet" in response.content.decode()


def test_an_envelope_without_an_exchange_rate_is_explained_as_unknown(lao, ccm, nor, isu_user):
    # given a USD need and a SEK offer while the ISU holds no SEK rate
    need = make_need(
        lao, ccm, budget_required=Decimal("100000"), currency="USD", visibility="public"
    )
    _offer("Swedish grant", provider_state=nor, budget_envelope=Decimal("50000"), currency="SEK")

    matching.recompute_all()
    parts = {
        p["factor"]: p["text"]
        for p in matching.need_matches(user=isu_user, need=need)[0]["explanation"]
    }

    # then the budget factor says it could not compare, not "covers 50%"
    assert parts["budget"] == "The budget still to be found or the envelope is unknown."
