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
    # The same, transposed and as float32 factor values, so that scoring a block of needs
    # gathers whole rows (fast, contiguous) instead of scattered cells.
    areas_t: np.ndarray  # (A, M) float32 1 or 0
    gate_t: np.ndarray  # (A, M) float32 1, or OUTSIDE_AREA_FACTOR outside the area
    modality_t: np.ndarray  # (Mo, M): 1, 0, or 0.5 where the candidate names none
    countries_t: np.ndarray  # (C + 1, M) float32 1 or 0
    regions_t: np.ndarray  # (R + 1, M) float32 0.7 or 0
    no_priority_value: np.ndarray  # (M,) 0.3 where no priority is stated, else 0
    envelope_known: np.ndarray  # (M,) float32, 0 where unknown
    envelope_unknown: np.ndarray  # (M,) indexes of candidates without an envelope
    language_t: np.ndarray  # (L, M): 1, 0, or 0.5 where the candidate names none
    cooperation_t: np.ndarray  # (S + 1, M): 1 - exp(-flows / 3)


def prepare(candidates: CandidateArrays) -> _Prepared:
    flows = np.asarray(candidates.flows, dtype=np.float32)
    if flows.ndim == 1:
        flows = flows[:, None]
    flows = np.concatenate([flows, np.zeros((flows.shape[0], 1), np.float32)], axis=1)
    no_modality = ~candidates.modalities.any(axis=1)
    no_language = ~candidates.languages.any(axis=1)
    no_priority = ~(candidates.countries.any(axis=1) | candidates.regions.any(axis=1))
    countries, regions = _padded(candidates.countries), _padded(candidates.regions)

    def values_t(mask: np.ndarray, names_none: np.ndarray) -> np.ndarray:
        out = mask.T.astype(np.float32)
        out[:, names_none] = 0.5
        return np.ascontiguousarray(out)

    return _Prepared(
        areas=candidates.areas,
        modalities=candidates.modalities,
        no_modality=no_modality,
        countries=countries,
        regions=regions,
        no_priority=no_priority,
        languages=candidates.languages,
        no_language=no_language,
        envelope=np.asarray(candidates.envelope, dtype=np.float64),
        flows=flows,
        embeddings=np.ascontiguousarray(candidates.embeddings, dtype=np.float32),
        areas_t=np.ascontiguousarray(candidates.areas.T, dtype=np.float32),
        gate_t=np.ascontiguousarray(
            np.where(candidates.areas.T, np.float32(1.0), np.float32(OUTSIDE_AREA_FACTOR))
        ),
        modality_t=values_t(candidates.modalities, no_modality),
        countries_t=np.ascontiguousarray(countries.T, dtype=np.float32),
        regions_t=np.ascontiguousarray(np.where(regions.T, np.float32(0.7), np.float32(0.0))),
        no_priority_value=np.where(no_priority, np.float32(0.3), np.float32(0.0)),
        envelope_known=np.nan_to_num(np.asarray(candidates.envelope, dtype=np.float32), nan=0.0),
        envelope_unknown=np.flatnonzero(np.isnan(np.asarray(candidates.envelope, dtype=float))),
        language_t=values_t(candidates.languages, no_language),
        cooperation_t=np.ascontiguousarray((1.0 - np.exp(-flows / 3.0)).T, dtype=np.float32),
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
    """The (N, M) float32 scores of every need against every candidate.

    The same factors as ``_factor_values`` (the pair-by-pair reference; a property test
    checks both agree), written as row gathers on the transposed candidate arrays and
    in-place float32 sums, without boolean masks over the matrix: this is the hot loop of a
    full recompute."""
    f32 = np.float32
    w = weight.astype(f32)
    states = _state_columns(needs, need_states, cands)
    n_needs, n_cands = len(needs), cands.areas_t.shape[1]
    scores = np.multiply(cands.areas_t[needs.area], w[0], dtype=f32)
    scratch = np.empty((n_needs, n_cands), dtype=f32)
    if w[1]:
        np.multiply(cands.modality_t[needs.modality], w[1], out=scratch)
        scores += scratch
    if w[2]:
        # geography: the highest of 1 (country), 0.7 (region) and 0.3 (no priority), or 0
        np.maximum(
            cands.regions_t[needs.regions[:, 0]], cands.regions_t[needs.regions[:, 1]], out=scratch
        )
        np.maximum(scratch, cands.no_priority_value[None, :], out=scratch)
        np.maximum(scratch, cands.countries_t[needs.country], out=scratch)
        scratch *= w[2]
        scores += scratch
    if w[3]:
        np.multiply(cands.language_t[needs.language], w[3], out=scratch)
        scores += scratch
    if w[4]:
        gap = needs.budget_gap
        known = ~np.isnan(gap) & (np.nan_to_num(gap, nan=0.0) > 0)
        inverse = np.where(known, 1.0 / np.where(known, gap, 1.0), 0.0).astype(f32)
        np.multiply(inverse[:, None], cands.envelope_known[None, :], out=scratch)
        np.minimum(scratch, f32(1.0), out=scratch)
        scratch[:, cands.envelope_unknown] = 0.5
        scratch[~known] = 0.5
        scratch *= w[4]
        scores += scratch
    days = needs.days_to_deadline
    urgency = np.clip(1.0 - (days - URGENT_DAYS) / (HORIZON_DAYS - URGENT_DAYS), 0.0, 1.0)
    scores += (w[5] * np.where(np.isnan(days), 0.3, urgency)).astype(f32)[:, None]
    if w[6]:
        np.multiply(cands.cooperation_t[states], w[6], out=scratch)
        scores += scratch
    if w[7]:
        np.matmul(needs.embeddings.astype(f32, copy=False), cands.embeddings.T, out=scratch)
        np.clip(scratch, 0.0, 1.0, out=scratch)
        scratch *= w[7]
        scores += scratch
    scores *= cands.gate_t[needs.area]
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
    moved = np.moveaxis(scores, axis, -1)
    rows = moved.reshape(-1, moved.shape[-1])
    best, _scores = _rows_top(rows, k)
    return np.moveaxis(best.reshape(*moved.shape[:-1], -1), -1, axis)


def _group_top(group, member, score, k: int, n_groups: int):
    """From entries (group, member, score): each group's k best members, best first, as
    (n_groups, k) arrays padded with -1 / -inf. Among equal scores the entry given first
    stays first (a stable sort), so callers list members in ascending order."""
    order = np.lexsort((-score, group))
    group, member, score = group[order], member[order], score[order]
    starts = np.searchsorted(group, np.arange(n_groups))
    rank = np.arange(len(group)) - starts[group]
    keep = rank < k
    best = np.full((n_groups, k), -1, dtype=np.int64)
    best_scores = np.full((n_groups, k), -np.inf, dtype=np.float32)
    best[group[keep], rank[keep]] = member[keep]
    best_scores[group[keep], rank[keep]] = score[keep]
    return best, best_scores


def _rows_top(scores: np.ndarray, k: int, floor: np.ndarray | None = None):
    """Each row's k best columns: the k-th value found by a partition (much faster than an
    index partition), then only the cells at or above it sorted. ``floor`` (per column)
    drops cells that cannot enter an existing list."""
    n_rows, n_cols = scores.shape
    k = min(k, n_cols)
    if n_rows == 0 or k == 0:
        return np.zeros((n_rows, k), np.int64), np.zeros((n_rows, k), np.float32)
    if k < n_cols:
        threshold = np.partition(scores, n_cols - k, axis=1)[:, n_cols - k]
        mask = scores >= threshold[:, None]
    else:
        mask = np.ones(scores.shape, dtype=bool)
    if floor is not None:
        mask &= scores >= floor[None, :]
    rows, cols = np.nonzero(mask)
    return _group_top(rows, cols, scores[rows, cols], k, n_rows)


def _merge_lists(best, best_scores, cands, members, scores) -> None:
    """Merge new (candidate, member, score) entries into the sorted lists ``best`` /
    ``best_scores`` (M, k), in place. Only the candidates receiving entries are touched;
    each gets one short row (its k kept + its new entries) sorted at once. New entries
    come in ascending member order and the sort is stable, so ties keep members ascending."""
    k = best.shape[1]
    order = np.argsort(cands, kind="stable")
    cands, members, scores = cands[order], members[order], scores[order]
    touched, starts, counts = np.unique(cands, return_index=True, return_counts=True)
    position = np.arange(len(cands)) - np.repeat(starts, counts)
    width = k + int(counts.max())
    row_members = np.full((len(touched), width), -1, dtype=np.int64)
    row_scores = np.full((len(touched), width), -np.inf, dtype=np.float32)
    row_members[:, :k] = best[touched]
    row_scores[:, :k] = best_scores[touched]
    rows = np.repeat(np.arange(len(touched)), counts)
    row_members[rows, k + position] = members
    row_scores[rows, k + position] = scores
    keep = np.argsort(-row_scores, axis=1, kind="stable")[:, :k]
    best[touched] = np.take_along_axis(row_members, keep, axis=1)
    best_scores[touched] = np.take_along_axis(row_scores, keep, axis=1)


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
    block: int = 1024,
    threads: int = 2,
) -> TopK:
    """Score every need against every candidate block by block and keep both top-k lists.
    Memory is O(block x M), never O(N x M). Blocks are scored in ``threads`` threads (numpy
    releases the GIL in its loops); the candidates' lists are merged in order."""
    from concurrent.futures import ThreadPoolExecutor

    cands = candidates if isinstance(candidates, _Prepared) else prepare(candidates)
    weight = normalised_weights(weights)
    n_needs, n_cands = len(needs), cands.areas.shape[0]
    k_need, k_cand = min(k, n_cands), min(k, n_needs)
    need_best = np.zeros((n_needs, k_need), dtype=np.int64)
    need_scores = np.zeros((n_needs, k_need), dtype=np.float32)
    cand_best = np.full((n_cands, k_cand), -1, dtype=np.int64)
    cand_scores = np.full((n_cands, k_cand), -np.inf, dtype=np.float32)
    state = {"floor": np.full(n_cands, -np.inf, dtype=np.float32)}
    states = None if need_states is None else np.asarray(need_states)

    def score_block(start: int):
        rows = np.arange(start, min(start + block, n_needs))
        scores = score_matrix(
            needs.take(rows), cands, weight, None if states is None else states[rows]
        )
        best, best_scores = _rows_top(scores, k_need)
        # This block's entries that may enter the candidates' lists: at or above the
        # block's own k-th best per candidate and the lists' current last score.
        size = len(rows)
        if k_cand < size:
            column_kth = np.partition(scores, size - k_cand, axis=0)[size - k_cand]
        else:
            column_kth = np.full(n_cands, -np.inf, dtype=np.float32)
        block_floor = np.maximum(column_kth, state["floor"])
        r, c = np.nonzero(scores >= block_floor[None, :])
        return rows, best, best_scores, rows[r], c, scores[r, c]

    with ThreadPoolExecutor(max_workers=max(1, threads)) as pool:
        for rows, best, best_scores, new_needs, new_cands, new_scores in pool.map(
            score_block, range(0, n_needs, block)
        ):
            need_best[rows] = best
            need_scores[rows] = best_scores
            # Entries below a full list's last score cannot enter it (the block was scored
            # in parallel, maybe with an older floor).
            entering = new_scores >= state["floor"][new_cands]
            new_needs, new_cands, new_scores = (
                new_needs[entering],
                new_cands[entering],
                new_scores[entering],
            )
            if len(new_cands):
                _merge_lists(cand_best, cand_scores, new_cands, new_needs, new_scores)
            state["floor"] = np.where(cand_best[:, -1] >= 0, cand_scores[:, -1], -np.inf).astype(
                np.float32
            )
    return TopK(need_best, need_scores, cand_best, cand_scores)
