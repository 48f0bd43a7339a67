"""Fixtures shared by every test: real files in temporary folders, real databases."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from tests.servers.openai_compatible import openai_server  # noqa: F401  (a pytest fixture)
from ytempire.settings import Settings

POSTGRES_URL = os.environ.get(
    "YTEMPIRE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(workspace=tmp_path / "runs")


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A URL into a fresh schema of the local PostgreSQL server, dropped afterwards.

    Where the server is unreachable the tests skip, except in CI, where that is a failure.
    """
    schema = f"ytempire_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except OperationalError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL at {POSTGRES_URL} is unreachable in CI: {exc}")
        pytest.skip(f"PostgreSQL at {POSTGRES_URL} is unreachable")
    sep = "&" if "?" in POSTGRES_URL else "?"
    yield f"{POSTGRES_URL}{sep}options=-csearch_path%3D{schema}"
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()
