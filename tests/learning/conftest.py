"""Fixtures of the learning tests: settings that record into the session's MLflow store."""

from __future__ import annotations

from pathlib import Path

import pytest

from ytempire.settings import Settings


@pytest.fixture
def mlflow_settings(tmp_path: Path, mlflow_uri: str) -> Settings:
    """A fresh workspace whose videos are recorded (inline) in the session's MLflow store."""
    return Settings(
        workspace=tmp_path / "runs", mlflow_tracking_uri=mlflow_uri, mlflow_record="inline"
    )
