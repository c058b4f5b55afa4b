"""Pure rules of funding flows (no ORM), reused by the services, the imports and the tests.

Matching a flow reported twice (Article 7 form I): the giver's "assistance provided" row
and the recipient's "assistance received" row are the same flow when they name the same
giver and recipient, the same year and currency, and amounts that differ by no more than
``MATCH_TOLERANCE`` of the larger one (rounding, fees, a payment split across year end).
"""

from __future__ import annotations

from decimal import Decimal

# 2 %: reports round amounts and bank fees shave a little off what arrives.
MATCH_TOLERANCE = Decimal("0.02")


def amounts_match(a: Decimal, b: Decimal, tolerance: Decimal = MATCH_TOLERANCE) -> bool:
    """Whether two amounts in the same currency are the same flow's, within ``tolerance``
    of the larger amount."""
    a, b = Decimal(a), Decimal(b)
    if a <= 0 or b <= 0:
        return False
    return abs(a - b) <= tolerance * max(a, b)


def bar_widths(values: list[Decimal], full: int = 300) -> list[int]:
    """Bar lengths in pixels for a chart whose longest bar is ``full`` wide (at least one
    pixel for any value above zero, so a small amount is not drawn as nothing)."""
    top = max([v for v in values if v is not None] + [Decimal(0)])
    if top <= 0:
        return [0 for _ in values]
    widths = []
    for value in values:
        if value is None or value <= 0:
            widths.append(0)
        else:
            widths.append(max(1, round(full * value / top)))
    return widths
