"""Analytics timings: report generation, a metrics scrape and metrics-queue throughput.

    .venv/bin/python benchmarks/analytics.py [--videos 1000] [--postgres URL] [--redis URL]

Fills a fresh store with a synthetic week (per video: 10 stage events, 5 model calls, a
cost row, 4 metric samples), then times ``build_report`` (with and without charts), one
``StoreCollector`` scrape, and 2,000 metrics pushed by 8 threads straight to the store and
through Redis.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from prometheus_client import generate_latest

from ytempire.analytics import metrics, queue, report, views
from ytempire.analytics.store import AnalyticsStore
from ytempire.analytics.tables import ModelPerformance, PipelineEvent
from ytempire.models import Stage

NOW = datetime(2026, 11, 23, tzinfo=UTC)


def fill(store: AnalyticsStore, videos: int) -> None:
    rng = random.Random(7)
    events, calls, samples = [], [], []
    for v in range(videos):
        start = NOW - timedelta(days=7) + timedelta(seconds=v * 600)
        run = uuid.uuid4()
        for stage in Stage:
            failed = rng.random() < 0.03
            seconds = rng.uniform(0.1, 20)
            events.append(
                PipelineEvent(
                    pipeline_run_id=run,
                    stage=stage.value,
                    status="failed" if failed else "completed",
                    started_at=start,
                    completed_at=start + timedelta(seconds=seconds),
                    duration_ms=int(seconds * 1000),
                    model_used=None if failed else rng.choice(["gpt-4o", "template", "piper:x"]),
                    cost_cents=rng.randint(0, 5),
                    quality_score=None if failed else round(rng.uniform(0.6, 1), 2),
                    error_message="openai: 429 Too Many Requests" if failed else None,
                )
            )
            start += timedelta(seconds=seconds)
        for _ in range(5):
            calls.append(
                ModelPerformance(
                    model_name=rng.choice(["gpt-4o", "gpt-4o-mini", "eleven_multilingual_v2"]),
                    operation=rng.choice(["script_generation", "voice_synthesis"]),
                    timestamp=start,
                    latency_ms=rng.randint(200, 9000),
                    tokens_used=rng.randint(100, 3000),
                    cost_cents=rng.randint(0, 4),
                    quality_score=None,
                    cache_hit=rng.random() < 0.1,
                )
            )
        store.record_costs(
            uuid.uuid4().hex, {Stage.script: 0.03, Stage.voice: rng.uniform(0, 0.5)}, start
        )
        samples += [
            {
                "id": uuid.uuid4(),
                "name": "script_generation_time_seconds",
                "labels": {"model": "gpt-4o", "content_type": "educational"},
                "value": rng.uniform(1, 100),
                "timestamp": start,
            }
            for _ in range(4)
        ]
    with store.session() as s:
        s.add_all(events + calls)
    store.record_samples(samples)


def timed(label: str, action: Callable[[], object], repeat: int = 3) -> float:
    best = min(_once(action) for _ in range(repeat))
    print(f"{label:<48} {best:8.3f} s")
    return best


def _once(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def throughput(
    label: str, store: AnalyticsStore, make: Callable[[], queue.MetricsQueue], total: int = 2000
) -> None:
    before = len(store.samples("cost_per_video_dollars"))
    writers = [make() for _ in range(8)]

    def write(q: queue.MetricsQueue) -> None:
        for i in range(total // 8):
            q.record_metric(
                metrics.sample(
                    "cost_per_video_dollars", {"channel_type": "a", "video_length": "b"}, i
                )
            )

    threads = [threading.Thread(target=write, args=(q,)) for q in writers]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for q in writers:
        q.close()
    seconds = time.perf_counter() - started
    stored = len(store.samples("cost_per_video_dollars")) - before
    print(f"{label:<48} {total / seconds:8.0f} metrics/s ({seconds:.2f} s, {stored} stored)")


def bench(url: str, videos: int, redis_url: str | None) -> None:
    store = AnalyticsStore(url)
    fill(store, videos)
    window = views.Window(NOW - timedelta(days=7), NOW)
    size = f"{videos} videos ({videos * 10} events, {videos * 5} calls)"
    print(f"-- {store.engine.dialect.name}, {size}")
    timed("build_report (tables only)", lambda: report.build_report(store, window, charts=False))
    timed("build_report (with 5 PNG charts)", lambda: report.build_report(store, window))
    built = report.build_report(store, window)
    timed("render md + html + csv", lambda: [report.render(built, f) for f in report.FORMATS])
    collector = metrics.StoreCollector(store, timedelta(days=7), now=lambda: NOW)
    timed(
        "metrics scrape (StoreCollector)", lambda: generate_latest(metrics.registry_for(collector))
    )
    throughput("8 writers straight to the store", store, lambda: queue.DirectQueue(store))
    if redis_url:
        prefix = f"ytempire-bench:{uuid.uuid4().hex[:8]}"
        throughput(
            "8 writers through Redis (batches of 100)",
            store,
            lambda: queue.RedisQueue(store, redis_url, prefix, batch_size=100, flush_interval_s=5),
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--videos", type=int, default=1000)
    parser.add_argument("--postgres", default=None, help="a PostgreSQL URL to a scratch schema")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        bench(f"sqlite:///{tmp}/bench.db", args.videos, args.redis)
    if args.postgres:
        bench(args.postgres, args.videos, args.redis)


if __name__ == "__main__":
    main()
