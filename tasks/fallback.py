"""Fallback chains: try engines in order, each as its own task run, and say what was skipped.

Each candidate runs with ``return_state=True``, so its failure (after its own retries) is a
state to branch on rather than an exception that fails the flow. A candidate may also be
refused before its task starts (an open circuit breaker, a budget: ``tasks/guards.py``).
The output that finally succeeds carries, in ``fallbacks``, one line per engine passed over
and why: ``"<engine> failed: <error>"`` or ``"<engine> skipped: <reason>"``, ending in the
error's kind (``[api_error]``) when it is a provider error, so the record says which of the
seed's strategies applied without anyone reading the message again. (The analytics views
read the engine names from these lines.)

A server that asks to wait longer than ``YTEMPIRE_RETRY_AFTER_CAP_S`` (Retry-After) is not
waited for: the engine's line says so and the next engine runs at once (``tasks/policy.py``).

A quality failure ends the chain at once (seed §5.1: the writer already regenerated with the
failures as feedback, twice; then comes the template, not another model): the candidates
left are noted as skipped.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from prefect.states import State

from ytempire.errors import one_line
from ytempire.models import StageOutput
from ytempire.resilience.errors import ErrorKind, ProviderError, kind_of, wait_over_cap
from ytempire.settings import Settings

T = TypeVar("T", bound=StageOutput)

# The kind a fallback line ends in: " [api_error]".
_KIND_TAG = re.compile(r" \[(?P<kind>[a-z_]+)\]$")


def first_success(
    candidates: Sequence[tuple[str, Callable[[], State[Any]]]],
    last_resort: Callable[[], T],
    skipped: Sequence[str] = (),
) -> T:
    """The first candidate that completes, else ``last_resort()``, with the fallbacks noted.

    ``skipped`` lists engines that policy ruled out before any call (over budget, too slow);
    a candidate that raises a refusal (a ``ProviderError`` with ``before_call``) is skipped
    the same way.
    """
    fallbacks = list(skipped)
    remaining = list(candidates)
    while remaining:
        name, attempt = remaining.pop(0)
        try:
            state = attempt()
        except ProviderError as refused:
            if not refused.before_call:
                raise
            fallbacks.append(f"{name} skipped: {refused.message} [{refused.kind}]")
            continue
        if state.is_completed():
            output: T = state.result()
            return output.model_copy(update={"fallbacks": fallbacks + output.fallbacks})
        failure = state.result(raise_on_failure=False)
        kind = kind_of(failure) if isinstance(failure, BaseException) else None
        reason = one_line(failure) if isinstance(failure, BaseException) else str(state.name)
        if isinstance(failure, BaseException):
            reason += _over_cap(failure)
        fallbacks.append(f"{name} failed: {reason}" + (f" [{kind}]" if kind else ""))
        if kind is ErrorKind.quality_failure:
            fallbacks += [
                f"{later} skipped: after a quality failure the template writes [{kind}]"
                for later, _ in remaining
            ]
            break
    output = last_resort()
    return output.model_copy(update={"fallbacks": fallbacks + output.fallbacks})


def _over_cap(failure: BaseException) -> str:
    """Why the engine was given up without waiting: its server asked for longer than the cap."""
    cap = Settings().retry_after_cap_s
    wait = wait_over_cap(failure, cap)
    if wait is None:
        return ""
    return f" (asked to wait {wait:.0f} s, over the {cap:g} s Retry-After cap: not waited for)"


def noted_kind(fallbacks: Sequence[str]) -> ErrorKind | None:
    """The error kind of the first engine passed over that these lines (``first_success``'s)
    name one for: why the stage's primary engine did not produce it; None if none does."""
    for line in fallbacks:
        match = _KIND_TAG.search(line)
        if match and match["kind"] in ErrorKind.__members__:
            return ErrorKind(match["kind"])
    return None
