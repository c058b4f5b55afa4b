"""Writes of funding flows and exchange rates. Every write is atomic and validated
(``full_clean``) before it is saved; every error names the field it is about.

Flows come through four doors: entered by hand (``flow_create``), imported from a file
(``flows_import``), taken from Article 7 form I on submission (``flows_sync_from_report``)
and, later, from answers to relays. Whoever reports it, one real flow is one row: see
``flows_sync_from_report`` and ``flow_merge``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from icahub.funding import rules
from icahub.funding.models import ExchangeRate, Flow, FlowSource, FlowStatus, Visibility
from icahub.registry.models import Organisation, State
from icahub.reports.forms_schema import SCHEMAS
from icahub.reports.models import ReportVersion, VersionStatus
from icahub.versioning import claim_version

CENT = Decimal("0.01")
FLOW_EDITABLE = frozenset(
    {
        "giver_state",
        "giver_organisation",
        "recipient_state",
        "recipient_organisation",
        "recipient_coalition",
        "need",
        "area",
        "status",
        "amount",
        "currency",
        "value_date",
        "year",
        "modality",
        "cooperation_model",
        "notes_on_use",
        "visibility",
    }
)


def usd_value_for(amount: Decimal, currency: str, value_date: dt.date) -> Decimal | None:
    """``amount`` of ``currency`` in US dollars at ``value_date`` from the ISU's rate table
    (the latest rate valid on that date), or None when no rate is known."""
    if currency == "USD":
        return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)
    rate = (
        ExchangeRate.objects.filter(currency=currency, valid_from__lte=value_date)
        .order_by("-valid_from")
        .values_list("usd_per_unit", flat=True)
        .first()
    )
    if rate is None:
        return None
    return (Decimal(amount) * rate).quantize(CENT, rounding=ROUND_HALF_UP)


def _require(user, perm: str, flow: Flow) -> None:
    """Services check the permission themselves when a user acts (None: the system)."""
    if user is not None and not user.has_perm(perm, flow):
        raise PermissionDenied(_("Your account may not record or change this flow."))


def _prepare(flow: Flow) -> None:
    """Fill what follows from other fields, then validate and value the flow."""
    flow.currency = (flow.currency or "").strip().upper()
    need = flow.need if flow.need_id else None
    if need is not None:
        flow.area = flow.area or need.area
        if not (
            flow.recipient_state_id or flow.recipient_organisation_id or flow.recipient_coalition_id
        ):
            flow.recipient_state_id = need.state_id
    if flow.value_date and not flow.year:
        flow.year = flow.value_date.year
    flow.full_clean()
    flow.usd_value = usd_value_for(flow.amount, flow.currency, flow.value_date)


@transaction.atomic
def flow_create(*, user=None, **fields) -> Flow:
    """Validate and save one flow. The area and recipient default from the need; the year
    from the value date; the USD value from the rate table. Errors name their field. A
    user other than the ISU must speak for the giver or the recipient."""
    unknown = sorted(
        set(fields)
        - FLOW_EDITABLE
        - {f"{name}_id" for name in FLOW_EDITABLE}
        - {"source", "source_report_version", "reported_by_giver", "reported_by_recipient"}
        - {"giver_report", "recipient_report", "usd_value"}
    )
    if unknown:
        raise ValidationError({name: _("Unknown field.") for name in unknown})
    fields.pop("usd_value", None)
    flow = Flow(created_by=user if user and user.is_authenticated else None, **fields)
    _prepare(flow)
    _require(user, "funding.add_flow", flow)
    flow.save()
    return flow


@transaction.atomic
def flow_update(*, flow: Flow, data: dict, user=None, expected_version: int | None = None) -> Flow:
    """Change a flow; its USD value follows a new amount, currency or value date. A party's
    user cannot move a flow away from their own state or organisation. A stale
    ``expected_version`` (someone saved the flow meanwhile) raises ConcurrentEditError."""
    unknown = sorted(set(data) - FLOW_EDITABLE)
    if unknown:
        raise ValidationError({name: _("This field cannot be edited here.") for name in unknown})
    claim_version(flow, expected_version)
    flow = Flow.objects.select_for_update().get(pk=flow.pk)
    _require(user, "funding.change_flow", flow)
    data = dict(data)
    if "year" in data and data["year"] is None:
        data.pop("year")
    for name, value in data.items():
        setattr(flow, name, value)
    if "value_date" in data and "year" not in data and flow.value_date:
        flow.year = flow.value_date.year
    _prepare(flow)
    _require(user, "funding.change_flow", flow)
    flow.save()
    return flow


@transaction.atomic
def flow_delete(*, flow: Flow, user=None, expected_version: int | None = None) -> None:
    """Delete a flow (its history keeps the record of it). A stale ``expected_version``
    (someone changed the flow since it was shown) refuses the deletion."""
    claim_version(flow, expected_version, deleting=True)
    flow = Flow.objects.select_for_update().get(pk=flow.pk)
    _require(user, "funding.delete_flow", flow)
    flow.delete()


@transaction.atomic
def flow_merge(*, keep: Flow, duplicate: Flow, user=None) -> Flow:
    """The explicit match: ``duplicate`` is the same real flow as ``keep`` (reported once by
    the giver and once by the recipient, or entered twice). ``keep`` takes the other's
    report links and "reported by" flags; ``duplicate`` is deleted. ISU only."""
    if user is not None and not user.has_perm("funding.merge_flows"):
        raise PermissionDenied(_("Only the ISU merges flows."))
    if keep.pk == duplicate.pk:
        raise ValidationError({"duplicate": _("A flow cannot be merged with itself.")})
    # Both move on: an editor of either is told, not silently overwritten or lost.
    claim_version(keep, None)
    claim_version(duplicate, None)
    keep = Flow.objects.select_for_update().get(pk=keep.pk)
    duplicate = Flow.objects.select_for_update().get(pk=duplicate.pk)
    same_parties = (
        keep.giver_state_id == duplicate.giver_state_id
        and keep.giver_organisation_id == duplicate.giver_organisation_id
        and keep.recipient_state_id == duplicate.recipient_state_id
        and keep.recipient_organisation_id == duplicate.recipient_organisation_id
        and keep.recipient_coalition_id == duplicate.recipient_coalition_id
    )
    if not same_parties:
        raise ValidationError(
            {"duplicate": _("Only flows between the same giver and recipient can be merged.")}
        )
    keep.reported_by_giver = keep.reported_by_giver or duplicate.reported_by_giver
    keep.reported_by_recipient = keep.reported_by_recipient or duplicate.reported_by_recipient
    keep.giver_report_id = keep.giver_report_id or duplicate.giver_report_id
    keep.recipient_report_id = keep.recipient_report_id or duplicate.recipient_report_id
    keep.need_id = keep.need_id or duplicate.need_id
    if not keep.notes_on_use and duplicate.notes_on_use:
        keep.notes_on_use = duplicate.notes_on_use
    duplicate.delete()
    keep.full_clean()
    keep.save()
    return keep


# --- exchange rates ------------------------------------------------------------------------


@transaction.atomic
def flows_revalue(*, currency: str) -> int:
    """Give a USD value to the flows of ``currency`` that have none, now that a rate may
    be known. Returns how many flows were valued."""
    valued = 0
    for flow in Flow.objects.select_for_update().filter(currency=currency, usd_value__isnull=True):
        value = usd_value_for(flow.amount, flow.currency, flow.value_date)
        if value is not None:
            flow.usd_value = value
            flow.save(update_fields=["usd_value", "updated_at"])
            valued += 1
    return valued


@transaction.atomic
def exchange_rate_create(
    *, currency: str, valid_from: dt.date, usd_per_unit: Decimal, source: str, user=None
) -> ExchangeRate:
    """Add a rate to the ISU's table and value the flows that were waiting for it."""
    if user is not None and not user.has_perm("funding.add_exchangerate"):
        raise PermissionDenied(_("Only the ISU maintains exchange rates."))
    rate = ExchangeRate(
        currency=(currency or "").strip().upper(),
        valid_from=valid_from,
        usd_per_unit=usd_per_unit,
        source=(source or "").strip(),
    )
    rate.full_clean()
    rate.save()
    flows_revalue(currency=rate.currency)
    return rate


@transaction.atomic
def exchange_rates_import(
    *, rows: list[dict], user=None, on_row: Callable[[int], None] | None = None
) -> list[ExchangeRate]:
    """Add many rates at once (rows from ``imports.read_rate_rows``): all or nothing, every
    problem named by row and column (``row 3, usd_per_unit``). ``on_row`` is told each row
    number once it is done (an import job's progress)."""
    created, errors = [], {}
    for number, row in enumerate(rows, start=2):
        try:
            with transaction.atomic():
                created.append(exchange_rate_create(**row, user=user))
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                errors[f"row {number}, {name}"] = messages
        if on_row is not None:
            on_row(number)
    if errors:
        raise ValidationError(errors)
    return created


# --- imports -------------------------------------------------------------------------------


@transaction.atomic
def flows_import(
    *, rows: list[dict], user=None, on_row: Callable[[int], None] | None = None
) -> list[Flow]:
    """Create flows from file rows (``imports.read_flow_rows``), all or nothing; every
    problem is named by row and column (``row 4, amount``). ``on_row`` is told each row
    number once it is done (an import job's progress)."""
    if user is not None and not user.has_perm("funding.import_flows"):
        raise PermissionDenied(_("Only the ISU imports flows."))
    created, errors = [], {}
    for number, row in enumerate(rows, start=2):
        if "errors" in row:
            for name, message in row["errors"].items():
                errors.setdefault(f"row {number}, {name}", []).append(message)
        else:
            try:
                with transaction.atomic():
                    created.append(
                        flow_create(**row["fields"], source=FlowSource.IMPORT, user=user)
                    )
            except ValidationError as error:
                for name, messages in error.message_dict.items():
                    errors.setdefault(f"row {number}, {name}", []).extend(messages)
        if on_row is not None:
            on_row(number)
    if errors:
        raise ValidationError(errors)
    return created


# --- Article 7 form I ----------------------------------------------------------------------


@dataclass
class SyncResult:
    """What a report's form I did to the flows."""

    created: list[Flow] = field(default_factory=list)
    linked: list[Flow] = field(default_factory=list)
    updated: list[Flow] = field(default_factory=list)
    unlinked: list[Flow] = field(default_factory=list)
    deleted: int = 0
    # (table key, row number, the name as written) of rows whose counterpart is unknown.
    unresolved: list[tuple[str, int, str]] = field(default_factory=list)


def _form_i_tables(convention: str) -> str | None:
    """The key of the form holding the assistance provided/received tables (CCM form I,
    APMBC form J)."""
    schema = SCHEMAS.get(convention)
    if schema is None:
        return None
    for form in schema.forms:
        if any(table.key == "assistance_provided" for table in form.tables):
            return form.key
    return None


def party_from_name(name: str) -> State | Organisation | None:
    """The state (ISO code or name in any of the four languages) or organisation (acronym
    or name) a report row names, or None when it names none or more than one."""
    text = (name or "").strip()
    if not text:
        return None
    if len(text) == 3 and text.isalpha():
        state = State.objects.filter(iso3=text.upper()).first()
        if state is not None:
            return state
    states = list(
        State.objects.filter(
            Q(name_en__iexact=text)
            | Q(name_fr__iexact=text)
            | Q(name_es__iexact=text)
            | Q(name_ar__iexact=text)
        )[:2]
    )
    if len(states) == 1:
        return states[0]
    organisations = list(
        Organisation.objects.filter(Q(acronym__iexact=text) | Q(name__iexact=text))[:2]
    )
    if len(organisations) == 1:
        return organisations[0]
    return None


def _party_fields(role: str, party: State | Organisation) -> dict:
    if isinstance(party, State):
        return {f"{role}_state": party}
    return {f"{role}_organisation": party}


def _same_parties_q(parties: dict) -> Q:
    q = Q()
    for role in ("giver", "recipient"):
        state = parties.get(f"{role}_state")
        organisation = parties.get(f"{role}_organisation")
        q &= Q(**{f"{role}_state": state}) if state else Q(**{f"{role}_state__isnull": True})
        q &= (
            Q(**{f"{role}_organisation": organisation})
            if organisation
            else Q(**{f"{role}_organisation__isnull": True})
        )
    return q & Q(recipient_coalition__isnull=True)


def _matches(flow: Flow, currency: str, amount: Decimal) -> bool:
    return flow.currency == currency and rules.amounts_match(flow.amount, amount)


@transaction.atomic
def flows_sync_from_report(version: ReportVersion) -> SyncResult:
    """Make the flows match form I of a submitted Article 7 report version.

    The report's state is the *giver* of each "assistance provided" row and the *recipient*
    of each "assistance received" row; the row names the counterpart (a state by ISO code
    or name, an organisation by acronym or name). Form I carries no date, area, status or
    need: a flow taken from it counts for the reporting year, is valued on the last day of
    the reporting period, is a disbursement (assistance provided or received), has the area
    "other" and the row's type as its modality, and is seen by States Parties.

    Matching, so that a flow is never counted twice:

    1. a flow this report already listed (an earlier version) with the same counterpart,
       currency and amount within ``rules.MATCH_TOLERANCE`` is the same flow: it is kept and
       its amount follows the new row;
    2. otherwise a flow between the same giver and recipient, for the same year and
       currency, with an amount within the tolerance, not yet reported by this side (the
       other side's report, a manual or imported entry) is the same flow: it is linked and
       flagged ``reported_by_giver`` / ``reported_by_recipient``;
    3. otherwise a new flow is created.

    Flows this report listed before and the new version no longer lists lose this side's
    flag; one that came from form I alone and that no side reports any more is deleted.
    Rows whose counterpart cannot be identified are left out and returned in
    ``unresolved``. Calling it again for the same version changes nothing.
    """
    version = ReportVersion.objects.select_related("report__state", "report__convention").get(
        pk=version.pk
    )
    result = SyncResult()
    if version.status == VersionStatus.DRAFT:
        raise ValidationError(
            {"status": _("Flows are taken from a submitted report, not from a draft.")},
            code="conflict",
        )
    report = version.report
    form_key = _form_i_tables(report.convention.code)
    tables = ((version.forms or {}).get(form_key) or {}).get("tables", {}) if form_key else {}
    year = report.reporting_year
    errors: dict[str, list[str]] = {}
    sides = (
        ("giver", "recipient", "assistance_provided", "recipient"),
        ("recipient", "giver", "assistance_received", "provider"),
    )
    for side, other, table, column in sides:
        flag = f"reported_by_{side}"
        listed = list(
            Flow.objects.select_for_update().filter(**{f"{side}_report": report}).order_by("pk")
        )
        kept: list[int] = []
        for number, row in enumerate(tables.get(table) or [], start=1):
            counterpart = party_from_name(row.get(column, ""))
            if counterpart is None:
                result.unresolved.append((table, number, str(row.get(column, ""))))
                continue
            currency = str(row.get("currency") or "").strip().upper()
            try:
                amount = Decimal(str(row.get("amount")))
            except ArithmeticError:
                amount = Decimal(0)
            parties = {**_party_fields(side, report.state), **_party_fields(other, counterpart)}
            prefix = f"forms.{form_key}.tables.{table}[{number}]"
            flow = next(
                (
                    f
                    for f in listed
                    if f.pk not in kept
                    and _matches(f, currency, amount)
                    and Flow.objects.filter(_same_parties_q(parties), pk=f.pk).exists()
                ),
                None,
            )
            try:
                if flow is not None:
                    if flow.amount != amount or flow.source_report_version_id != version.pk:
                        if flow.source == FlowSource.ARTICLE7 and flow.amount != amount:
                            flow.amount = amount
                        flow.source_report_version = version
                        _prepare(flow)
                        flow.save()
                        result.updated.append(flow)
                    kept.append(flow.pk)
                    continue
                candidates = (
                    Flow.objects.select_for_update()
                    .filter(_same_parties_q(parties), year=year, currency=currency)
                    .filter(**{flag: False})
                    .exclude(pk__in=kept)
                    .order_by("pk")
                )
                flow = next((f for f in candidates if _matches(f, currency, amount)), None)
                if flow is not None:
                    setattr(flow, flag, True)
                    setattr(flow, f"{side}_report", report)
                    flow.save(update_fields=[flag, f"{side}_report", "updated_at"])
                    result.linked.append(flow)
                else:
                    flow = Flow(
                        **parties,
                        area="other",
                        status=FlowStatus.DISBURSEMENT,
                        amount=amount,
                        currency=currency,
                        value_date=report.period_end,
                        year=year,
                        modality=row.get("type") or "",
                        visibility=Visibility.STATES_PARTIES,
                        source=FlowSource.ARTICLE7,
                        source_report_version=version,
                        created_by=version.created_by,
                        **{flag: True, f"{side}_report": report},
                    )
                    _prepare(flow)
                    flow.save()
                    result.created.append(flow)
                kept.append(flow.pk)
            except ValidationError as error:
                for name, messages in error.message_dict.items():
                    errors.setdefault(f"{prefix}.{name}", []).extend(messages)
        for flow in listed:
            if flow.pk in kept:
                continue
            reported_by_other = getattr(flow, f"reported_by_{other}")
            if flow.source == FlowSource.ARTICLE7 and not reported_by_other:
                flow.delete()
                result.deleted += 1
            else:
                setattr(flow, flag, False)
                setattr(flow, f"{side}_report", None)
                flow.save(update_fields=[flag, f"{side}_report", "updated_at"])
                result.unlinked.append(flow)
    if errors:
        raise ValidationError(errors)
    return result
