"""A fixed, small analytics history whose every figure is computed by hand in the tests.

Window: 2026-11-18 00:00 to 2026-11-23 00:00 UTC. One run, one model call and one video lie
outside it (2026-11-10) and must never count.

Runs (stage: engine, seconds, quality, note)
  A 11-20 10:00  trends local-topics-file 0.2 · script gpt-4-turbo 2.0 q.90 · voice piper 4.0 q.95
                 · render ffmpeg-libx264 10.0 q.80 · tracking analytics-db 0.05
  B 11-20 12:00  script template 1.0 q.70 (gpt-4-turbo failed, gpt-3.5-turbo skipped)
                 · voice piper 3.0 q.85 · render FAILED (ffmpeg, "other")
  C 11-21 09:00  script gpt-3.5-turbo 1.5 q.80 (gpt-4-turbo failed) · voice FAILED (429,
                 api_error) · voice piper 3.5 q.90 · render ffmpeg-libx264 12.0 q.80
  D 11-21 15:00  script gpt-4-turbo-2024-04-09 2.5 q.92 · voice FAILED (quota, cost_exceeded)
  E 11-10        script FAILED (outside the window)

Model calls
  gpt-4-turbo   script_generation  20 calls, 100..2000 ms, 1000 tokens, $0.03, q.90
                                   (10 on 11-20, 10 on 11-21)
  gpt-3.5-turbo script_generation  3 calls 6000/7000/8000 ms on 11-21, 500 tokens, $0.01,
                                   q.80, the first a cache hit
  eleven_multilingual_v2 voice_synthesis  2 calls 1500/2500 ms on 11-20, $0.15 each
  gpt-4-turbo (11-10, 99999 ms, $1.00: outside)

Videos: V1 11-20 science $0.17 (script .03, thumbnails .04, processing .10);
        V2 11-21 money $0.54 (script .20, voice .30, thumbnails .04); V3 11-10 (outside).
Metric samples: script_generation_time_seconds{gpt-4-turbo, educational} 1, 2, 95 s;
        {template, entertainment} 0.5 s; cost_per_video_dollars{educational, 0-1min} .17, .54.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from ytempire.analytics import views
from ytempire.analytics.store import AnalyticsStore
from ytempire.models import Stage, StageRecord

WINDOW = views.Window(datetime(2026, 11, 18, tzinfo=UTC), datetime(2026, 11, 23, tzinfo=UTC))
# For the collector: "now" late on 11-21, a window reaching back past every fixture row.
NOW = datetime(2026, 11, 21, 20, 0, tzinfo=UTC)
COLLECTOR_WINDOW = timedelta(days=4)

V1 = "11111111111111111111111111111111"
V2 = "22222222222222222222222222222222"
V3 = "33333333333333333333333333333333"

FALLBACK_B = (
    "gpt-4-turbo failed: openai: 429 Too Many Requests; "
    "gpt-3.5-turbo skipped: estimated $0.2000 over the $0.1000 limit"
)


def _at(day: int, hour: int, second: float = 0.0) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=UTC) + timedelta(seconds=second)


def _stage(
    stage: Stage,
    start: datetime,
    seconds: float,
    engine: str | None,
    quality: float | None = None,
    error: str | None = None,
    cost: float = 0.0,
    failed: bool = False,
    kind: str | None = None,
) -> StageRecord:
    return StageRecord(
        stage=stage,
        status="failed" if failed else "completed",
        engine=engine,
        started_at=start,
        completed_at=start + timedelta(seconds=seconds),
        cost_usd=cost,
        quality_score=quality,
        error=error,
        error_kind=kind,
    )


def load(store: AnalyticsStore) -> None:
    runs = {
        "A": [
            _stage(Stage.trends, _at(20, 10, 0), 0.2, "local-topics-file"),
            _stage(Stage.script, _at(20, 10, 1), 2.0, "gpt-4-turbo", 0.90, cost=0.03),
            _stage(Stage.voice, _at(20, 10, 4), 4.0, "piper:en_US-joe-medium", 0.95),
            _stage(Stage.render, _at(20, 10, 9), 10.0, "ffmpeg-libx264", 0.80),
            _stage(Stage.tracking, _at(20, 10, 20), 0.05, "analytics-db"),
        ],
        "B": [
            _stage(
                Stage.script, _at(20, 12, 0), 1.0, "template", 0.70, FALLBACK_B, kind="api_error"
            ),
            _stage(Stage.voice, _at(20, 12, 2), 3.0, "piper:en_US-joe-medium", 0.85),
            _stage(
                Stage.render,
                _at(20, 12, 6),
                0.5,
                None,
                error="ffmpeg exited with status 1: Conversion failed",
                failed=True,
                kind="other",
            ),
        ],
        "C": [
            _stage(
                Stage.script,
                _at(21, 9, 0),
                1.5,
                "gpt-3.5-turbo",
                0.80,
                "gpt-4-turbo failed: openai: request timed out",
                kind="model_timeout",
            ),
            _stage(
                Stage.voice,
                _at(21, 9, 2),
                0.1,
                None,
                error="elevenlabs: 429 Too Many Requests",
                failed=True,
                kind="api_error",
            ),
            _stage(Stage.voice, _at(21, 9, 3), 3.5, "piper:en_US-joe-medium", 0.90),
            _stage(Stage.render, _at(21, 9, 7), 12.0, "ffmpeg-libx264", 0.80),
        ],
        "D": [
            _stage(Stage.script, _at(21, 15, 0), 2.5, "gpt-4-turbo-2024-04-09", 0.92, cost=0.03),
            _stage(
                Stage.voice,
                _at(21, 15, 3),
                0.2,
                None,
                error="elevenlabs: quota exceeded for today",
                failed=True,
                kind="cost_exceeded",
            ),
        ],
        "E": [
            _stage(
                Stage.script,
                _at(10, 8),
                0.3,
                None,
                error="openai: request timed out",
                failed=True,
                kind="model_timeout",
            )
        ],
    }
    for records in runs.values():
        run_id = uuid.uuid4()
        for record in records:
            store.record_stage(run_id, record)

    for i in range(1, 21):
        day, hour = (20, 10) if i <= 10 else (21, 10)
        store.record_model_call(
            "gpt-4-turbo",
            "script_generation",
            latency_ms=100 * i,
            tokens_used=1000,
            cost_usd=0.03,
            quality_score=0.90,
            timestamp=_at(day, hour, 60 * i),
        )
    for i, latency in enumerate([6000, 7000, 8000]):
        store.record_model_call(
            "gpt-3.5-turbo",
            "script_generation",
            latency_ms=latency,
            tokens_used=500,
            cost_usd=0.01,
            quality_score=0.80,
            cache_hit=i == 0,
            timestamp=_at(21, 11, 60 * i),
        )
    for i, latency in enumerate([1500, 2500]):
        store.record_model_call(
            "eleven_multilingual_v2",
            "voice_synthesis",
            latency_ms=latency,
            tokens_used=0,
            cost_usd=0.15,
            timestamp=_at(20, 13, 60 * i),
        )
    store.record_model_call(
        "gpt-4-turbo",
        "script_generation",
        latency_ms=99999,
        tokens_used=1000,
        cost_usd=1.00,
        timestamp=_at(10, 8),
    )

    videos = [
        (
            V1,
            "science",
            "Black holes",
            _at(20, 10, 21),
            {Stage.script: 0.03, Stage.thumbnails: 0.04, Stage.render: 0.10},
        ),
        (
            V2,
            "money",
            "Compound interest",
            _at(21, 15, 10),
            {Stage.script: 0.20, Stage.voice: 0.30, Stage.thumbnails: 0.04},
        ),
        (V3, "science", "Old news", _at(10, 8, 10), {Stage.script: 1.0}),
    ]
    for video_id, channel, title, at, costs in videos:
        store.record_video(video_id, channel, title, title, "outbox", f"/runs/{video_id}", at)
        store.record_costs(video_id, costs, timestamp=at)

    samples = [
        (
            "script_generation_time_seconds",
            {"model": "gpt-4-turbo", "content_type": "educational"},
            v,
        )
        for v in (1.0, 2.0, 95.0)
    ]
    samples.append(
        (
            "script_generation_time_seconds",
            {"model": "template", "content_type": "entertainment"},
            0.5,
        )
    )
    samples += [
        ("cost_per_video_dollars", {"channel_type": "educational", "video_length": "0-1min"}, v)
        for v in (0.17, 0.54)
    ]
    store.record_samples(
        {"id": uuid.uuid4(), "name": n, "labels": labels, "value": v, "timestamp": _at(21, 12)}
        for n, labels, v in samples
    )
