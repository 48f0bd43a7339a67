"""The schema comes from the shipped Alembic migrations, on SQLite and PostgreSQL."""

from __future__ import annotations

import shutil
import subprocess
import sys
import uuid
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from ytempire.analytics import schema
from ytempire.analytics.store import AnalyticsStore
from ytempire.analytics.tables import Base
from ytempire.models import Stage, StageRecord

REPO = Path(__file__).resolve().parents[2]
SEED_COLUMNS = {
    "ai_pipeline_events": [
        "event_id",
        "pipeline_run_id",
        "stage",
        "status",
        "started_at",
        "completed_at",
        "duration_ms",
        "model_used",
        "cost_cents",
        "quality_score",
        "error_message",
    ],
    "ai_model_performance": [
        "id",  # the seed names no key; ours
        "model_name",
        "operation",
        "timestamp",
        "latency_ms",
        "tokens_used",
        "cost_cents",
        "quality_score",
        "cache_hit",
    ],
    "ai_cost_breakdown": [
        "video_id",
        "script_cost",
        "voice_cost",
        "thumbnail_cost",
        "processing_cost",
        "total_cost",
        "timestamp",
    ],
}
# Columns ours after the seed's, in the order the migrations add them.
HEAD = "0010"  # the newest migration in versions/
ADDED_COLUMNS = {"ai_pipeline_events": ["error_kind", "cost_micro_usd"]}  # 0007, 0008


def test_a_new_database_is_at_head_and_matches_the_models(store: AnalyticsStore) -> None:
    with store.engine.connect() as conn:
        assert schema.current_revision(conn) == schema.head_revision() == HEAD
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
        tables = inspect(conn)
        for table, columns in SEED_COLUMNS.items():
            added = ADDED_COLUMNS.get(table, [])
            assert [c["name"] for c in tables.get_columns(table)] == columns + added


def test_a_skeleton_database_is_adopted_and_keeps_its_rows(store_url: str) -> None:
    # The skeleton made its tables with create_all (= revision 0001) and had no version table.
    engine = create_engine(store_url)
    with engine.begin() as conn:
        command.upgrade(schema.alembic_config(conn), "0001")
        conn.execute(text("DROP TABLE alembic_version"))
        conn.execute(
            text(
                "INSERT INTO videos VALUES (:id, 'science', 'Old topic', 'T', 'outbox', '/x', :at)"
            ),
            {
                "id": uuid.UUID(int=7) if engine.dialect.name != "sqlite" else uuid.UUID(int=7).hex,
                "at": datetime(2026, 1, 1, tzinfo=UTC),
            },
        )
    engine.dispose()
    store = AnalyticsStore(store_url)
    assert "old topic" in store.produced_topics("science")
    with store.engine.connect() as conn:
        assert schema.current_revision(conn) == schema.head_revision()
        assert inspect(conn).has_table("ai_metric_samples")


def test_downgrade_to_the_skeleton_and_back(store_url: str) -> None:
    engine = create_engine(store_url)
    with engine.begin() as conn:
        command.upgrade(schema.alembic_config(conn), "head")
        command.downgrade(schema.alembic_config(conn), "0001")
        assert not inspect(conn).has_table("ai_metric_samples")
        command.upgrade(schema.alembic_config(conn), "head")
        assert inspect(conn).has_table("circuit_breakers")
    engine.dispose()


def _open_and_write(url: str) -> None:
    # A fresh process: its own engine, its own first use (and migration) of the URL.
    store = AnalyticsStore(url)
    now = datetime.now(UTC)
    store.record_stage(
        uuid.uuid4(),
        StageRecord(
            stage=Stage.topic, status="completed", engine="x", started_at=now, completed_at=now
        ),
    )


def test_eight_processes_opening_a_new_database_at_once(store_url: str) -> None:
    code = (
        "import sys; from tests.analytics.test_migrations import _open_and_write; "
        "_open_and_write(sys.argv[1])"
    )
    procs = [
        subprocess.Popen([sys.executable, "-c", code, store_url], cwd=REPO, stderr=subprocess.PIPE)
        for _ in range(8)
    ]
    errors = [p.communicate(timeout=120)[1].decode() for p in procs]
    assert [p.returncode for p in procs] == [0] * 8, errors
    engine = create_engine(store_url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM ai_pipeline_events")).scalar() == 8
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == HEAD
    engine.dispose()


@pytest.mark.slow
def test_an_installed_wheel_migrates_a_database(tmp_path: Path) -> None:
    """Build the wheel from a copy of the sources, install it elsewhere, migrate from there."""
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, src / name)
    for package in ("ytempire", "tasks", "flows"):
        shutil.copytree(
            REPO / package,
            src / package,
            ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"),
        )
    wheels = tmp_path / "wheels"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "-q",
            "-w",
            str(wheels),
            str(src),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    wheel = next(wheels.glob("ytempire-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "ytempire/analytics/migrations/env.py" in names
    assert "ytempire/analytics/migrations/script.py.mako" in names
    assert "ytempire/analytics/migrations/versions/r0002_metrics_breakers_indexes.py" in names
    assert "ytempire/analytics/migrations/versions/r0004_video_performance.py" in names
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "-q",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    db = tmp_path / "installed.db"
    code = (
        "import ytempire.analytics.schema as s, sys; "
        "assert s.__file__.startswith(sys.argv[2]), s.__file__; "
        "from ytempire.analytics.store import AnalyticsStore; "
        "AnalyticsStore('sqlite:///' + sys.argv[1]); print('migrated')"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(db), str(target)],
        cwd=tmp_path,
        env={"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    engine = create_engine(f"sqlite:///{db}")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == HEAD
    engine.dispose()
