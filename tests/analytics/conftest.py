"""Stores on SQLite and on a fresh PostgreSQL schema per test, and the fixed fixture."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.analytics import fixture
from tests.conftest import POSTGRES_URL
from ytempire.analytics.store import AnalyticsStore, engine_for


@pytest.fixture
def fresh_postgres_url(postgres_url: str) -> Iterator[str]:
    """A URL into a schema of this test's own (``postgres_url`` decides skip or fail)."""
    schema = f"ytempire_t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in POSTGRES_URL else "?"
    url = f"{POSTGRES_URL}{sep}options=-csearch_path%3D{schema}"
    yield url
    engine_for(url).dispose()
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'analytics.db'}"
    url: str = request.getfixturevalue("fresh_postgres_url")
    return url


@pytest.fixture
def store(store_url: str) -> AnalyticsStore:
    return AnalyticsStore(store_url)


@pytest.fixture
def loaded(store: AnalyticsStore) -> AnalyticsStore:
    """A store holding the fixed fixture (``tests/analytics/fixture.py``)."""
    fixture.load(store)
    return store
