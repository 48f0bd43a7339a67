from __future__ import annotations

from collections.abc import Iterator

import pytest
from prefect.testing.utilities import prefect_test_harness

from ytempire.cli import quiet_prefect

quiet_prefect()


@pytest.fixture(scope="session", autouse=True)
def prefect_api() -> Iterator[None]:
    """One temporary Prefect API for the whole session: starting one costs ~13 s."""
    with prefect_test_harness(server_startup_timeout=90):
        yield
