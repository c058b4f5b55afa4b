"""The pure matching score: factor values, weights, ranking and its explanation."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from icahub.assistance import scoring

AREAS, MODALITIES, COUNTRIES, REGIONS, LANGUAGES, DIM = 7, 5, 4, 3, 4, 8


def _unit(vector) -> np.ndarray:
    vector = np.asarray(vector, dtype=np.float64)
    return vector / np.linalg.norm(vector)


def _need(**overrides) -> scoring.NeedFeatures:
    values = {
        "area": 1,  # clearance
        "modality": 0,  # financial
        "country": 2,
        "regions": (1,),
        "language": 1,  # fr
        "budget_gap": 1_000_000.0,
        "days_to_deadline": 200,
        "embedding": _unit([1, 0, 0, 0, 0, 0, 0, 0]),
    }
    values.update(overrides)
    return scoring.NeedFeatures(**values)


def _candidates(rows: list[dict]) -> scoring.CandidateFeatures:
    def mask(key, size):
        out = np.zeros((len(rows), size), dtype=bool)
        for index, row in enumerate(rows):
            out[index, list(row.get(key, ()))] = True
        return out

    return scoring.CandidateFeatures(
        areas=mask("areas", AREAS),
        modalities=mask("modalities", MODALITIES),
        countries=mask("countries", COUNTRIES),
        regions=mask("regions", REGIONS),
        languages=mask("languages", LANGUAGES),
        envelope=np.array([row.get("envelope", np.nan) for row in rows], dtype=np.float64),
        flows=np.array([row.get("flows", 0) for row in rows], dtype=np.float64),
        embeddings=np.array(
            [_unit(row.get("embedding", [0, 1, 0, 0, 0, 0, 0, 0])) for row in rows]
        ),
    )


def test_the_closest_offer_ranks_first_and_its_explanation_adds_up():
    # given three offers: a close fit, one in another area, one fitting but far away
    offers = _candidates(
        [
            {
                "areas": [3],
                "modalities": [0],
                "countries": [2],
                "envelope": 5e6,
                "embedding": [0.9, 0.1, 0, 0, 0, 0, 0, 0],
            },
            {
                "areas": [1],
                "modalities": [0],
                "countries": [2],
                "languages": [1],
                "envelope": 5e5,
                "flows": 4,
                "embedding": [0.95, 0.05, 0, 0, 0, 0, 0, 0],
            },
            {
                "areas": [1],
                "modalities": [1],
                "regions": [0],
                "languages": [0],
                "envelope": 1e5,
                "embedding": [0, 1, 0, 0, 0, 0, 0, 0],
            },
        ]
    )

    # when they are ranked for the need
    order, scores, parts = scoring.rank(_need(), offers)

    # then the right area, modality, country, language and text come first
    assert list(order) == [1, 2, 0]
    assert np.all(np.diff(scores) <= 0)
    assert np.allclose(parts.sum(axis=1), scores)
    best = dict(zip(scoring.FACTORS, parts[0], strict=True))
    total = sum(scoring.DEFAULT_WEIGHTS.values())
    assert best["area"] == pytest.approx(scoring.DEFAULT_WEIGHTS["area"] / total)
    assert best["budget"] == pytest.approx(0.5 / total)


def test_a_candidate_naming_no_preference_is_neither_preferred_nor_excluded():
    offers = _candidates([{"areas": [1]}])

    values = dict(zip(scoring.FACTORS, scoring.components(_need(), offers)[0], strict=True))

    assert values["modality"] == 0.5
    assert values["geography"] == 0.3
    assert values["language"] == 0.5
    assert values["budget"] == 0.5


def test_urgency_falls_from_one_year_to_five():
    offers = _candidates([{"areas": [1]}])

    def urgency(days):
        need = _need(days_to_deadline=days)
        return dict(zip(scoring.FACTORS, scoring.components(need, offers)[0], strict=True))[
            "urgency"
        ]

    assert urgency(-30) == 1.0
    assert urgency(365) == 1.0
    assert urgency(5 * 365) == 0.0
    assert 0.0 < urgency(3 * 365) < 1.0
    assert urgency(None) == 0.3


def test_weights_are_checked_and_normalised():
    weights = scoring.normalised_weights({"text": 0})

    assert weights.sum() == pytest.approx(1.0)
    assert weights[scoring.FACTORS.index("text")] == 0.0
    with pytest.raises(ValueError, match="unknown factor"):
        scoring.normalised_weights({"colour": 1})
    with pytest.raises(ValueError, match="zero or more"):
        scoring.normalised_weights({"area": -1})


@settings(max_examples=50, deadline=None)
@given(
    seed=st.integers(min_value=0, max_value=10_000),
    size=st.integers(min_value=1, max_value=40),
)
def test_scores_stay_in_range_and_equal_a_row_by_row_computation(seed, size):
    # given random candidates
    generator = np.random.default_rng(seed)
    rows = [
        {
            "areas": list(np.flatnonzero(generator.random(AREAS) < 0.3)),
            "modalities": list(np.flatnonzero(generator.random(MODALITIES) < 0.3)),
            "countries": list(np.flatnonzero(generator.random(COUNTRIES) < 0.2)),
            "regions": list(np.flatnonzero(generator.random(REGIONS) < 0.2)),
            "languages": list(np.flatnonzero(generator.random(LANGUAGES) < 0.5)),
            "envelope": float(generator.random() * 2e6),
            "flows": int(generator.integers(0, 10)),
            "embedding": generator.normal(size=DIM),
        }
        for _ in range(size)
    ]
    candidates = _candidates(rows)

    # when they are scored all at once and one by one
    together = scoring.components(_need(), candidates)
    one_by_one = np.vstack([scoring.components(_need(), _candidates([row]))[0] for row in rows])

    # then both agree and every value lies in [0, 1]
    assert np.allclose(together, one_by_one)
    assert together.min() >= 0.0 and together.max() <= 1.0
    _, scores, _ = scoring.rank(_need(), candidates)
    assert scores.min() >= 0.0 and scores.max() <= 1.0 + 1e-9


def test_outside_the_needs_area_a_candidate_keeps_half_its_score():
    # given the same offer in the need's area and outside it
    inside = _candidates([{"areas": [1], "modalities": [0], "envelope": 1e6}])
    outside = _candidates([{"areas": [3], "modalities": [0], "envelope": 1e6}])

    # when both are ranked
    _, inside_score, _ = scoring.rank(_need(), inside)
    _, outside_score, outside_parts = scoring.rank(_need(), outside)

    # then the outside one keeps half of what it would score without the area factor
    weights = scoring.normalised_weights()
    without_area = inside_score[0] - weights[0]
    assert outside_score[0] == pytest.approx(without_area * scoring.OUTSIDE_AREA_FACTOR)
    assert outside_parts.sum() == pytest.approx(outside_score[0])


def _random_arrays(seed: int, n_needs: int, n_cands: int, states: int = 5):
    generator = np.random.default_rng(seed)
    needs = scoring.NeedArrays.from_features(
        [
            _need(
                area=int(generator.integers(AREAS)),
                modality=int(generator.integers(MODALITIES)),
                country=int(generator.integers(-1, COUNTRIES)),
                regions=(int(generator.integers(REGIONS)),),
                language=int(generator.integers(LANGUAGES)),
                budget_gap=None if generator.random() < 0.3 else float(generator.random() * 1e6),
                days_to_deadline=None
                if generator.random() < 0.3
                else int(generator.integers(-100, 3000)),
                embedding=_unit(generator.normal(size=DIM)),
            )
            for _ in range(n_needs)
        ]
    )
    rows = [
        {
            "areas": list(np.flatnonzero(generator.random(AREAS) < 0.3)),
            "modalities": list(np.flatnonzero(generator.random(MODALITIES) < 0.3)),
            "countries": list(np.flatnonzero(generator.random(COUNTRIES) < 0.2)),
            "regions": list(np.flatnonzero(generator.random(REGIONS) < 0.2)),
            "languages": list(np.flatnonzero(generator.random(LANGUAGES) < 0.5)),
            "envelope": float(generator.random() * 2e6),
            "embedding": generator.normal(size=DIM),
        }
        for _ in range(n_cands)
    ]
    candidates = _candidates(rows)
    flows = generator.integers(0, 4, size=(n_cands, states)).astype(float)
    candidates = scoring.CandidateArrays(
        **{**{f: getattr(candidates, f) for f in candidates.__dataclass_fields__}, "flows": flows}
    )
    need_states = generator.integers(0, states, size=n_needs)
    return needs, candidates, need_states


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), n_needs=st.integers(1, 30), n_cands=st.integers(1, 30))
def test_the_matrix_scores_equal_the_pair_by_pair_ones(seed, n_needs, n_cands):
    needs, candidates, states = _random_arrays(seed, n_needs, n_cands)
    prepared = scoring.prepare(candidates)
    weight = scoring.normalised_weights()

    matrix = scoring.score_matrix(needs, prepared, weight, states)
    rows, cols = np.meshgrid(np.arange(n_needs), np.arange(n_cands), indexing="ij")
    pairs = scoring.contributions(
        scoring.pair_values(needs, prepared, rows.ravel(), cols.ravel(), states), weight
    ).sum(axis=1)

    assert np.allclose(matrix.ravel(), pairs, atol=1e-5)
    assert matrix.min() >= 0 and matrix.max() <= 1 + 1e-6


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    n_needs=st.integers(1, 40),
    n_cands=st.integers(1, 40),
    k=st.integers(1, 8),
    block=st.integers(1, 16),
)
def test_top_k_by_blocks_equals_sorting_the_whole_matrix(seed, n_needs, n_cands, k, block):
    needs, candidates, states = _random_arrays(seed, n_needs, n_cands)
    matrix = scoring.score_matrix(
        needs, scoring.prepare(candidates), scoring.normalised_weights(), states
    )

    top = scoring.top_k_both(needs, candidates, k=k, need_states=states, block=block)

    # the scores kept are the k highest, best first, on both sides
    expected_need = -np.sort(-matrix, axis=1)[:, : min(k, n_cands)]
    expected_cand = -np.sort(-matrix.T, axis=1)[:, : min(k, n_needs)]
    assert np.allclose(top.need_scores, expected_need, atol=1e-6)
    assert np.allclose(top.candidate_scores, expected_cand, atol=1e-6)
    assert np.allclose(np.take_along_axis(matrix, top.need_best, axis=1), top.need_scores)
    assert np.allclose(
        np.take_along_axis(matrix.T, top.candidate_best, axis=1), top.candidate_scores
    )
