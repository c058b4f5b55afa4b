"""Benchmark data: a synthetic, clearly labelled data set sized by a scale factor.

Scale 1 is the size the performance benchmarks are set at (issue 5, section 4): 165 states x
15 years of Article 7 reports (2,475 reports), 20,000 needs, 20,000 offers, 100,000 funding
flows, 50 Country Coalitions and 1,000 users. Every count grows linearly with the scale (at
least one of each).

Every generated record carries the label ``[bench]`` where a person would read it: needs',
offers' and coalitions' titles and names, flows' "use of funds", report versions' contact
organisation, users' first names (and usernames ``bench-user-*``, e-mail addresses at
``bench.invalid``). The records are written with ``bulk_create`` in batches inside one
transaction: no history rows, no signals (the matching lists are computed at the end with
``matching.recompute_all`` so that every open need's matches page has content). The text
embeddings of the generated titles are random unit vectors written into the cache (the real
encoder would take minutes and the benchmark measures the pages, not the encoder); they are
keyed by the generated texts only, so no real text ever gets a random vector.

The generator refuses to run on a database holding records that are not benchmark data
(needs, offers, flows, coalitions or reports without the label — demo data included), so
benchmark data is never mixed with real or demo data; ``force=True`` overrides that. When
benchmark data is already there it does nothing (idempotent), whatever the scale asked.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from decimal import Decimal

import numpy as np
from django.contrib.auth.hashers import make_password
from django.db import transaction

LABEL = "[bench]"
USERNAME_PREFIX = "bench-user-"
EMAIL_DOMAIN = "bench.invalid"
LAST_YEAR = 2025  # the latest reporting year generated (fixed: the data set is reproducible)
YEARS = 15
BATCH = 2000
EMBEDDING_DIMENSIONS = 512

AREAS = (
    "stockpile_destruction",
    "clearance",
    "risk_education",
    "victim_assistance",
    "national_legislation",
    "transparency_reporting",
    "other",
)
MODALITIES = ("financial", "technical", "material", "training", "legal")
LANGUAGES = ("en", "fr", "es", "ar")
# Weighted so that most records can be read by anyone (the load test is anonymous).
VISIBILITIES = ("public",) * 7 + ("states_parties",) * 2 + ("private",)
FLOW_STATUSES = ("pledge", "commitment", "disbursement", "expenditure")


class RealDataPresent(Exception):
    """The database holds records that are not benchmark data."""


@dataclass(frozen=True)
class Counts:
    states: int
    reports: int
    needs: int
    offers: int
    flows: int
    coalitions: int
    users: int

    @classmethod
    def for_scale(cls, scale: float) -> Counts:
        if not (scale > 0 and math.isfinite(scale)):
            raise ValueError("The scale must be a number greater than zero.")

        def scaled(base: int) -> int:
            return max(1, round(base * scale))

        return cls(
            states=min(165, scaled(165)),
            reports=scaled(165 * YEARS),
            needs=scaled(20_000),
            offers=scaled(20_000),
            flows=scaled(100_000),
            coalitions=scaled(50),
            users=scaled(1_000),
        )


@dataclass
class Result:
    created: bool
    counts: dict
    seconds: float
    steps: dict


def present_counts() -> dict[str, int]:
    """How many benchmark records of each kind the database holds."""
    from icahub.accounts.models import User
    from icahub.assistance.models import Need, Offer
    from icahub.coalitions.models import Coalition
    from icahub.funding.models import Flow
    from icahub.reports.models import Report

    return {
        "reports": Report.objects.filter(versions__contact_organisation=LABEL).distinct().count(),
        "needs": Need.objects.filter(title__startswith=LABEL).count(),
        "offers": Offer.objects.filter(title__startswith=LABEL).count(),
        "flows": Flow.objects.filter(notes_on_use__startswith=LABEL).count(),
        "coalitions": Coalition.objects.filter(name__startswith=LABEL).count(),
        "users": User.objects.filter(username__startswith=USERNAME_PREFIX).count(),
    }


def real_data_counts() -> dict[str, int]:
    """Records that are not benchmark data (real or demo), by kind; empty when none."""
    from icahub.assistance.models import Need, Offer
    from icahub.coalitions.models import Coalition
    from icahub.funding.models import Flow
    from icahub.reports.models import Report

    found = {
        "needs": Need.objects.exclude(title__startswith=LABEL).count(),
        "offers": Offer.objects.exclude(title__startswith=LABEL).count(),
        "flows": Flow.objects.exclude(notes_on_use__startswith=LABEL).count(),
        "coalitions": Coalition.objects.exclude(name__startswith=LABEL).count(),
        "reports": Report.objects.exclude(versions__contact_organisation=LABEL).count(),
    }
    return {kind: count for kind, count in found.items() if count}


def generate(
    scale: float = 1.0,
    *,
    force: bool = False,
    seed: int = 2026,
    progress: Callable[[str], None] | None = None,
) -> Result:
    """Write the benchmark data set at ``scale`` (see the module's docstring).

    Raises ``RealDataPresent`` when the database holds non-benchmark records and ``force``
    is not set; returns ``Result(created=False, ...)`` when benchmark data is already there.
    """
    counts = Counts.for_scale(scale)
    say = progress or (lambda _message: None)
    if any(present_counts().values()):
        return Result(False, present_counts(), 0.0, {})
    real = real_data_counts()
    if real and not force:
        raise RealDataPresent(", ".join(f"{count} {kind}" for kind, count in real.items()))
    _ensure_reference_data()
    generator = random.Random(seed)  # noqa: S311 -- synthetic data, not secrets
    steps: dict[str, float] = {}
    start = time.perf_counter()
    with transaction.atomic():
        context = _Context(generator, counts)
        for name, step in (
            ("users", _users),
            ("reports", _reports),
            ("needs", _needs),
            ("offers", _offers),
            ("coalitions", _coalitions),
            ("flows", _flows),
            ("embeddings", _embeddings),
        ):
            began = time.perf_counter()
            step(context)
            steps[name] = time.perf_counter() - began
            say(f"{name}: {steps[name]:.1f} s")
    began = time.perf_counter()
    from icahub.assistance import matching

    matching.recompute_all()
    steps["matches"] = time.perf_counter() - began
    say(f"matches: {steps['matches']:.1f} s")
    return Result(True, present_counts(), time.perf_counter() - start, steps)


def _ensure_reference_data() -> None:
    from icahub.registry.models import State

    if not State.objects.exists():
        from django.core.management import call_command

        call_command("load_reference_data", verbosity=0)


class _Context:
    def __init__(self, generator: random.Random, counts: Counts) -> None:
        from icahub.registry.models import Convention, Membership, Organisation, State

        self.random = generator
        self.counts = counts
        conventions = {c.code: c for c in Convention.objects.all()}
        parties: dict[int, list] = {}
        for membership in Membership.objects.filter(deposited__isnull=False).select_related(
            "convention"
        ):
            parties.setdefault(membership.state_id, []).append(membership.convention)
        self.states = list(State.objects.order_by("iso3"))
        self.state_by_id = {state.pk: state for state in self.states}
        # The states that report: parties first (by ISO code), then the others.
        reporting = sorted(self.states, key=lambda s: (s.pk not in parties, s.iso3))
        self.reporting_states = reporting[: counts.states]
        fallback = conventions.get("CCM") or next(iter(conventions.values()))
        self.convention_of = {
            state.pk: sorted(parties.get(state.pk, [fallback]), key=lambda c: c.code)[0]
            for state in self.states
        }
        self.organisations = list(Organisation.objects.order_by("pk"))
        self.needs: list = []
        self.offers: list = []

    def amount(self, low: int, high: int) -> Decimal:
        return Decimal(self.random.randrange(low, high) * 1000)


def _bulk(model, rows, batch: int = BATCH) -> list:
    created = []
    for begin in range(0, len(rows), batch):
        created += model.objects.bulk_create(rows[begin : begin + batch])
    return created


def _users(ctx: _Context) -> None:
    from icahub.accounts.models import User

    unusable = make_password(None)  # benchmark accounts cannot sign in
    roles = ("state_focal_point",) * 6 + ("donor_focal_point", "partner", "coordinator", "isu")
    rows = []
    for i in range(ctx.counts.users):
        role = roles[i % len(roles)]
        state = (
            ctx.states[i % len(ctx.states)]
            if role in ("state_focal_point", "donor_focal_point")
            else None
        )
        organisation = (
            ctx.organisations[i % len(ctx.organisations)]
            if role == "partner" and ctx.organisations
            else None
        )
        if role == "partner" and organisation is None:
            role = "coordinator"
        rows.append(
            User(
                username=f"{USERNAME_PREFIX}{i + 1:05d}",
                first_name=LABEL,
                last_name=f"User {i + 1}",
                email=f"{USERNAME_PREFIX}{i + 1:05d}@{EMAIL_DOMAIN}",
                password=unusable,
                role=role,
                state=state,
                organisation=organisation,
            )
        )
    _bulk(User, rows)


def _reports(ctx: _Context) -> None:
    from icahub.reports.models import Report, ReportVersion

    slots = []
    year = LAST_YEAR
    while len(slots) < ctx.counts.reports:
        for state in ctx.reporting_states:
            slots.append((state, year))
            if len(slots) == ctx.counts.reports:
                break
        year -= 1
    reports = _bulk(
        Report,
        [
            Report(
                state=state,
                convention=ctx.convention_of[state.pk],
                kind="annual",
                reporting_year=year,
                period_start=dt.date(year, 1, 1),
                period_end=dt.date(year, 12, 31),
                due_date=dt.date(year + 1, 4, 30),
            )
            for state, year in slots
        ],
    )
    versions = []
    for report in reports:
        year = report.reporting_year
        needs = [
            {"area": area, "modality": "financial", "title": f"{LABEL} {area}"}
            for area in AREAS[:4]
            if ctx.random.random() < 0.15
        ]
        published = ctx.random.random() < 0.8
        versions.append(
            ReportVersion(
                report=report,
                number=1,
                status="published" if published else "submitted",
                submitted_on=dt.date(year + 1, 4, ctx.random.randint(1, 30)),
                published_on=dt.date(year + 1, 6, 1) if published else None,
                contact_organisation=LABEL,
                contact_name=f"{LABEL} contact",
                forms={
                    "J": {"status": "changed", "narrative": f"{LABEL} generated report."},
                    "needs": {"tables": {"needs": needs}},
                },
            )
        )
    _bulk(ReportVersion, versions)


def _needs(ctx: _Context) -> None:
    from icahub.assistance.models import Need

    rows = []
    rnd = ctx.random
    for i in range(ctx.counts.needs):
        state = ctx.states[rnd.randrange(len(ctx.states))]
        area = AREAS[i % len(AREAS)]
        required = ctx.amount(50, 5000) if rnd.random() < 0.8 else None
        start = dt.date(LAST_YEAR - rnd.randrange(3), rnd.randint(1, 12), 1)
        rows.append(
            Need(
                state=state,
                convention=ctx.convention_of[state.pk],
                area=area,
                modality=MODALITIES[rnd.randrange(len(MODALITIES))],
                title=f"{LABEL} {area.replace('_', ' ').capitalize()} need {i + 1} "
                f"in {state.name_en}",
                description=f"{LABEL} Generated need for the performance benchmarks.",
                language=LANGUAGES[0] if rnd.random() < 0.7 else rnd.choice(LANGUAGES),
                budget_required=required,
                budget_secured=(required * Decimal(rnd.randrange(0, 80)) / 100).quantize(
                    Decimal("0.01")
                )
                if required is not None
                else None,
                currency="USD" if required is not None else "",
                value_date=start if required is not None else None,
                period_start=start,
                period_end=start.replace(year=start.year + 2),
                visibility=rnd.choice(VISIBILITIES),
                status="open" if rnd.random() < 0.85 else rnd.choice(("partly_met", "met")),
            )
        )
    ctx.needs = _bulk(Need, rows)


def _offers(ctx: _Context) -> None:
    from icahub.assistance.models import Offer
    from icahub.registry.regions import REGIONS

    rnd = ctx.random
    regions = sorted(REGIONS)
    rows = []
    for i in range(ctx.counts.offers):
        by_state = rnd.random() < 0.6 or not ctx.organisations
        areas = rnd.sample(AREAS, rnd.randint(1, 3))
        envelope = ctx.amount(100, 10_000) if rnd.random() < 0.6 else None
        rows.append(
            Offer(
                provider_state=rnd.choice(ctx.states) if by_state else None,
                provider_organisation=None if by_state else rnd.choice(ctx.organisations),
                title=f"{LABEL} {areas[0].replace('_', ' ').capitalize()} offer {i + 1}",
                description=f"{LABEL} Generated offer for the performance benchmarks.",
                areas=areas,
                modalities=rnd.sample(MODALITIES, rnd.randint(1, 2)),
                priority_regions=rnd.sample(regions, 1) if rnd.random() < 0.5 else [],
                languages=rnd.sample(LANGUAGES, rnd.randint(1, 2)),
                budget_envelope=envelope,
                currency="USD" if envelope is not None else "",
                visibility=rnd.choice(VISIBILITIES),
                status="open" if rnd.random() < 0.9 else "closed",
            )
        )
    ctx.offers = _bulk(Offer, rows)
    through = Offer.priority_countries.through
    links = [
        through(offer_id=offer.pk, state_id=state.pk)
        for offer in ctx.offers
        if rnd.random() < 0.3
        for state in rnd.sample(ctx.states, 2)
    ]
    _bulk(through, links)


def _coalitions(ctx: _Context) -> None:
    from icahub.coalitions.models import Coalition, CoalitionMember

    rnd = ctx.random
    coalitions = _bulk(
        Coalition,
        [
            Coalition(
                name=f"{LABEL} Country Coalition {i + 1}",
                lead_state=ctx.reporting_states[i % len(ctx.reporting_states)],
                convention=ctx.convention_of[
                    ctx.reporting_states[i % len(ctx.reporting_states)].pk
                ],
                description=f"{LABEL} Generated coalition for the performance benchmarks.",
            )
            for i in range(ctx.counts.coalitions)
        ],
    )
    answered = dt.datetime(LAST_YEAR, 1, 15, 9, 0, tzinfo=dt.UTC)
    members = []
    for coalition in coalitions:
        members.append(
            CoalitionMember(
                coalition=coalition,
                state_id=coalition.lead_state_id,
                role="lead",
                status="active",
                responded_at=answered,
            )
        )
        others = [s for s in rnd.sample(ctx.states, 4) if s.pk != coalition.lead_state_id][:3]
        for state in others:
            members.append(
                CoalitionMember(
                    coalition=coalition,
                    state=state,
                    role="member",
                    status="active",
                    responded_at=answered,
                )
            )
        if ctx.organisations:
            members.append(
                CoalitionMember(
                    coalition=coalition,
                    organisation=rnd.choice(ctx.organisations),
                    role="coordinating_partner",
                    status="active",
                    responded_at=answered,
                )
            )
    _bulk(CoalitionMember, members)


def _flows(ctx: _Context) -> None:
    from icahub.funding.models import Flow

    rnd = ctx.random
    rows = []
    for i in range(ctx.counts.flows):
        need = ctx.needs[rnd.randrange(len(ctx.needs))] if rnd.random() < 0.2 else None
        recipient = ctx.state_by_id[need.state_id] if need is not None else rnd.choice(ctx.states)
        giver = rnd.choice(ctx.states)
        while giver.pk == recipient.pk:
            giver = rnd.choice(ctx.states)
        by_organisation = ctx.organisations and rnd.random() < 0.25
        year = LAST_YEAR - rnd.randrange(YEARS)
        value_date = dt.date(year, rnd.randint(1, 12), rnd.randint(1, 28))
        amount = ctx.amount(10, 2000)
        rows.append(
            Flow(
                giver_state=None if by_organisation else giver,
                giver_organisation=rnd.choice(ctx.organisations) if by_organisation else None,
                recipient_state=recipient,
                need=need,
                area=need.area if need is not None else AREAS[i % len(AREAS)],
                status=FLOW_STATUSES[rnd.randrange(len(FLOW_STATUSES))],
                amount=amount,
                currency="USD",
                usd_value=amount,
                value_date=value_date,
                year=year,
                modality=rnd.choice(MODALITIES),
                notes_on_use=f"{LABEL} Generated flow {i + 1}.",
                visibility="public" if rnd.random() < 0.9 else "states_parties",
                source="import",
            )
        )
    _bulk(Flow, rows, batch=5000)


def _embeddings(ctx: _Context) -> None:
    """Random unit vectors for the generated texts, so that the matching recompute needs no
    encoder (the encoder has its own benchmark in benchmarks/matching.py)."""
    from icahub.assistance import matching
    from icahub.assistance.models import TextEmbedding

    texts = {matching.need_text(need) for need in ctx.needs}
    texts |= {matching.offer_text(offer) for offer in ctx.offers}
    keys = sorted(matching.text_key(text) for text in texts)
    generator = np.random.default_rng(ctx.random.randrange(2**32))
    for begin in range(0, len(keys), BATCH):
        chunk = keys[begin : begin + BATCH]
        vectors = generator.normal(size=(len(chunk), EMBEDDING_DIMENSIONS)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        TextEmbedding.objects.bulk_create(
            [
                TextEmbedding(key=key, vector=vector.tobytes())
                for key, vector in zip(chunk, vectors, strict=True)
            ],
            ignore_conflicts=True,
        )


def counts_as_dict(counts: Counts) -> dict:
    return asdict(counts)
