"""One MLflow store for the whole test session: a SQLite tracking store (and prompt registry)
with its artifact folder, in a session temporary folder. Creating one runs MLflow's
migrations (over ten seconds on a loaded machine), so tests share it and tell their records
apart by video id, and their prompts by name."""

from __future__ import annotations

from pathlib import Path

import pytest

from ytempire.learning import mlflow_store
from ytempire.settings import Settings


@pytest.fixture(scope="session")
def mlflow_uri(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The session store's tracking URI; the videos' experiment keeps artifacts beside it."""
    root: Path = tmp_path_factory.mktemp("mlflow")
    uri = f"sqlite:///{root / 'mlflow.db'}"
    mlflow_store.experiment_id(Settings(workspace=root, mlflow_tracking_uri=uri))  # migrated
    return uri
