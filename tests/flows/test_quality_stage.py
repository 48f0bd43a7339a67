"""The quality stage under Prefect: quality.json, one store row per check, a table artifact."""

from __future__ import annotations

import json
import uuid

import pytest
from prefect import flow
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
from prefect.client.schemas.sorting import ArtifactSort
from pydantic import SecretStr

from tasks.quality import check_quality
from tests.quality.outputs import Outputs, make_outputs
from ytempire.analytics.store import AnalyticsStore
from ytempire.models import QualityReport
from ytempire.settings import Settings

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> Outputs:
    return make_outputs(tmp_path_factory.mktemp("ws"))


@flow
def quality_only(o: Outputs, settings: Settings, run_id: uuid.UUID) -> QualityReport:
    return check_quality(
        o.job, o.script, o.narration, o.timeline, o.video, o.thumbnails, settings, run_id
    )


def artifact_rows(key: str) -> list[dict[str, object]]:
    """The table of the newest artifact under ``key`` (each run adds a version)."""
    with get_client(sync_client=True) as client:
        [artifact] = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[key])),
            sort=ArtifactSort.CREATED_DESC,
            limit=1,
        )
    data = artifact.data
    return json.loads(data) if isinstance(data, str) else list(data)  # type: ignore[arg-type]


def check_run(o: Outputs, settings: Settings) -> None:
    # A kept checkpoint would resume the stage instead of running it (tasks/recording.py).
    o.folder.checkpoint("quality").unlink(missing_ok=True)
    run_id = uuid.uuid4()
    report = quality_only(o, settings, run_id)
    written = json.loads((settings.workspace / o.job.video_id / "quality.json").read_text())
    assert written["passed"] is True and written["quality_score"] == 1.0
    assert report.passed and len(report.checks) == len(written["checks"]) == 41

    rows = AnalyticsStore(settings.analytics_url).quality_results(o.job.video_id, run_id)
    assert len(rows) == len(report.checks)
    assert {(r.item, r.check) for r in rows} == {(c.item, c.name) for c in report.checks}
    faces = [r for r in rows if r.check == "faces"]
    assert len(faces) == 3 and all(not r.gated and not r.passed and r.recommendation for r in faces)
    fps = next(r for r in rows if r.check == "fps")
    assert fps.passed and fps.gated and float(fps.observed or 0) == pytest.approx(30, abs=0.01)
    assert fps.expectation == "29.99 ≤ fps ≤ 30.01" and fps.recommendation is None

    table = artifact_rows(f"quality-{o.job.video_id}")
    assert len(table) == len(report.checks)
    assert {row["result"] for row in table} == {"passed", "noted", "skipped"}
    # English is paced in words a minute: the pace in characters does not apply, and says so.
    skipped = [row for row in table if row["result"] == "skipped"]
    assert [row["check"] for row in skipped] == ["characters_per_minute"]
    assert "words_per_minute" in skipped[0]["recommendation"]
    assert table[0]["check"] == "faces"  # what is noted comes before what passed


def test_the_stage_writes_report_rows_and_artifact(outputs: Outputs) -> None:
    check_run(outputs, Settings(workspace=outputs.folder.path.parent))


def test_the_rows_go_to_postgresql_too(outputs: Outputs, postgres_url: str) -> None:
    settings = Settings(workspace=outputs.folder.path.parent, database_url=SecretStr(postgres_url))
    check_run(outputs, settings)
