"""Charts drawn from a chart cue's own numbers, as PNGs of the frame size."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from ytempire.models import VisualCue
from ytempire.visuals.charts import ChartError, render_chart
from ytempire.visuals.palette import DEFAULT_PALETTE


def _cue(data: dict[str, float], chart_type: str = "bar", text: str = "") -> VisualCue:
    return VisualCue(kind="chart", text=text, data=data, chart_type=chart_type)


def _accent_columns(path: Path) -> dict[int, int]:
    """For each x with accent pixels, how many rows of accent it holds."""
    pixels = np.asarray(Image.open(path).convert("RGB")).astype(int)
    accent = (np.abs(pixels - np.array(DEFAULT_PALETTE.accent)).max(axis=2) <= 8).sum(axis=0)
    return {x: int(n) for x, n in enumerate(accent) if n}


def test_bars_are_as_tall_as_their_values(tmp_path: Path) -> None:
    path = render_chart(
        _cue({"2019": 10, "2020": 20, "2021": 40}, text="Papers per year"),
        (1920, 1080),
        tmp_path / "chart.png",
    )
    with Image.open(path) as image:
        assert (image.size, image.mode) == ((1920, 1080), "RGB")
    columns = _accent_columns(path)
    # Three bars side by side, each under the middle of its third of the plot area.
    runs: list[list[int]] = []
    for x in sorted(columns):
        if runs and x == runs[-1][-1] + 1:
            runs[-1].append(x)
        else:
            runs.append([x])
    bars = [r for r in runs if len(r) > 100]
    assert len(bars) == 3
    heights = [max(columns[x] for x in bar[len(bar) // 4 : -len(bar) // 4]) for bar in bars]
    assert heights[1] / heights[0] == pytest.approx(2, rel=0.05)
    assert heights[2] / heights[0] == pytest.approx(4, rel=0.05)


def test_line_and_pie_charts_draw_in_portrait_too(tmp_path: Path) -> None:
    data = {"a": 3.0, "b": 1.5, "c": 4.25}
    for kind in ("line", "pie"):
        path = render_chart(_cue(data, kind), (1080, 1920), tmp_path / f"{kind}.png")
        with Image.open(path) as image:
            assert image.size == (1080, 1920)
        assert sum(_accent_columns(path).values()) > 2000, kind


def test_at_most_eight_items_are_drawn(tmp_path: Path) -> None:
    many = {f"item {i}": float(i + 1) for i in range(12)}
    eight = dict(list(many.items())[:8])
    a = render_chart(_cue(many), (1280, 720), tmp_path / "many.png")
    b = render_chart(_cue(eight), (1280, 720), tmp_path / "eight.png")
    assert np.array_equal(np.asarray(Image.open(a)), np.asarray(Image.open(b)))


@pytest.mark.parametrize(
    ("cue", "message"),
    [
        (_cue({}), "no data"),
        (_cue({"a": math.nan}), "not a finite number"),
        (_cue({"a": 1.0}, "radar"), "unknown chart type 'radar'"),
        (_cue({"a": 1.0, "b": -2.0}, "pie"), "negative"),
    ],
)
def test_a_cue_that_cannot_be_a_chart_is_refused_and_nothing_written(
    cue: VisualCue, message: str, tmp_path: Path
) -> None:
    with pytest.raises(ChartError, match=message):
        render_chart(cue, (1920, 1080), tmp_path / "chart.png")
    assert list(tmp_path.iterdir()) == []
