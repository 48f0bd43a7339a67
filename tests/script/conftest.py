"""Fixtures of the script tests: the local OpenAI-compatible server and the script suite."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.servers.openai_compatible import OpenAICompatibleServer
from ytempire.quality.suites import Suite, load_suite, suite_path
from ytempire.settings import Settings


@pytest.fixture
def server() -> Iterator[OpenAICompatibleServer]:
    with OpenAICompatibleServer() as running:
        yield running


@pytest.fixture(scope="module")
def script_suite() -> Suite:
    return load_suite(suite_path(Settings().quality_suites_dir, "script"))
