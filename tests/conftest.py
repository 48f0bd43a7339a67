"""Fixtures shared by every test: real files in temporary folders, real databases."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from tests.learning.mlflow_fixtures import mlflow_uri  # noqa: F401  (the session's MLflow store)
from tests.servers.elevenlabs import elevenlabs_server  # noqa: F401  (a pytest fixture)
from tests.servers.google_tts import google_tts_server  # noqa: F401  (a pytest fixture)
from tests.servers.openai_compatible import openai_server  # noqa: F401  (a pytest fixture)
from tests.servers.pexels import pexels_server  # noqa: F401  (a pytest fixture)
from tests.servers.seaweedfs import seaweedfs  # noqa: F401  (a session fixture: S3)
from tests.servers.youtube_upload import youtube_upload_server  # noqa: F401  (a fixture)
from ytempire.settings import Settings

POSTGRES_URL = os.environ.get(
    "YTEMPIRE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("YTEMPIRE_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
# Videos made by tests record nothing in MLflow (a store's first use costs seconds of
# migrations) unless a test asks for it (tests/learning: the session's store).
os.environ.setdefault("YTEMPIRE_MLFLOW_RECORD", "off")


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


@pytest.fixture(scope="session")
def redis_server() -> str:
    """The local Redis server's URL; skip where unreachable, except in CI (a failure there)."""
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3)
    try:
        client.ping()
    except redis.RedisError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"Redis at {REDIS_URL} is unreachable in CI: {exc}")
        pytest.skip(f"Redis at {REDIS_URL} is unreachable")
    finally:
        client.close()
    return REDIS_URL


@pytest.fixture
def redis_prefix(redis_server: str) -> Iterator[str]:
    """A key prefix of this test's own on the local Redis; its keys are deleted afterwards."""
    import redis

    prefix = f"ytempire-test:{uuid.uuid4().hex[:12]}"
    yield prefix
    client = redis.Redis.from_url(redis_server)
    keys = list(client.scan_iter(match=f"{prefix}:*"))
    if keys:
        client.delete(*keys)
    client.close()
