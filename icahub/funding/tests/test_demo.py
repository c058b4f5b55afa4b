"""The demo funding data: labelled as demo, valued where a demo rate exists, idempotent."""

from __future__ import annotations

import pytest

from icahub.funding.demo import DEMO_FLOWS, DEMO_RATE_SOURCE, DEMO_RATES, load_demo_funding
from icahub.funding.models import ExchangeRate, Flow

pytestmark = pytest.mark.django_db


def test_demo_funding_is_labelled_and_idempotent():
    # when the demo data is loaded twice
    assert load_demo_funding() == (len(DEMO_RATES), len(DEMO_FLOWS))
    assert load_demo_funding() == (0, 0)

    # then every record says it is demo data, and only the SEK flow lacks a USD value
    assert set(ExchangeRate.objects.values_list("source", flat=True)) == {DEMO_RATE_SOURCE}
    assert all(
        notes.startswith("[Demo]") for notes in Flow.objects.values_list("notes_on_use", flat=True)
    )
    assert list(Flow.objects.filter(usd_value__isnull=True).values_list("currency", flat=True)) == [
        "SEK"
    ]
    assert Flow.objects.count() == len(DEMO_FLOWS)
