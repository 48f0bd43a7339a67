"""Drift: a shift in speech pace is flagged, an unchanged window is not (the store's rows)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

from ytempire.analytics.store import AnalyticsStore
from ytempire.analytics.tables import QualityResult
from ytempire.learning import drift

NOW = datetime(2026, 12, 7, 12, tzinfo=UTC)


def sqlite(tmp_path: Path) -> AnalyticsStore:
    return AnalyticsStore(f"sqlite:///{tmp_path / 'drift.db'}")


def store_with_pace(store: AnalyticsStore, recent_wpm: float) -> AnalyticsStore:
    """``store`` with eight days of voice checks up to ``NOW``: 7 baseline days around
    150 wpm, the last day at ``recent_wpm`` (same spread)."""
    rng = np.random.default_rng(7)
    with store.session() as s:
        for hour in range(8 * 24 * 2):
            at = NOW - timedelta(minutes=30 * (hour + 1))
            centre = recent_wpm if at >= NOW - timedelta(days=1) else 150.0
            s.add(
                QualityResult(
                    video_id=uuid.uuid4(),
                    pipeline_run_id=uuid.uuid4(),
                    item="voice",
                    check="words_per_minute",
                    observed=f"{rng.normal(centre, 6):.1f}",
                    expectation="between 130 and 170",
                    passed=True,
                    gated=True,
                    recommendation=None,
                    created_at=at,
                )
            )
    return store


def test_a_pace_shift_is_flagged(tmp_path: Path) -> None:
    (pace,) = drift.evaluate(store_with_pace(sqlite(tmp_path), 165.0), now=NOW)
    assert pace.metric == "words_per_minute"
    assert (pace.baseline_n, pace.recent_n) == (7 * 48, 48)
    assert pace.drifted
    assert pace.psi is not None and pace.psi >= drift.PSI_DRIFT
    assert "→" in pace.shift and "PSI" in pace.shift


def test_an_unchanged_window_is_not(tmp_path: Path) -> None:
    (pace,) = drift.evaluate(store_with_pace(sqlite(tmp_path), 150.0), now=NOW)
    assert not pace.drifted
    # 48 values in ten bins: PSI alone is noisy (about 0.2 from chance); KS does not agree
    assert pace.ks_p_value is not None and pace.ks_p_value >= drift.KS_ALPHA


def test_too_few_values_are_not_judged() -> None:
    result = drift.compare("quality_score", [0.8] * 3, [0.5] * 20)
    assert not result.drifted
    assert result.note.startswith("not judged")
