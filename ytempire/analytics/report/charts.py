"""Figures for the sections' charts: matplotlib's object API (Agg), PNG bytes."""

from __future__ import annotations

import io
from typing import Any


def png(figure: Any) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
    return buffer.getvalue()


def figure(height: float = 3.2) -> Any:
    # The object API renders with Agg and never touches a display or pyplot's global state.
    from matplotlib.figure import Figure

    return Figure(figsize=(7.5, height), layout="constrained")
