"""Fallback chains: try engines in order, each as its own task run, and say what was skipped.

Each candidate runs with ``return_state=True``, so its failure (after its own retries) is a
state to branch on rather than an exception that fails the flow. The output that finally
succeeds carries, in ``fallbacks``, one line per engine passed over and why.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from prefect.states import State

from ytempire.errors import one_line
from ytempire.models import StageOutput

T = TypeVar("T", bound=StageOutput)


def first_success(
    candidates: Sequence[tuple[str, Callable[[], State[Any]]]],
    last_resort: Callable[[], T],
    skipped: Sequence[str] = (),
) -> T:
    """The first candidate that completes, else ``last_resort()``, with the fallbacks noted.

    ``skipped`` lists engines that policy ruled out before any call (over budget, too slow).
    """
    fallbacks = list(skipped)
    for name, attempt in candidates:
        state = attempt()
        if state.is_completed():
            output: T = state.result()
            return output.model_copy(update={"fallbacks": fallbacks + output.fallbacks})
        failure = state.result(raise_on_failure=False)
        reason = one_line(failure) if isinstance(failure, BaseException) else state.name
        fallbacks.append(f"{name} failed: {reason}")
    output = last_resort()
    return output.model_copy(update={"fallbacks": fallbacks + output.fallbacks})
