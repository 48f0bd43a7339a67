"""Where the running local model servers are: one Prefect Variable per server, kept fresh by
the ``local-llm`` deployment's flow (``flows/local_llm.py``), read by every video run.

A server's Variable, ``local_llm_<endpoint>`` tagged ``local-llm``, holds its endpoint
(``ytempire.providers.endpoints.Endpoint`` without key: local servers need none) and the
moment its keeper last saw it healthy. The keeper refreshes it every beat and removes it when
the server stops; one whose keeper died without removing it is ignored once it is older than
``STALE_AFTER_S``. ``with_local_servers`` adds the fresh ones to a run's settings as ``local``
chat endpoints, so the script stage tries them (and spreads over those serving one model).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from prefect.client.orchestration import get_client
from prefect.variables import Variable
from pydantic import ValidationError

from ytempire.providers import endpoints
from ytempire.providers.endpoints import Endpoint
from ytempire.settings import Settings

TAG = "local-llm"
PREFIX = "local_llm_"
# Three missed beats of the keeper's default 30 s.
STALE_AFTER_S = 90.0


def variable_name(endpoint: Endpoint) -> str:
    """The Variable that registers ``endpoint`` (Variable names: lowercase, digits, _ and -)."""
    return PREFIX + re.sub(r"[^a-z0-9_-]", "_", endpoint.name.lower())


def announce(endpoint: Endpoint) -> None:
    """Register ``endpoint`` as seen healthy now (create or refresh its Variable)."""
    value = {
        "endpoint": endpoint.model_dump(mode="json", exclude={"api_key"}),
        "seen": datetime.now(UTC).isoformat(),
    }
    Variable.set(variable_name(endpoint), value, tags=[TAG], overwrite=True)


def withdraw(endpoint: Endpoint) -> None:
    """Remove ``endpoint``'s registration (nothing happens when there is none)."""
    Variable.unset(variable_name(endpoint))


def registered(stale_after_s: float = STALE_AFTER_S) -> list[Endpoint]:
    """The local servers registered and seen within ``stale_after_s``, by name."""
    with get_client(sync_client=True) as client:
        variables = client.read_variables()
    oldest = datetime.now(UTC) - timedelta(seconds=stale_after_s)
    found = []
    for variable in variables:
        if TAG not in variable.tags or not isinstance(variable.value, dict):
            continue
        try:
            seen = datetime.fromisoformat(str(variable.value["seen"]))
            endpoint = Endpoint.model_validate(variable.value["endpoint"])
        except (KeyError, ValueError, ValidationError):
            continue  # not one a keeper wrote
        if seen >= oldest:
            found.append(endpoint)
    return sorted(found, key=lambda e: e.name)


def with_local_servers(settings: Settings) -> Settings:
    """``settings`` with every registered local server as an endpoint."""
    for endpoint in registered():
        settings = endpoints.register(settings, endpoint)
    return settings
