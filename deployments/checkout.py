"""Where a deployment's flow run starts on a worker: the ytempire checkout of that machine.

prefect.yaml's pull step calls :func:`enter_checkout` on the worker, before the flow is
loaded (its entrypoints, ``flows/…``, and files such as ``channels.yaml`` and
``quality_suites/`` are relative to the checkout). The checkout is ``YTEMPIRE_HOME`` when
the worker's environment sets it, else the checkout the worker's own Python runs ytempire
from (``make install`` installs it in editable mode, so that is the checkout the worker was
started from). Anything else fails the run with one line naming ``YTEMPIRE_HOME``: the
run's state message and its log say it (Prefect alone would report only that the process
exited with status 1).
"""

from __future__ import annotations

import os
from pathlib import Path
from uuid import UUID

from prefect.client.orchestration import get_client
from prefect.logging.loggers import flow_run_logger
from prefect.states import Failed

HOME_VARIABLE = "YTEMPIRE_HOME"
# A file only a checkout has (an installed, non-editable package has none beside it).
CHECKOUT_MARKER = "prefect.yaml"
_HINT = f"export {HOME_VARIABLE}=/path/to/the/checkout in the worker's environment"


class CheckoutError(RuntimeError):
    """The worker has no ytempire checkout to start the run in."""


def installed_checkout() -> Path:
    """The checkout this code runs from (with an editable install, where ``make install``
    ran); it may not be one (a non-editable install), see :func:`checkout_for`."""
    return Path(__file__).resolve().parents[1]


def checkout_for(home: str | None) -> Path:
    """The checkout for ``home`` (the value of ``YTEMPIRE_HOME``, None or empty when unset)."""
    if home:
        path = Path(home).expanduser().resolve()
        if not (path / CHECKOUT_MARKER).is_file():
            raise CheckoutError(
                f"{HOME_VARIABLE}={home} is not a ytempire checkout (no {CHECKOUT_MARKER} "
                f"there): {_HINT}"
            )
        return path
    path = installed_checkout()
    if not (path / CHECKOUT_MARKER).is_file():
        raise CheckoutError(
            f"{HOME_VARIABLE} is not set and this worker's ytempire is not installed from a "
            f"checkout ({path}): {_HINT}"
        )
    return path


def enter_checkout() -> dict[str, str]:
    """The pull step: change to the worker's checkout; ``{"directory": path}`` for Prefect,
    which then loads the flow from there."""
    try:
        path = checkout_for(os.environ.get(HOME_VARIABLE))
    except CheckoutError as exc:
        _fail_run(str(exc))
        raise
    os.chdir(path)
    return {"directory": str(path)}


def _fail_run(message: str) -> None:
    """Fail the flow run this step prepares (the worker sets ``PREFECT__FLOW_RUN_ID``) with
    ``message`` as its state message and in its log."""
    run_id = os.environ.get("PREFECT__FLOW_RUN_ID")
    if not run_id:
        return  # not run by a worker
    flow_run_id = UUID(run_id)
    with get_client(sync_client=True) as client:
        flow_run = client.read_flow_run(flow_run_id)
        flow_run_logger(flow_run).error(message)
        client.set_flow_run_state(flow_run_id, Failed(message=message), force=True)
