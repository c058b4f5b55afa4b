"""Pure scoring of how well an offer (or a potential partner) fits a need: numpy, no ORM.

Every (need, candidate) pair gets one value in [0, 1] per factor; the score is their
weighted mean, so each factor's *contribution* (weight x value / sum of weights) adds up to
the score and can be shown as the match's explanation. Needs and candidates are held as
arrays (``NeedArrays``, ``CandidateArrays``); a block of needs is scored against every
candidate in a few matrix operations, and a full recompute keeps, block by block, the best
``k`` candidates of every need and the best ``k`` needs of every candidate
(``top_k_both``), so memory stays bounded by the block size, never by needs x candidates.

Factors (default weights in ``DEFAULT_WEIGHTS``; the ISU may change them). The area is also
a gate: a candidate outside the need's area keeps only ``OUTSIDE_AREA_FACTOR`` of its score
(its contributions scaled alike, so they still add up), because an offer for victim
assistance cannot clear land however well its budget or wording fits.

- ``area``: 1 when the candidate works in the need's area, else 0;
- ``modality``: 1 when it offers the need's modality, 0.5 when it names none, else 0;
- ``geography``: 1 for the need's country among its priority countries, 0.7 for the need's
  region or sub-region among its priority regions, 0.3 when it states no priority, else 0;
- ``language``: 1 when it works in the need's language, 0.5 when it names none, else 0;
- ``budget``: how much of the need's unfunded budget its envelope covers (capped at 1);
  0.5 when either amount is unknown;
- ``urgency``: 1 when the linked deadline is within a year (or passed), falling linearly to
  0 at five years; 0.3 with no deadline;
- ``past_cooperation``: 1 - exp(-flows / 3) for the funding flows already between the
  candidate and the need's state;
- ``text``: cosine similarity of the descriptions' multilingual embeddings (0 when negative).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

FACTORS = (
    "area",
    "modality",
    "geography",
    "language",
    "budget",
    "urgency",
    "past_cooperation",
    "text",
)
DEFAULT_WEIGHTS: dict[str, float] = {
    "area": 3.0,
    "modality": 1.0,
    "geography": 1.5,
    "language": 0.5,
    "budget": 1.0,
    "urgency": 1.0,
    "past_cooperation": 1.0,
    "text": 2.0,
}
OUTSIDE_AREA_FACTOR = 0.5
URGENT_DAYS = 365
HORIZON_DAYS = 5 * 365
NO_INDEX = -1  # a need without a known country or region


@dataclass(frozen=True)
class NeedFeatures:
    """One need, as plain values (indexes point into lists shared with the candidates)."""

    area: int
    modality: int
    country: int  # index into the countries list (NO_INDEX when not among them)
    regions: tuple[int, ...]  # indexes of its region and sub-region
    language: int
    budget_gap: float | None  # required - secured, None when unknown
    days_to_deadline: int | None
    embedding: np.ndarray  # unit vector


@dataclass(frozen=True)
class NeedArrays:
    """N needs as arrays. ``regions`` is (N, 2): region and sub-region, NO_INDEX if none;
    ``budget_gap`` and ``days_to_deadline`` are NaN when unknown."""

    area: np.ndarray  # (N,) int
    modality: np.ndarray  # (N,) int
    country: np.ndarray  # (N,) int
    regions: np.ndarray  # (N, 2) int
    language: np.ndarray  # (N,) int
    budget_gap: np.ndarray  # (N,) float
    days_to_deadline: np.ndarray  # (N,) float
    embeddings: np.ndarray  # (N, D) float32 unit vectors

    def __len__(self) -> int:
        return self.area.shape[0]

    @classmethod
    def from_features(cls, needs: Sequence[NeedFeatures]) -> NeedArrays:
        def regions(need: NeedFeatures) -> list[int]:
            values = list(need.regions)[:2]
            return values + [NO_INDEX] * (2 - len(values))

        return cls(
            area=np.array([n.area for n in needs], dtype=np.int64),
            modality=np.array([n.modality for n in needs], dtype=np.int64),
            country=np.array([n.country for n in needs], dtype=np.int64),
            regions=np.array([regions(n) for n in needs], dtype=np.int64).reshape(-1, 2),
            language=np.array([n.language for n in needs], dtype=np.int64),
            budget_gap=np.array(
                [np.nan if n.budget_gap is None else n.budget_gap for n in needs],
                dtype=np.float64,
            ),
            days_to_deadline=np.array(
                [np.nan if n.days_to_deadline is None else n.days_to_deadline for n in needs],
                dtype=np.float64,
            ),
            embeddings=np.array([n.embedding for n in needs], dtype=np.float32).reshape(
                len(needs), -1
            ),
        )

    def take(self, rows) -> NeedArrays:
        rows = np.asarray(rows)
        return NeedArrays(**{name: getattr(self, name)[rows] for name in self.__dataclass_fields__})


@dataclass(frozen=True)
class CandidateArrays:
    """M candidates as arrays. Masks are boolean matrices over the shared lists; ``flows``
    counts the funding flows between each candidate and each state (M, S) — for a single
    need it may be given as (M,) for that need's state."""

    areas: np.ndarray  # (M, A) bool
    modalities: np.ndarray  # (M, Mo) bool
    countries: np.ndarray  # (M, C) bool: priority countries
    regions: np.ndarray  # (M, R) bool: priority regions
    languages: np.ndarray  # (M, L) bool
    envelope: np.ndarray  # (M,) float, NaN when unknown
    flows: np.ndarray  # (M, S) or (M,) counts
    embeddings: np.ndarray  # (M, D) unit vectors

    def __len__(self) -> int:
        return self.areas.shape[0]


# Kept for callers that think of "the candidates of one need".
CandidateFeatures = CandidateArrays


def normalised_weights(weights: dict[str, float] | None = None) -> np.ndarray:
    """Weights in FACTORS order, summing to 1. Unknown factors or negative weights are
    refused so a mistyped setting cannot silently change the ranking."""
    merged = dict(DEFAULT_WEIGHTS)
    for name, value in (weights or {}).items():
        if name not in DEFAULT_WEIGHTS:
            raise ValueError(f"unknown factor {name!r}")
        if value < 0:
            raise ValueError(f"weight of {name!r} must be zero or more")
        merged[name] = float(value)
    vector = np.array([merged[name] for name in FACTORS], dtype=np.float64)
    total = vector.sum()
    if total <= 0:
        raise ValueError("at least one weight must be positive")
    return vector / total


def _padded(mask: np.ndarray) -> np.ndarray:
    """The mask with one always-false column last, so NO_INDEX (-1) reads False."""
    return np.concatenate([mask, np.zeros((mask.shape[0], 1), dtype=bool)], axis=1)


@dataclass(frozen=True)
class _Prepared:
    """Candidate arrays reshaped once for repeated scoring."""

    areas: np.ndarray
    modalities: np.ndarray
    no_modality: np.ndarray
    countries: np.ndarray
    regions: np.ndarray
    no_priority: np.ndarray
    languages: np.ndarray
    no_language: np.ndarray
    envelope: np.ndarray
    flows: np.ndarray  # (M, S + 1) float32, last column zero
    embeddings: np.ndarray  # (M, D) float32


def prepare(candidates: CandidateArrays) -> _Prepared:
    flows = np.asarray(candidates.flows, dtype=np.float32)
    if flows.ndim == 1:
        flows = flows[:, None]
    return _Prepared(
        areas=candidates.areas,
        modalities=candidates.modalities,
        no_modality=~candidates.modalities.any(axis=1),
        countries=_padded(candidates.countries),
        regions=_padded(candidates.regions),
        no_priority=~(candidates.countries.any(axis=1) | candidates.regions.any(axis=1)),
        languages=candidates.languages,
        no_language=~candidates.languages.any(axis=1),
        envelope=np.asarray(candidates.envelope, dtype=np.float64),
        flows=np.concatenate([flows, np.zeros((flows.shape[0], 1), np.float32)], axis=1),
        embeddings=np.asarray(candidates.embeddings, dtype=np.float32),
    )


def _factor_values(needs: NeedArrays, cands: _Prepared, need_state, n, c, pairwise: bool):
    """Yield (factor index, values) for the needs selected by ``n`` and the candidates
    selected by ``c``: index arrays shaped (N, 1) and (1, M) give (N, M) matrices, two (P,)
    arrays give the P pairs. ``need_state`` indexes the ``flows`` columns."""
    yield 0, cands.areas[c, needs.area[n]]
    yield 1, np.where(cands.no_modality[c], 0.5, cands.modalities[c, needs.modality[n]])
    in_country = cands.countries[c, needs.country[n]]
    in_region = cands.regions[c, needs.regions[n, 0]] | cands.regions[c, needs.regions[n, 1]]
    no_priority = np.broadcast_to(cands.no_priority[c], in_country.shape)
    yield 2, np.select([in_country, in_region, no_priority], [1.0, 0.7, 0.3], 0.0)
    yield 3, np.where(cands.no_language[c], 0.5, cands.languages[c, needs.language[n]])
    gap = needs.budget_gap[n]
    envelope = cands.envelope[c]
    with np.errstate(divide="ignore", invalid="ignore"):
        covered = np.clip(envelope / gap, 0.0, 1.0)
    unknown = np.isnan(envelope) | np.isnan(gap) | ~(gap > 0)
    yield 4, np.where(unknown, 0.5, covered)
    days = needs.days_to_deadline[n]
    urgency = np.clip(1.0 - (days - URGENT_DAYS) / (HORIZON_DAYS - URGENT_DAYS), 0.0, 1.0)
    yield 5, np.broadcast_to(np.where(np.isnan(days), 0.3, urgency), in_country.shape)
    yield 6, 1.0 - np.exp(-cands.flows[c, need_state[n]] / 3.0)
    if pairwise:
        similarity = np.einsum("pd,pd->p", needs.embeddings[n], cands.embeddings[c])
    else:
        similarity = needs.embeddings[n[:, 0]] @ cands.embeddings[c[0]].T
    yield 7, np.clip(similarity, 0.0, 1.0)


def _state_columns(needs: NeedArrays, need_states: np.ndarray | None, cands: _Prepared):
    """Which ``flows`` column holds each need's state: the given state indexes, or column 0
    when the candidates' flows were given for a single need."""
    if need_states is None:
        return np.zeros(len(needs), dtype=np.int64)
    states = np.asarray(need_states, dtype=np.int64)
    return np.where(states < 0, cands.flows.shape[1] - 1, states)


def score_matrix(
    needs: NeedArrays,
    cands: _Prepared,
    weight: np.ndarray,
    need_states: np.ndarray | None = None,
) -> np.ndarray:
    """The (N, M) float32 scores of every need against every candidate."""
    n = np.arange(len(needs))[:, None]
    c = np.arange(cands.areas.shape[0])[None, :]
    states = _state_columns(needs, need_states, cands)
    scores = np.zeros((len(needs), cands.areas.shape[0]), dtype=np.float32)
    gate = None
    for index, values in _factor_values(needs, cands, states, n, c, pairwise=False):
        if weight[index]:
            scores += np.float32(weight[index]) * values.astype(np.float32, copy=False)
        if index == 0:
            gate = np.where(values > 0, np.float32(1.0), np.float32(OUTSIDE_AREA_FACTOR))
    scores *= gate
    return scores


def pair_values(
    needs: NeedArrays,
    cands: _Prepared,
    need_rows: np.ndarray,
    cand_rows: np.ndarray,
    need_states: np.ndarray | None = None,
) -> np.ndarray:
    """The (P, len(FACTORS)) factor values of the given (need, candidate) pairs."""
    need_rows = np.asarray(need_rows, dtype=np.int64)
    cand_rows = np.asarray(cand_rows, dtype=np.int64)
    states = _state_columns(needs, need_states, cands)
    values = np.empty((len(need_rows), len(FACTORS)), dtype=np.float64)
    for index, column in _factor_values(needs, cands, states, need_rows, cand_rows, pairwise=True):
        values[:, index] = column
    return values


def contributions(values: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Each factor's weighted part of the score (rows add up to the scores)."""
    gate = np.where(values[:, 0] > 0, 1.0, OUTSIDE_AREA_FACTOR)
    return values * weight * gate[:, None]


def components(need: NeedFeatures, candidates: CandidateArrays) -> np.ndarray:
    """The (M, len(FACTORS)) matrix of factor values in [0, 1] for one need."""
    needs = NeedArrays.from_features([need])
    cands = prepare(candidates)
    rows = np.arange(len(candidates))
    return pair_values(needs, cands, np.zeros_like(rows), rows)


def rank(
    need: NeedFeatures,
    candidates: CandidateArrays,
    weights: dict[str, float] | None = None,
    top: int | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Candidates best first: (indexes, scores, contributions), contributions being the
    (k, len(FACTORS)) weighted parts that add up to each score. Ties keep input order."""
    parts = contributions(components(need, candidates), normalised_weights(weights))
    scores = parts.sum(axis=1)
    order = np.argsort(-scores, kind="stable")
    if top is not None:
        order = order[:top]
    return order, scores[order], parts[order]


def _best(scores: np.ndarray, k: int, axis: int) -> np.ndarray:
    """Indexes of the k highest scores along ``axis``, best first (ties: lower index)."""
    size = scores.shape[axis]
    if size == 0:
        shape = list(scores.shape)
        shape[axis] = 0
        return np.zeros(shape, dtype=np.int64)
    k = min(k, size)
    if k < size:
        part = np.argpartition(-scores, k - 1, axis=axis)
        part = np.take(part, np.arange(k), axis=axis)
    else:
        part = np.broadcast_to(
            np.arange(size).reshape([-1 if a == axis else 1 for a in range(scores.ndim)]),
            scores.shape,
        )
    picked = np.take_along_axis(scores, part, axis=axis)
    # Best first; among equal scores the lower index first (stable on the index).
    order = np.lexsort((part, -picked), axis=axis)
    return np.take_along_axis(part, order, axis=axis)


@dataclass(frozen=True)
class TopK:
    """Best candidates per need and best needs per candidate, with their scores."""

    need_best: np.ndarray  # (N, k) candidate indexes, best first
    need_scores: np.ndarray  # (N, k)
    candidate_best: np.ndarray  # (M, k) need indexes, best first
    candidate_scores: np.ndarray  # (M, k)


def top_k_both(
    needs: NeedArrays,
    candidates: CandidateArrays | _Prepared,
    weights: dict[str, float] | None = None,
    k: int = 20,
    need_states: np.ndarray | None = None,
    block: int = 256,
) -> TopK:
    """Score every need against every candidate block by block and keep both top-k lists.
    Memory is O(block x M), never O(N x M)."""
    cands = candidates if isinstance(candidates, _Prepared) else prepare(candidates)
    weight = normalised_weights(weights)
    n_needs, n_cands = len(needs), cands.areas.shape[0]
    k_need, k_cand = min(k, n_cands), min(k, n_needs)
    need_best = np.zeros((n_needs, k_need), dtype=np.int64)
    need_scores = np.zeros((n_needs, k_need), dtype=np.float32)
    cand_best = np.zeros((0, n_cands), dtype=np.int64)  # (k, M) while running
    cand_scores = np.zeros((0, n_cands), dtype=np.float32)
    states = None if need_states is None else np.asarray(need_states)
    for start in range(0, n_needs, block):
        rows = np.arange(start, min(start + block, n_needs))
        scores = score_matrix(
            needs.take(rows), cands, weight, None if states is None else states[rows]
        )
        best = _best(scores, k_need, axis=1)
        need_best[rows] = best
        need_scores[rows] = np.take_along_axis(scores, best, axis=1)
        column_best = _best(scores, k_cand, axis=0)  # (k', M) block rows
        merged_index = np.concatenate([cand_best, rows[column_best]], axis=0)
        merged_score = np.concatenate(
            [cand_scores, np.take_along_axis(scores, column_best, axis=0)], axis=0
        )
        keep = _best(merged_score, k_cand, axis=0)
        cand_best = np.take_along_axis(merged_index, keep, axis=0)
        cand_scores = np.take_along_axis(merged_score, keep, axis=0)
    return TopK(need_best, need_scores, cand_best.T.copy(), cand_scores.T.copy())
