"""Pure scoring of how well an offer (or a potential partner) fits a need: numpy, no ORM.

Every candidate gets one value in [0, 1] per factor; the score is their weighted mean, so
each factor's *contribution* (weight x value / sum of weights) adds up to the score and can
be shown as the match's explanation. Scoring one need against N candidates is a handful of
vector operations; a full recompute works need by need (or in blocks) and keeps the top k.

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
- ``past_cooperation``: 1 - exp(-flows / 3) for the funding flows already between the two;
- ``text``: cosine similarity of the descriptions' multilingual embeddings (0 when negative).
"""

from __future__ import annotations

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


@dataclass(frozen=True)
class NeedFeatures:
    """One need, as plain values."""

    area: int  # index into the areas list shared with the candidates' masks
    modality: int
    country: int  # index into the countries list
    regions: tuple[int, ...]  # indexes of its region and sub-region
    language: int
    budget_gap: float | None  # required - secured, None when unknown
    days_to_deadline: int | None
    embedding: np.ndarray  # unit vector


@dataclass(frozen=True)
class CandidateFeatures:
    """N candidates as arrays (N rows). Masks are boolean matrices over the shared lists."""

    areas: np.ndarray  # (N, A) bool
    modalities: np.ndarray  # (N, M) bool
    countries: np.ndarray  # (N, C) bool: priority countries
    regions: np.ndarray  # (N, R) bool: priority regions
    languages: np.ndarray  # (N, L) bool
    envelope: np.ndarray  # (N,) float, NaN when unknown
    flows: np.ndarray  # (N,) past funding flows with the need's state
    embeddings: np.ndarray  # (N, D) unit vectors

    def __len__(self) -> int:
        return self.areas.shape[0]


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


def components(need: NeedFeatures, candidates: CandidateFeatures) -> np.ndarray:
    """The (N, len(FACTORS)) matrix of factor values in [0, 1]."""
    n = len(candidates)
    values = np.empty((n, len(FACTORS)), dtype=np.float64)
    values[:, 0] = candidates.areas[:, need.area]
    names_none = ~candidates.modalities.any(axis=1)
    values[:, 1] = np.where(names_none, 0.5, candidates.modalities[:, need.modality])
    in_country = candidates.countries[:, need.country]
    in_region = (
        candidates.regions[:, list(need.regions)].any(axis=1)
        if need.regions
        else np.zeros(n, dtype=bool)
    )
    no_priority = ~(candidates.countries.any(axis=1) | candidates.regions.any(axis=1))
    values[:, 2] = np.select([in_country, in_region, no_priority], [1.0, 0.7, 0.3], 0.0)
    names_no_language = ~candidates.languages.any(axis=1)
    values[:, 3] = np.where(names_no_language, 0.5, candidates.languages[:, need.language])
    if need.budget_gap is None or need.budget_gap <= 0:
        values[:, 4] = 0.5
    else:
        covered = np.clip(candidates.envelope / need.budget_gap, 0.0, 1.0)
        values[:, 4] = np.where(np.isnan(candidates.envelope), 0.5, covered)
    if need.days_to_deadline is None:
        values[:, 5] = 0.3
    else:
        days = need.days_to_deadline
        urgency = 1.0 - (days - URGENT_DAYS) / (HORIZON_DAYS - URGENT_DAYS)
        values[:, 5] = float(np.clip(urgency, 0.0, 1.0))
    values[:, 6] = 1.0 - np.exp(-np.asarray(candidates.flows, dtype=np.float64) / 3.0)
    values[:, 7] = np.clip(candidates.embeddings @ need.embedding, 0.0, 1.0)
    return values


def rank(
    need: NeedFeatures,
    candidates: CandidateFeatures,
    weights: dict[str, float] | None = None,
    top: int | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Candidates best first: (indexes, scores, contributions), contributions being the
    (k, len(FACTORS)) weighted parts that add up to each score. Ties keep input order."""
    weight = normalised_weights(weights)
    values = components(need, candidates)
    gate = np.where(values[:, 0] > 0, 1.0, OUTSIDE_AREA_FACTOR)
    parts = values * weight * gate[:, None]
    scores = parts.sum(axis=1)
    order = np.argsort(-scores, kind="stable")
    if top is not None:
        order = order[:top]
    return order, scores[order], parts[order]
