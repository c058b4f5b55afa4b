"""The gap view's arithmetic: per need of the plan and per objective, the budget required
against the money committed and disbursed, in US dollars. Pure functions over plain values.

What counts, so that nothing is counted twice:

- **Funding flows** (``icahub.funding``) are the record of money. A flow tied to a need of
  the plan counts for that need: its commitment, disbursement and expenditure statuses are
  *committed*, the last two also *disbursed*; a pledge is a promise and never counts
  (``funding.selectors.need_funding_totals``).
- **Member commitments** (``Commitment``) are the coalition's own undertakings inside the
  plan. A commitment with the status *committed* counts as committed only while no flow has
  fulfilled it: once the member's money is recorded as a flow, the commitment is marked
  *fulfilled* and linked to that flow, and the flow alone is counted. *Pledged* commitments
  are shown apart, as pledges; *withdrawn* ones are not counted. A commitment is never
  *disbursed*: only flows say that money moved.
- **Flows to the coalition** with no need of the plan are shown on a line of their own
  ("not tied to a need"): they are the coalition's money but fill no particular need.

An objective sums the needs it links. A need linked to two objectives counts in both, so
objective lines are not added up; the plan total counts each need once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

ZERO = Decimal("0")


@dataclass(frozen=True)
class NeedMoney:
    """What is known of one need, in USD (``required`` None when the need gives no budget
    or no exchange rate values it)."""

    need_id: int
    title: str
    required: Decimal | None
    flows_committed: Decimal = ZERO
    flows_disbursed: Decimal = ZERO
    flows_pledged: Decimal = ZERO
    commitments_committed: Decimal = ZERO
    commitments_pledged: Decimal = ZERO
    unvalued: int = 0


@dataclass(frozen=True)
class GapLine:
    key: str
    label: str
    required: Decimal | None
    committed: Decimal
    disbursed: Decimal
    pledged: Decimal
    unvalued: int = 0
    need_ids: tuple[int, ...] = field(default_factory=tuple)

    @property
    def gap(self) -> Decimal | None:
        """Still to be found: required minus committed, never below zero."""
        if self.required is None:
            return None
        return max(self.required - self.committed, ZERO)

    @property
    def covered_percent(self) -> int | None:
        if not self.required:
            return None
        return min(int(self.committed * 100 / self.required), 100)


def need_line(money: NeedMoney) -> GapLine:
    return GapLine(
        key=f"need-{money.need_id}",
        label=money.title,
        required=money.required,
        committed=money.flows_committed + money.commitments_committed,
        disbursed=money.flows_disbursed,
        pledged=money.flows_pledged + money.commitments_pledged,
        unvalued=money.unvalued,
        need_ids=(money.need_id,),
    )


def sum_lines(key: str, label: str, lines: list[GapLine]) -> GapLine:
    """Several needs' lines added up; ``required`` is unknown (None) when no line knows
    it, otherwise the sum of the lines that do."""
    known = [line.required for line in lines if line.required is not None]
    return GapLine(
        key=key,
        label=label,
        required=sum(known, ZERO) if known else None,
        committed=sum((line.committed for line in lines), ZERO),
        disbursed=sum((line.disbursed for line in lines), ZERO),
        pledged=sum((line.pledged for line in lines), ZERO),
        unvalued=sum(line.unvalued for line in lines),
        need_ids=tuple(pk for line in lines for pk in line.need_ids),
    )


@dataclass(frozen=True)
class Gap:
    needs: list[GapLine]
    objectives: list[GapLine]
    unallocated: GapLine
    total: GapLine


def compute_gap(
    needs: list[NeedMoney],
    objectives: list[tuple[int, str, list[int]]],
    *,
    unallocated_committed: Decimal = ZERO,
    unallocated_disbursed: Decimal = ZERO,
    unallocated_pledged: Decimal = ZERO,
    labels: dict[str, str] | None = None,
) -> Gap:
    """The gap lines: one per need, one per objective ``(id, title, need ids)``, the money
    given to the coalition outside any need of the plan, and the plan's total (each need
    once, plus that unallocated money)."""
    labels = labels or {}
    by_need = {money.need_id: need_line(money) for money in needs}
    need_lines = list(by_need.values())
    objective_lines = [
        sum_lines(
            f"objective-{pk}",
            title,
            [by_need[need_id] for need_id in need_ids if need_id in by_need],
        )
        for pk, title, need_ids in objectives
    ]
    unallocated = GapLine(
        key="unallocated",
        label=labels.get("unallocated", "Not tied to a need of the plan"),
        required=None,
        committed=unallocated_committed,
        disbursed=unallocated_disbursed,
        pledged=unallocated_pledged,
    )
    total = sum_lines("total", labels.get("total", "Whole plan"), [*need_lines, unallocated])
    return Gap(needs=need_lines, objectives=objective_lines, unallocated=unallocated, total=total)


@dataclass(frozen=True)
class ChartBar:
    label: str
    y: int
    required_width: int
    committed_width: int
    disbursed_width: int
    line: GapLine


def chart_bars(
    lines: list[GapLine], *, width: int = 300, row_height: int = 64, top: int = 10
) -> list[ChartBar]:
    """Three bars per line (required, committed, disbursed) on one scale: the largest value
    of all the lines spans ``width``."""
    largest = max(
        [
            value
            for line in lines
            for value in (line.required or ZERO, line.committed, line.disbursed)
        ]
        or [ZERO]
    )

    def scaled(value: Decimal | None) -> int:
        if not value or not largest:
            return 0
        return max(int(value * width / largest), 1)

    return [
        ChartBar(
            label=line.label,
            y=top + index * row_height,
            required_width=scaled(line.required),
            committed_width=scaled(line.committed),
            disbursed_width=scaled(line.disbursed),
            line=line,
        )
        for index, line in enumerate(lines)
    ]
