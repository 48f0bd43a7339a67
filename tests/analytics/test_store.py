"""The analytics store, on SQLite and on the local PostgreSQL server."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from ytempire.analytics.store import AnalyticsStore
from ytempire.models import Stage, StageRecord

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def record(stage: Stage, start_s: float, seconds: float, **kw: object) -> StageRecord:
    start = T0 + timedelta(seconds=start_s)
    fields: dict[str, object] = {"status": "completed", "engine": "template", **kw}
    return StageRecord(
        stage=stage, started_at=start, completed_at=start + timedelta(seconds=seconds), **fields
    )


def test_one_event_row_per_stage_with_seed_columns(store: AnalyticsStore) -> None:
    run = uuid.uuid4()
    store.record_stage(run, record(Stage.script, 0, 1.5, cost_usd=0.0345, quality_score=0.876))
    store.record_stage(
        run, record(Stage.voice, 2, 0.25, status="failed", engine=None, error="quota exceeded")
    )
    store.record_stage(uuid.uuid4(), record(Stage.script, 0, 1))  # another run
    events = store.events(run)
    assert [(e.stage, e.status) for e in events] == [("script", "completed"), ("voice", "failed")]
    script, voice = events
    assert script.duration_ms == 1500
    assert script.cost_cents == 3
    assert script.quality_score == Decimal("0.88")
    assert script.model_used == "template"
    assert voice.error_message == "quota exceeded" and voice.quality_score is None
    back = store.stage_records(run)
    assert back[0].started_at == T0 and back[0].duration_ms == 1500


def test_cost_breakdown_groups_stages(store: AnalyticsStore) -> None:
    video = uuid.uuid4().hex
    costs = {
        Stage.script: 0.04,
        Stage.topic: 0.01,
        Stage.voice: 0.15,
        Stage.thumbnails: 0.04,
        Stage.render: 0.1,
        Stage.quality: 0.0,
    }
    store.record_costs(video, costs)
    store.record_costs(video, costs)  # a re-run replaces, never duplicates
    row = store.cost_breakdown(video)
    assert row is not None
    assert row.script_cost == Decimal("0.0500")
    assert row.voice_cost == Decimal("0.1500")
    assert row.thumbnail_cost == Decimal("0.0400")
    assert row.processing_cost == Decimal("0.1000")
    assert row.total_cost == Decimal("0.3400")


def test_produced_topics_per_channel(store: AnalyticsStore) -> None:
    a, b = uuid.uuid4().hex, uuid.uuid4().hex
    store.record_video(a, "science", "How Black Holes Evaporate", "T", "outbox", "/x")
    store.record_video(a, "science", "How Black Holes Evaporate", "T", "outbox", "/x")
    store.record_video(b, "money", "Compound interest", "T", "outbox", "/y")
    assert "how black holes evaporate" in store.produced_topics("science")
    assert "compound interest" not in store.produced_topics("science")


def test_sqlite_store_creates_its_folder(tmp_path: Path) -> None:
    store = AnalyticsStore(f"sqlite:///{tmp_path / 'not' / 'yet' / 'a.db'}")
    store.record_stage(uuid.uuid4(), record(Stage.topic, 0, 1))
    assert (tmp_path / "not" / "yet" / "a.db").exists()


def test_circuit_breaker_state(store: AnalyticsStore) -> None:
    assert store.breaker("elevenlabs") is None
    assert store.record_breaker_failure("elevenlabs", threshold=3, now=T0).state == "closed"
    store.record_breaker_failure("elevenlabs", threshold=3, now=T0)
    opened = store.record_breaker_failure("elevenlabs", threshold=3, now=T0 + timedelta(seconds=5))
    assert (opened.state, opened.failures, opened.opened_at) == (
        "open",
        3,
        T0 + timedelta(seconds=5),
    )
    store.set_breaker_state("elevenlabs", "half_open")
    assert store.breaker("elevenlabs").state == "half_open"  # type: ignore[union-attr]
    store.set_breaker_state("elevenlabs", "closed")
    closed = store.breaker("elevenlabs")
    assert closed is not None and (closed.state, closed.failures, closed.opened_at) == (
        "closed",
        0,
        None,
    )


def test_times_are_stored_in_utc(store: AnalyticsStore) -> None:
    from zoneinfo import ZoneInfo

    run = uuid.uuid4()
    local = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Europe/Paris"))  # 09:00 UTC
    store.record_stage(
        run,
        record(Stage.script, 0, 1).model_copy(
            update={"started_at": local, "completed_at": local + timedelta(seconds=1)}
        ),
    )
    assert store.stage_records(run)[0].started_at == T0


def test_samples_are_stored_once_per_id(store: AnalyticsStore) -> None:
    sample = {
        "id": uuid.uuid4(),
        "name": "cost_per_video_dollars",
        "labels": {"b": "2", "a": "1"},
        "value": 0.3,
        "timestamp": T0.isoformat(),
    }
    assert store.record_samples([sample, sample]) == 1
    assert store.record_samples([sample]) == 0
    (row,) = store.samples()
    assert row.labels == '{"a": "1", "b": "2"}'
