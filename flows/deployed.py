"""Runs of another deployment, started from a flow as its subflows and waited for.

The render (on the ``gpu`` pool) and the batch's videos (on any worker) both go this way.
"""

from __future__ import annotations

from typing import Any

from prefect.client.schemas.objects import FlowRun
from prefect.deployments import run_deployment


def run_and_wait(
    name: str,
    parameters: dict[str, Any],
    *,
    timeout_s: float,
    poll_s: float,
    idempotency_key: str,
) -> tuple[FlowRun, str | None]:
    """Run deployment ``name`` as a subflow of the current flow run and wait for it (at most
    ``timeout_s``): the run, and why it did not complete (None when it did)."""
    child = run_deployment(
        name,
        parameters=parameters,
        timeout=timeout_s,
        poll_interval=poll_s,
        as_subflow=True,
        idempotency_key=idempotency_key,
    )
    # Called from sync code, run_deployment returns the run itself, not a coroutine.
    assert isinstance(child, FlowRun)
    if child.state is not None and child.state.is_completed():
        return child, None
    state = child.state.name if child.state else "unknown"
    return child, f"run {child.name} ({child.id}) is {state}"
