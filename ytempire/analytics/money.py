"""Money as the store keeps it: whole millionths of a dollar, so sums are exact."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

MICRO = Decimal("0.000001")


def micro_usd(usd: float | Decimal) -> int:
    """``usd`` in whole millionths of a dollar (half up)."""
    exact = usd if isinstance(usd, Decimal) else Decimal(str(usd))
    return int((exact / MICRO).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def usd_of(micro: int) -> Decimal:
    """Millionths of a dollar back in dollars, exactly."""
    return (Decimal(micro) * MICRO).quantize(MICRO)
