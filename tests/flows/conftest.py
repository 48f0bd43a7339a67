from __future__ import annotations

from collections.abc import Iterator

import pytest
from prefect.events.worker import EventsWorker
from prefect.testing.utilities import prefect_test_harness

from ytempire.cli import quiet_prefect

quiet_prefect()


@pytest.fixture(scope="session", autouse=True)
def prefect_api() -> Iterator[None]:
    """One temporary Prefect API for the whole session: starting one costs ~13 s."""
    with prefect_test_harness(server_startup_timeout=90):
        yield


@pytest.fixture(autouse=True)
def fresh_events_worker() -> Iterator[None]:
    """Each test's events go through an events worker of its own.

    Prefect keeps one events worker per client type, not per API, and its websocket to the
    harness's server can die in a long, loaded session; after that every event of the
    session was dropped ("EventsWorker failed to process item") and the tests that read
    alert events back found none. Draining the workers before each test (sending what is
    queued) starts the next one on a new connection.
    """
    EventsWorker.drain_all(timeout=30, at_exit=False)
    yield
