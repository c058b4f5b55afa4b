"""The benchmark data generator (``manage.py generate_benchmark_data``) at a tiny scale."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from icahub.accounts.models import User
from icahub.assistance.models import Match, Need, Offer
from icahub.coalitions.models import Coalition
from icahub.funding.models import Flow
from icahub.registry.models import Convention, State
from icahub.reports.models import Report
from icahub.web import benchmark_data

pytestmark = pytest.mark.django_db

SCALE = 0.002  # 5 reports, 40 needs, 40 offers, 200 flows, 1 coalition, 2 users


def _generate(*args: str) -> str:
    out = io.StringIO()
    call_command("generate_benchmark_data", "--scale", str(SCALE), *args, stdout=out)
    return out.getvalue()


def test_counts_grow_linearly_with_the_scale():
    # given the scale-1 figures of the issue
    one = benchmark_data.Counts.for_scale(1)
    # then
    assert (one.states, one.reports, one.needs, one.offers) == (165, 2475, 20_000, 20_000)
    assert (one.flows, one.coalitions, one.users) == (100_000, 50, 1_000)
    assert benchmark_data.Counts.for_scale(2).flows == 200_000
    assert benchmark_data.Counts.for_scale(0.0001).coalitions == 1  # at least one of each


def test_a_tiny_scale_writes_the_counts_labelled_and_with_matches():
    # when
    output = _generate()
    # then every record is there, labelled as benchmark data
    assert "written" in output
    assert Report.objects.filter(versions__contact_organisation="[bench]").count() == 5
    assert Need.objects.count() == Need.objects.filter(title__startswith="[bench]").count() == 40
    assert Offer.objects.filter(title__startswith="[bench]").count() == 40
    assert Flow.objects.filter(notes_on_use__startswith="[bench]").count() == 200
    assert Coalition.objects.filter(name__startswith="[bench]").count() == 1
    assert (
        User.objects.filter(username__startswith="bench-user-", first_name="[bench]").count() == 2
    )
    assert not any(user.has_usable_password() for user in User.objects.all())
    # and an open need has its ranked list of candidates
    need = Need.objects.filter(status="open").first()
    assert Match.objects.filter(need=need, side="need").exists()


def test_a_second_run_changes_nothing():
    # given
    _generate()
    flows = Flow.objects.count()
    # when
    output = _generate()
    # then
    assert "already present" in output
    assert Flow.objects.count() == flows


def test_refuses_a_database_with_other_data_unless_forced():
    # given a real coalition
    Coalition.objects.create(
        name="Lao PDR clearance coalition",
        lead_state=State.objects.get(iso3="LAO"),
        convention=Convention.objects.get(code="CCM"),
    )
    # when / then
    with pytest.raises(CommandError, match="not benchmark data"):
        _generate()
    assert not Need.objects.exists()
    # when forced
    _generate("--force")
    # then the real record is untouched beside the benchmark data
    assert Need.objects.filter(title__startswith="[bench]").count() == 40
    assert Coalition.objects.filter(name="Lao PDR clearance coalition").exists()


def test_a_bad_scale_is_refused_with_the_option_named():
    with pytest.raises(CommandError, match="--scale"):
        call_command("generate_benchmark_data", "--scale", "0", stdout=io.StringIO())


def test_the_minimal_view_answers_only_when_the_setting_is_on(client, settings):
    # given the setting off (the default)
    assert client.get("/bench/minimal/").status_code == 404
    # when it is on
    settings.ICAHUB_BENCH_MINIMAL_VIEW = True
    response = client.get("/bench/minimal/")
    # then
    assert response.status_code == 200
    assert response.content == b"ok"
