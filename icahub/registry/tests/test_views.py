import pytest

from icahub.registry.models import Contact, State

pytestmark = pytest.mark.django_db


def test_states_list_filters_by_convention_status_and_region(client):
    response = client.get("/states/", {"convention": "CCM", "status": "withdrawn"})

    page = response.content.decode()
    assert "Lithuania" in page
    assert "Lao People" not in page


def test_states_list_sorts_and_announces_the_order(client):
    response = client.get("/states/", {"sort": "-name"})

    page = response.content.decode()
    assert 'aria-sort="descending"' in page
    # the first page of 50 starts from the end of the alphabet
    assert page.index("Zimbabwe") < page.index("Zambia")
    assert "Afghanistan" not in page


def test_state_profile_follows_the_country_profile_layout(client):
    page = client.get("/states/LAO/").content.decode()

    for heading in ("Article 3", "Article 4", "Article 5", "Article 6", "Article 7", "Article 9"):
        assert heading in page
    assert "1 August 2010" in page
    assert "28 January 2011" in page  # initial report due, 180 days after entry into force


def test_state_profile_in_arabic_is_right_to_left(client):
    page = client.get("/ar/states/LAO/").content.decode()

    assert '<html lang="ar" dir="rtl">' in page
    assert "جمهورية لاو الديمقراطية الشعبية" in page


def test_focal_point_edits_own_state(client, lao_focal_point):
    client.force_login(lao_focal_point)

    response = client.post(
        "/states/LAO/edit/",
        {"mine_action_authority": "National Regulatory Authority", "lock_version": 0},
    )

    assert response.status_code == 302
    assert State.objects.get(iso3="LAO").mine_action_authority == "National Regulatory Authority"


def test_focal_point_cannot_edit_another_state(client, lao_focal_point):
    client.force_login(lao_focal_point)

    response = client.post("/states/LBN/edit/", {"mine_action_authority": "x"})

    assert response.status_code == 403
    assert "You do not have permission" in response.content.decode()
    assert State.objects.get(iso3="LBN").mine_action_authority == ""


def test_invalid_website_is_named_in_the_error_summary(client, lao_focal_point):
    client.force_login(lao_focal_point)

    response = client.post("/states/LAO/edit/", {"website": "not a web address"})

    page = response.content.decode()
    assert "There is a problem" in page
    assert 'href="#id_website"' in page


def test_focal_point_adds_a_contact(client, lao_focal_point):
    client.force_login(lao_focal_point)

    response = client.post(
        "/states/LAO/contacts/add/",
        {"contact-name": "Demo contact", "contact-email": "demo@example.org"},
    )

    assert response.status_code == 302
    assert Contact.objects.filter(state__iso3="LAO", name="Demo contact").exists()


def test_unknown_state_page_is_a_404(client):
    assert client.get("/states/ZZZ/").status_code == 404


def test_language_switch_keeps_the_page(client):
    response = client.post("/i18n/setlang/", {"language": "fr", "next": "/states/LAO/"})

    assert response.status_code == 302
    assert response["Location"] == "/fr/states/LAO/"


def test_partner_edits_own_organisation(client, partner_user):
    from icahub.registry.models import Organisation

    client.force_login(partner_user)
    npa = Organisation.objects.get(acronym="NPA")

    response = client.post(
        f"/organisations/{npa.pk}/edit/",
        {
            "acronym": "NPA",
            "kind": "operator",
            "website": "https://www.npaid.org",
            "description": "Updated description",
            "lock_version": npa.lock_version,
        },
    )

    assert response.status_code == 302
    npa.refresh_from_db()
    assert npa.description == "Updated description"


def test_filtering_with_htmx_returns_only_the_results(client):
    # given a browser with HTMX asking for filtered states
    response = client.get(
        "/states/", {"convention": "CCM", "status": "withdrawn"}, HTTP_HX_REQUEST="true"
    )

    # then only the results fragment comes back, with the count for screen readers
    page = response.content.decode()
    assert page.lstrip().startswith('<div id="results"')
    assert "Lithuania" in page
    assert 'id="results-count"' in page and "1 state" in page
    assert "<html" not in page


def test_states_list_reads_statuses_on_a_chosen_date(client):
    # given the list asked for CCM parties on 5 March 2025, the day before Lithuania left
    page = client.get(
        "/states/", {"convention": "CCM", "status": "party", "on": "2025-03-05", "q": "Lithuania"}
    ).content.decode()

    # then Lithuania is listed as a State Party on that date
    assert "Lithuania" in page
    assert "status on 5 March 2025" in page


def test_isu_sees_the_state_history_with_its_memberships(client, isu_user):
    client.force_login(isu_user)

    page = client.get("/states/LAO/").content.decode()

    assert "History of changes" in page
    assert "membership: LAO / CCM" in page


def test_state_profile_shows_its_needs_beside_its_obligations(client, isu_user):
    from icahub.assistance.services import need_create
    from icahub.registry.models import Convention

    need_create(
        state=State.objects.get(iso3="LAO"),
        convention=Convention.objects.get(code="CCM"),
        area="clearance",
        modality="technical",
        title="Demo need: survey teams",
        visibility="public",
    )
    need_create(
        state=State.objects.get(iso3="LAO"),
        convention=Convention.objects.get(code="CCM"),
        area="victim_assistance",
        modality="financial",
        title="Private need",
        visibility="private",
    )

    page = client.get("/states/LAO/").content.decode()

    assert "Needs for assistance" in page
    assert "Demo need: survey teams" in page
    assert "Private need" not in page
