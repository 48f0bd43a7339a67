"""Great Expectations types the built-in ones do not cover, for the suites in quality_suites/.

Two row-wise comparisons of a pair of columns, each with its own metric:

- ``expect_column_pair_values_to_be_within_tolerance``: ``|A − B| ≤ tolerance``. The video's
  duration against the narration's (0.1 s) and the audio stream's start against the video's
  (A/V sync, 50 ms) are both this.
- ``expect_column_pair_values_ratio_to_be_between``: ``min ≤ A / B ≤ max``. A script's words
  against its target (±10%) is this; a zero or missing B never passes.

Defining a class registers it with GX, so this module must be imported before a suite that
uses these types is loaded (``quality.suites`` does that). It imports GX at once: import it
only where GX is wanted (GX costs ~3 s to import).
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
import pandas as pd
from great_expectations.execution_engine import PandasExecutionEngine
from great_expectations.expectations.expectation import ColumnPairMapExpectation
from great_expectations.expectations.metrics.map_metric_provider import (
    ColumnPairMapMetricProvider,
    column_pair_condition_partial,
)

_PAIR_DOMAIN_KEYS = (
    "batch_id",
    "table",
    "column_A",
    "column_B",
    "row_condition",
    "condition_parser",
    "ignore_row_if",
)


class ColumnPairValuesWithinTolerance(ColumnPairMapMetricProvider):
    """Row-wise ``|A − B| ≤ tolerance``."""

    condition_metric_name = "column_pair_values.within_tolerance"
    condition_domain_keys = _PAIR_DOMAIN_KEYS
    condition_value_keys = ("tolerance",)

    @column_pair_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column_A: pd.Series, column_B: pd.Series, **kwargs: Any) -> pd.Series:
        difference = (column_A.astype(float) - column_B.astype(float)).abs()
        return difference <= float(kwargs["tolerance"])


class ColumnPairValuesRatioBetween(ColumnPairMapMetricProvider):
    """Row-wise ``min_value ≤ A / B ≤ max_value``; a zero B never passes."""

    condition_metric_name = "column_pair_values.ratio_between"
    condition_domain_keys = _PAIR_DOMAIN_KEYS
    condition_value_keys = ("min_value", "max_value")

    @column_pair_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column_A: pd.Series, column_B: pd.Series, **kwargs: Any) -> pd.Series:
        denominator = column_B.astype(float).replace(0.0, np.nan)
        ratio = column_A.astype(float) / denominator
        inside = ratio.notna()
        if kwargs.get("min_value") is not None:
            inside &= ratio >= float(kwargs["min_value"])
        if kwargs.get("max_value") is not None:
            inside &= ratio <= float(kwargs["max_value"])
        return inside


class ExpectColumnPairValuesToBeWithinTolerance(ColumnPairMapExpectation):
    """Expect each row's values in column A and column B to differ by at most ``tolerance``."""

    tolerance: float
    ignore_row_if: str = "neither"

    map_metric = "column_pair_values.within_tolerance"
    success_keys = ("column_A", "column_B", "tolerance", "ignore_row_if", "mostly")
    args_keys = ("column_A", "column_B", "tolerance")
    library_metadata: ClassVar[dict[str, Any]] = {"maturity": "experimental", "tags": ["ytempire"]}


class ExpectColumnPairValuesRatioToBeBetween(ColumnPairMapExpectation):
    """Expect each row's column A divided by column B to lie in [``min_value``, ``max_value``]."""

    min_value: float | None = None
    max_value: float | None = None
    ignore_row_if: str = "neither"

    map_metric = "column_pair_values.ratio_between"
    success_keys = ("column_A", "column_B", "min_value", "max_value", "ignore_row_if", "mostly")
    args_keys = ("column_A", "column_B", "min_value", "max_value")
    library_metadata: ClassVar[dict[str, Any]] = {"maturity": "experimental", "tags": ["ytempire"]}
