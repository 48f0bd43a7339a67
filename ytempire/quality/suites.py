"""Quality suites: Great Expectations suites in JSON, loaded strictly and validated per row.

A suite file is GX 1.x's own format (``{"name": ..., "expectations": [{"type": ...,
"kwargs": {...}, "meta": {...}, "severity": ...}]}``) with fields of ours in each
expectation's ``meta``: ``check``, the check's name in reports, ``recommendation``, what to
do when it fails, and optionally ``critical`` (true or false), whether its failure holds the
upload for an operator (``ytempire.publish.gate``; a channel may name its own). An
expectation may hold for some rows only, by GX's own ``row_condition`` in its structured
form (``{"type": "comparison", "column": {"name": "language"}, "operator": "==",
"parameter": "ja"}``; operators ``==``, ``!=``, ``<``, ``<=``, ``>``, ``>=``, ``IN``,
``NOT_IN``): a check whose threshold differs by language is listed once per language group,
under one name, each listing with its condition. Loading is
strict, because GX is not: it logs and drops an expectation whose type it does not know. A
file that cannot be read, is not JSON, is not a suite, or loads fewer expectations than it
lists raises ``SuiteError``, one line naming the file.

Validation runs on a pandas DataFrame holding one row per item (one per thumbnail variant,
say) through an ephemeral GX context, and comes back as one ``RowCheck`` per expectation
and row: a thumbnail that fails is named, not only the suite. A value that is missing
(NaN, None) fails its check, where GX would skip it: what could not be measured has not
passed. A row that no listing of a check applies to is skipped, with the reason, never
passed. Expectations without rows (table- or column-wide ones) give one check with ``row``
None.

GX is imported on first use, once per process (it costs ~3 s), with its progress bars off.
"""

from __future__ import annotations

import json
import logging
import math
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ytempire.errors import one_line

SUITE_NAMES = ("script", "voice", "video", "thumbnail")
GATING_SEVERITY = "critical"
# What makes an expectation hold for some rows only (GX kwargs), and the comparisons of
# GX's structured row conditions, as pandas makes them.
_CONDITION_KEYS = ("row_condition", "condition_parser")
_COMPARE: dict[str, Callable[[pd.Series, Any], pd.Series]] = {
    "==": lambda column, value: column == value,
    "!=": lambda column, value: column != value,
    "<": lambda column, value: column < value,
    "<=": lambda column, value: column <= value,
    ">": lambda column, value: column > value,
    ">=": lambda column, value: column >= value,
    "IN": lambda column, value: column.isin(value),
    "NOT_IN": lambda column, value: ~column.isin(value),
}

# Validation shares one context, datasource and batch definition: one at a time.
_LOCK = threading.Lock()


class SuiteError(ValueError):
    """A suite file (or folder) that cannot be used; the message is one line naming it."""


@dataclass(frozen=True)
class Check:
    """One expectation of a suite, as reports name and explain it."""

    check: str
    type: str
    kwargs: Mapping[str, Any]
    severity: str
    recommendation: str
    critical: bool = False
    condition: Mapping[str, Any] | None = None  # GX's row_condition (None: every row)

    @property
    def where(self) -> str:
        """The condition in words: ``language == 'ja'``; empty without one."""
        c = self.condition
        if c is None:
            return ""
        return f"{c['column']['name']} {c['operator']} {c['parameter']!r}"

    @property
    def gated(self) -> bool:
        """Whether a failure fails the item: GX's ``critical``; warnings and info are recorded."""
        return self.severity == GATING_SEVERITY


@dataclass(frozen=True)
class Suite:
    """A loaded suite: the GX object to validate with, and its checks in file order."""

    name: str
    path: Path
    checks: tuple[Check, ...]
    gx_suite: Any


@dataclass(frozen=True)
class RowCheck:
    """One check of one row: what was observed, what was expected, and whether it passed."""

    check: Check
    row: int | None
    passed: bool
    value: float | bool | str | None
    expectation: str
    skipped: str | None = None  # why the check did not apply to the row (then not passed)


def suite_path(suites_dir: Path, name: str) -> Path:
    """Where suite ``name`` lives; raises ``SuiteError`` when the folder is missing."""
    if not suites_dir.is_dir():
        raise SuiteError(f"quality suites folder {suites_dir} does not exist or is not a folder")
    return suites_dir / f"{name}.json"


def load_suite(path: Path) -> Suite:
    """The suite in ``path``, with every expectation it lists, or ``SuiteError``."""
    data = _read_json(path)
    listed = _listed_checks(path, data)
    gx = _gx()
    # Each expectation carries its place in the file: a check may be listed more than once.
    numbered = [
        {**entry, "meta": {**entry["meta"], "position": number}}
        for number, entry in enumerate(data["expectations"])
    ]
    try:
        with _quiet_gx_suite_log():
            gx_suite = gx.ExpectationSuite(**{**data, "expectations": numbered})
    except Exception as exc:  # GX raises TypeError, ValueError or its own for bad fields
        # Validation errors say which field on their later lines: keep them, on one line.
        detail = "; ".join(line.strip() for line in str(exc).splitlines() if line.strip())
        raise SuiteError(f"{path}: not a valid suite: {detail[:300]}") from None
    loaded = {e.meta["position"]: e for e in gx_suite.expectations}
    dropped = [f"{c.check} ({c.type})" for n, c in enumerate(listed) if n not in loaded]
    if dropped:
        raise SuiteError(
            f"{path}: lists {len(listed)} expectations but {len(gx_suite.expectations)} loaded; "
            f"not loaded (unknown type or invalid kwargs): {', '.join(dropped)}"
        )
    checks = tuple(
        Check(
            check=c.check,
            type=c.type,
            kwargs=c.kwargs,
            severity=str(getattr(loaded[n].severity, "value", loaded[n].severity)),
            recommendation=c.recommendation,
            critical=c.critical,
            condition=c.kwargs.get("row_condition"),
        )
        for n, c in enumerate(listed)
    )
    return Suite(name=str(data["name"]), path=path, checks=checks, gx_suite=gx_suite)


def load_suites(suites_dir: Path) -> dict[str, Suite]:
    """Every suite the quality stage uses, by name; the first that fails raises."""
    return {name: load_suite(suite_path(suites_dir, name)) for name in SUITE_NAMES}


def validate(suite: Suite, frame: pd.DataFrame) -> list[RowCheck]:
    """Validate ``frame`` (one row per item, a default RangeIndex) against ``suite``.

    Returns the checks in suite order, each expectation's rows in frame order, one per
    check name and row: a row a conditional listing does not hold for is another listing's,
    or skipped when none holds for it. An expectation that raises inside GX (a column the
    frame lacks) is a ``SuiteError``: the suite and the metrics disagree, and that is a
    defect, not a failed check.
    """
    frame = frame.reset_index(drop=True)
    with _LOCK:
        batch = _batch_definition().get_batch(batch_parameters={"dataframe": frame})
        outcome = batch.validate(suite.gx_suite, result_format="COMPLETE")
    results = {r.expectation_config.meta["position"]: r for r in outcome.results}
    checks: list[RowCheck] = []
    for position, check in enumerate(suite.checks):
        result = results[position]
        raised = _raised(result.exception_info)
        if raised:
            raise SuiteError(f"{suite.path}: check {check.check!r} ({check.type}) raised: {raised}")
        detail = result.result or {}
        if "unexpected_index_list" not in detail:
            observed = _plain(detail.get("observed_value"))
            checks.append(
                RowCheck(check, None, bool(result.success), observed, describe(check, None))
            )
            continue
        unexpected = set(detail.get("unexpected_index_list") or [])
        applies = _rows_where(suite, check, frame)
        for row in range(len(frame)):
            values = frame.iloc[row]
            value = observe(check, values)
            expectation = describe(check, values)
            if row not in applies:
                reason = f"does not apply here: {check.check} is checked where {check.where}"
                checks.append(RowCheck(check, row, False, value, expectation, skipped=reason))
                continue
            passed = row not in unexpected and not _missing(value)
            checks.append(RowCheck(check, row, passed, value, expectation))
    return _one_per_row(checks)


def _rows_where(suite: Suite, check: Check, frame: pd.DataFrame) -> set[int]:
    """The rows ``check`` holds for: all, or those its ``row_condition`` selects (as GX
    selects them: a missing value compares false)."""
    c = check.condition
    if c is None:
        return set(range(len(frame)))
    name = c["column"]["name"]
    if name not in frame.columns:
        raise SuiteError(
            f"{suite.path}: check {check.check!r}: row_condition names {name!r}, "
            "which the measurements do not have"
        )
    selected = _COMPARE[c["operator"]](frame[name], c["parameter"])
    return {int(i) for i in frame.index[selected.fillna(False).astype(bool)]}


def _one_per_row(checks: list[RowCheck]) -> list[RowCheck]:
    """One check per name and row (the listing that applied, else the first skipped one),
    in suite order by name, then row by row."""
    applied = {(c.check.check, c.row) for c in checks if c.skipped is None}
    kept: list[RowCheck] = []
    skipped: set[tuple[str, int | None]] = set()
    for c in checks:
        key = (c.check.check, c.row)
        if c.skipped is None:
            kept.append(c)
        elif key not in applied and key not in skipped:
            skipped.add(key)
            kept.append(c)
    order: dict[str, int] = {}
    for c in kept:
        order.setdefault(c.check.check, len(order))
    return sorted(kept, key=lambda c: (order[c.check.check], -1 if c.row is None else c.row))


def observe(check: Check, row: pd.Series) -> float | bool | str | None:
    """The value a check looks at in ``row``: the column, the pair's gap or ratio."""
    kwargs = check.kwargs
    if "column" in kwargs:
        return _plain(row[kwargs["column"]])
    a, b = _plain(row[kwargs["column_A"]]), _plain(row[kwargs["column_B"]])
    numbers = isinstance(a, float) and isinstance(b, float)
    if check.type == "expect_column_pair_values_to_be_within_tolerance" and numbers:
        return round(abs(a - b), 4)  # type: ignore[operator]
    if check.type == "expect_column_pair_values_ratio_to_be_between" and numbers:
        return round(a / b, 4) if b else None  # type: ignore[operator]
    return a


def describe(check: Check, row: pd.Series | None) -> str:
    """The expectation in words: ``readability ≥ 0.6``, ``resolution = 1920x1080``,
    ``0.9 ≤ words / target_words ≤ 1.1``, ``|video_s − narration_s| ≤ 0.1``. A conditional
    one is described as it holds for the rows it applies to (its condition is not repeated)."""
    k = check.kwargs
    subject = k.get("column") or f"{k.get('column_A')} / {k.get('column_B')}"
    if check.type in (
        "expect_column_values_to_be_between",
        "expect_column_pair_values_ratio_to_be_between",
    ):
        low, high = k.get("min_value"), k.get("max_value")
        below = "<" if k.get("strict_min") else "≤"
        above = "<" if k.get("strict_max") else "≤"
        if low is not None and high is not None:
            return f"{low:g} {below} {subject} {above} {high:g}"
        if low is not None:
            return f"{subject} {'>' if below == '<' else '≥'} {low:g}"
        return f"{subject} {above} {high:g}"
    if check.type == "expect_column_values_to_be_in_set":
        values = [str(v) for v in k["value_set"]]
        return f"{subject} = {values[0]}" if len(values) == 1 else f"{subject} in {values}"
    if check.type == "expect_column_values_to_not_be_null":
        return f"{subject} measured"
    if check.type == "expect_column_pair_values_to_be_equal":
        wanted = _plain(row[k["column_B"]]) if row is not None else k["column_B"]
        return f"{k['column_A']} = {wanted}"
    if check.type == "expect_column_pair_values_to_be_within_tolerance":
        return f"|{k['column_A']} − {k['column_B']}| ≤ {k['tolerance']:g}"
    shown = {key: value for key, value in k.items() if key not in _CONDITION_KEYS}
    arguments = ", ".join(f"{key}={value}" for key, value in shown.items())
    return f"{check.type}({arguments})"


# -- reading a file ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Listed:
    check: str
    type: str
    kwargs: Mapping[str, Any]
    recommendation: str
    critical: bool


def _read_json(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SuiteError(f"{path}: no such suite file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SuiteError(f"{path}: cannot be read: {one_line(exc)}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SuiteError(
            f"{path}: not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None
    if not isinstance(data, dict):
        raise SuiteError(f"{path}: not a suite: the top level must be an object")
    if not isinstance(data.get("name"), str) or not data["name"]:
        raise SuiteError(f'{path}: not a suite: "name" must be a non-empty string')
    if not isinstance(data.get("expectations"), list) or not data["expectations"]:
        raise SuiteError(f'{path}: not a suite: "expectations" must be a non-empty list')
    return data


def _listed_checks(path: Path, data: Mapping[str, Any]) -> list[_Listed]:
    """The expectations as the file lists them, each with our ``meta`` fields checked."""
    listed: list[_Listed] = []
    for number, entry in enumerate(data["expectations"], start=1):
        where = f"{path}: expectation {number}"
        if not isinstance(entry, dict) or not isinstance(entry.get("type"), str):
            raise SuiteError(f'{where}: must be an object with a "type"')
        meta = entry.get("meta")
        if not isinstance(meta, dict):
            raise SuiteError(
                f'{where} ({entry["type"]}): "meta" with "check" and "recommendation" is missing'
            )
        check, recommendation = meta.get("check"), meta.get("recommendation")
        if not isinstance(check, str) or not check:
            raise SuiteError(f'{where} ({entry["type"]}): meta "check" must name the check')
        if not isinstance(recommendation, str) or not recommendation:
            raise SuiteError(f'{where} ({check}): meta "recommendation" must say what to do')
        critical = meta.get("critical", False)
        if not isinstance(critical, bool):
            raise SuiteError(f'{where} ({check}): meta "critical" must be true or false')
        kwargs = entry.get("kwargs")
        if not isinstance(kwargs, dict):
            raise SuiteError(f'{where} ({check}): "kwargs" must be an object')
        condition = kwargs.get("row_condition")
        if condition is not None and not _comparison(condition):
            raise SuiteError(
                f'{where} ({check}): "row_condition" must be a GX comparison: '
                '{"type": "comparison", "column": {"name": ...}, "operator": one of '
                f'{", ".join(_COMPARE)}, "parameter": ...}}'
            )
        twin = next((c for c in listed if c.check == check), None)
        if twin is not None and (condition is None or "row_condition" not in twin.kwargs):
            raise SuiteError(
                f"{where}: check {check!r} is listed twice (list a check again only with a "
                '"row_condition" on each listing)'
            )
        listed.append(_Listed(check, entry["type"], kwargs, recommendation, critical))
    return listed


def _comparison(condition: object) -> bool:
    """Whether ``condition`` is a structured GX comparison this module can evaluate."""
    return (
        isinstance(condition, dict)
        and condition.get("type") == "comparison"
        and isinstance(condition.get("column"), dict)
        and isinstance(condition["column"].get("name"), str)
        and condition.get("operator") in _COMPARE
        and "parameter" in condition
    )


# -- Great Expectations, once per process --------------------------------------------------


@dataclass(frozen=True)
class _GX:
    ExpectationSuite: Any
    context: Any


@cache
def _gx() -> _GX:
    """GX imported, our expectation types registered, an ephemeral context with no bars."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    import ytempire.quality.expectations  # noqa: F401  (defining the types registers them)

    # GX announces the temporary docs site of every ephemeral context at INFO (that module's
    # logger has its own level), which lands in the middle of the CLI's stage display; its
    # warnings and errors still come through.
    logging.getLogger("great_expectations.data_context.types.base").setLevel(logging.WARNING)
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    return _GX(ExpectationSuite=gx.ExpectationSuite, context=context)


@cache
def _batch_definition() -> Any:
    """The whole-DataFrame batch definition every validation goes through."""
    source = _gx().context.data_sources.add_pandas("ytempire-quality")
    asset = source.add_dataframe_asset("metrics")
    return asset.add_batch_definition_whole_dataframe("one-row-per-item")


@contextmanager
def _quiet_gx_suite_log() -> Iterator[None]:
    """GX logs a traceback for each expectation it drops; we raise one line instead."""
    log = logging.getLogger("great_expectations.core.expectation_suite")
    before = log.disabled
    log.disabled = True
    try:
        yield
    finally:
        log.disabled = before


def _raised(info: Any) -> str | None:
    """The first exception message in a result's ``exception_info``, if any raised."""
    if not isinstance(info, dict):
        return None
    entries = info.values() if "raised_exception" not in info else [info]
    for entry in entries:
        if isinstance(entry, dict) and entry.get("raised_exception"):
            return str(entry.get("exception_message") or "an exception").splitlines()[0]
    return None


def _plain(value: Any) -> float | bool | str | None:
    """A DataFrame cell as a plain JSON value: numbers as float, NaN as None."""
    if value is None:
        return None
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | float | np.number):
        number = float(value)
        return None if math.isnan(number) else number
    return str(value)


def _missing(value: object) -> bool:
    return value is None
