"""Where the record goes, and records that cannot be recorded: kept, said, retried."""

from __future__ import annotations

from pathlib import Path

import pytest

from ytempire import cli
from ytempire.learning import mlflow_store, record
from ytempire.settings import Settings
from ytempire.workspace import VideoFolder

VIDEO = "0123456789abcdef0123456789abcdef"


def test_embedded_store_is_in_the_workspace_unless_a_server_is_named(tmp_path: Path) -> None:
    embedded = Settings(workspace=tmp_path)
    assert mlflow_store.tracking_uri(embedded) == f"sqlite:///{tmp_path.resolve()}/mlflow.db"
    assert mlflow_store.artifact_location(embedded) == (tmp_path / "mlartifacts").as_uri()
    assert mlflow_store.unreachable(embedded) is None
    elsewhere = Settings(workspace=tmp_path, mlflow_tracking_uri=f"sqlite:///{tmp_path}/x/m.db")
    assert mlflow_store.artifact_location(elsewhere) == (tmp_path / "x/mlartifacts").as_uri()
    shared = Settings(workspace=tmp_path, mlflow_tracking_uri="https://bob:hunter2pw@ml:5000")
    assert mlflow_store.artifact_location(shared) is None
    assert mlflow_store.shown(shared) == "https://***@ml:5000"


def test_unreadable_record_stays_pending_and_the_command_says_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings(workspace=tmp_path)
    monkeypatch.setenv("YTEMPIRE_WORKSPACE", str(tmp_path))
    assert cli.main(["mlflow", "flush"]) == 0
    assert "nothing pending" in capsys.readouterr().out

    pending = VideoFolder(tmp_path, VIDEO).create() / record.PENDING
    pending.write_text('{"video_id": "x"}')
    (outcome,) = record.flush(settings)
    assert outcome.recorded is None and f"{record.PENDING} is not a record" in str(outcome.error)
    assert pending.is_file() and not (pending.parent / record.RECORDED).exists()

    assert cli.main(["mlflow", "flush", "--video", VIDEO]) == 1
    assert capsys.readouterr().out.startswith(f"{VIDEO}: still pending: ")
    assert cli.main(["mlflow", "flush", "--video", "nope"]) == 2
