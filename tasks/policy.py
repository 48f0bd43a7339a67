"""When a failed task runs again: the seed's error strategies (§5.1) as a Prefect retry condition.

Prefect's own retry delay is one schedule per task, but the seed wants the wait to depend on
the error: linear for API errors, exponential with jitter for timeouts, a server's
Retry-After honoured up to ``YTEMPIRE_RETRY_AFTER_CAP_S`` (a server asking for longer makes the
engine unavailable for this call: no sleep, the next engine runs), and no retry at all for
invalid output, rejected requests or exceeded budgets (those go straight to the fallback).
So tasks declare ``retry_delay_seconds=0`` and this condition both decides and waits.
"""

from __future__ import annotations

import time

from prefect import Task
from prefect.client.schemas.objects import TaskRun
from prefect.states import State

from ytempire.resilience.errors import kind_of, retry_delay
from ytempire.settings import Settings

# Errors outside the provider vocabulary that a retry cannot fix: bad data, bad input, a
# missing file. Anything else (a busy database, a crashed subprocess) gets another attempt.
PERMANENT_ERRORS: tuple[type[BaseException], ...] = (ValueError, FileNotFoundError)


def _root(exc: BaseException) -> BaseException:
    while exc.__cause__ is not None:
        exc = exc.__cause__
    return exc


def retry_by_error_kind(task: Task[..., object], task_run: TaskRun, state: State) -> bool:
    """Prefect retry condition: wait as the error's strategy says and retry, or give up."""
    try:
        state.result()
    except Exception as exc:
        if kind_of(exc) is None:
            return not isinstance(_root(exc), PERMANENT_ERRORS)
        settings = Settings()
        delay = retry_delay(
            exc,
            task_run.run_count,
            scale=settings.retry_delay_scale,
            retry_after_cap_s=settings.retry_after_cap_s,
        )
        if delay is None:
            return False
        time.sleep(delay)
        return True
    return False
