"""The seed's §4.2 metrics, with its names and labels, as Prometheus metrics.

Two kinds of source, one collector:

- **Observations** the pipeline makes as each stage ends (``stage_samples``): the three
  generation times and the cost per video, whose labels (content type, voice profile,
  resolution, video length) only the run knows. They travel through the metrics queue
  (``ytempire.analytics.queue``) into ``ai_metric_samples`` and are exposed as cumulative
  histograms.
- **Figures derived from the seed's tables** over a trailing window (24 h by default):
  quality, failure rate, p95 latency, fallback rate, and today's API spend per provider.

``StoreCollector`` computes all of them from the store at each scrape, so every process that
exposes metrics (``ytempire metrics serve``, a flow pushing to a Pushgateway) says the same
thing, and nothing depends on which process ran which stage.

| metric | type | labels | unit, window | seed threshold |
|---|---|---|---|---|
| ``script_generation_time_seconds`` | histogram | model, content_type | s, all time | 90 |
| ``voice_synthesis_time_seconds`` | histogram | provider, voice_profile | s, all time | 120 |
| ``video_assembly_time_seconds`` | histogram | gpu_enabled, resolution | s, all time | 300 |
| ``content_quality_score`` | gauge | stage, model | mean 0–1, window | 0.8 |
| ``generation_failure_rate`` | gauge | stage, error_type | share of attempts, window | 0.05 |
| ``cost_per_video_dollars`` | histogram | channel_type, video_length | USD, all time | 0.50 |
| ``api_cost_by_provider`` | gauge | provider, service | USD, today (UTC) | 100 a day |
| ``model_latency_p95`` | gauge | model, operation | ms, window | 5000 |
| ``model_fallback_rate`` | gauge | primary_model, fallback_model | share, window | 0.2 |
"""

from __future__ import annotations

import json
import logging
import socket
import threading
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from prometheus_client import CollectorRegistry, make_wsgi_app, push_to_gateway
from prometheus_client.core import GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector
from prometheus_client.utils import floatToGoString
from sqlalchemy import case, func, select

from ytempire import basic_auth
from ytempire.analytics import views
from ytempire.analytics.store import AnalyticsStore
from ytempire.analytics.tables import MetricSample
from ytempire.models import Stage, StageRecord, VideoJob


@dataclass(frozen=True)
class MetricSpec:
    name: str
    kind: str  # "histogram" or "gauge"
    labels: tuple[str, ...]
    threshold: float
    help: str
    buckets: tuple[float, ...] = ()


SEED_METRICS: dict[str, MetricSpec] = {
    spec.name: spec
    for spec in [
        MetricSpec(
            "script_generation_time_seconds",
            "histogram",
            ("model", "content_type"),
            90,
            "Time to write a script, per model and content type.",
            (1, 2, 5, 10, 20, 30, 60, 90, 120, 300),
        ),
        MetricSpec(
            "voice_synthesis_time_seconds",
            "histogram",
            ("provider", "voice_profile"),
            120,
            "Time to synthesise the narration, per provider and voice profile.",
            (1, 2, 5, 10, 30, 60, 90, 120, 180, 300),
        ),
        MetricSpec(
            "video_assembly_time_seconds",
            "histogram",
            ("gpu_enabled", "resolution"),
            300,
            "Time to render the video, per encoder kind and resolution.",
            (5, 10, 30, 60, 120, 180, 300, 600, 1200),
        ),
        MetricSpec(
            "content_quality_score",
            "gauge",
            ("stage", "model"),
            0.8,
            "Mean quality score of the stage's outputs over the window.",
        ),
        MetricSpec(
            "generation_failure_rate",
            "gauge",
            ("stage", "error_type"),
            0.05,
            "Share of the stage's attempts in the window that failed with this error type.",
        ),
        MetricSpec(
            "cost_per_video_dollars",
            "histogram",
            ("channel_type", "video_length"),
            0.50,
            "What one video cost in USD, per channel type (content type) and length.",
            (0.05, 0.1, 0.2, 0.3, 0.4, 0.45, 0.5, 0.75, 1, 2),
        ),
        MetricSpec(
            "api_cost_by_provider",
            "gauge",
            ("provider", "service"),
            100,
            "API spend in USD today (UTC), per provider and service (operation).",
        ),
        MetricSpec(
            "model_latency_p95",
            "gauge",
            ("model", "operation"),
            5000,
            "Nearest-rank p95 latency in milliseconds over the window.",
        ),
        MetricSpec(
            "model_fallback_rate",
            "gauge",
            ("primary_model", "fallback_model"),
            0.2,
            "Share of the primary model's completed stages that this fallback produced.",
        ),
    ]
}

log = logging.getLogger(__name__)

OBSERVED = [s for s in SEED_METRICS.values() if s.kind == "histogram"]
GPU_ENCODERS = ("nvenc", "cuda", "qsv", "vaapi", "videotoolbox", "amf")


def video_length(minutes: float) -> str:
    """The ``video_length`` label: the target length's bucket."""
    for upper, label in [(1, "0-1min"), (3, "1-3min"), (5, "3-5min"), (10, "5-10min")]:
        if minutes <= upper:
            return label
    return "10-20min" if minutes <= 20 else "20-60min"


def voice_provider(engine: str) -> str:
    """``piper:en_US-joe-medium`` → ``piper``; a bare model name → its provider."""
    return engine.split(":", 1)[0] if ":" in engine else views.provider_of(engine)


def sample(
    name: str, labels: dict[str, str], value: float, at: datetime | None = None
) -> dict[str, Any]:
    """One observation as the metrics queue carries it (seed §6.2: type, timestamp, data)."""
    spec = SEED_METRICS[name]
    if set(labels) != set(spec.labels):
        raise ValueError(f"{name} takes labels {spec.labels}, got {tuple(labels)}")
    return {
        "id": uuid.uuid4().hex,
        "type": "sample",
        "timestamp": (at or datetime.now(UTC)).isoformat(),
        "data": {"name": name, "labels": labels, "value": float(value)},
    }


def stage_samples(
    record: StageRecord, job: VideoJob | None, video_cost_usd: float | None = None
) -> list[dict[str, Any]]:
    """The observations one finished stage makes (none for failed attempts).

    ``job`` gives the labels only the run knows ("unknown" without it); ``video_cost_usd``
    is the run's total, observed as ``cost_per_video_dollars`` when the tracking stage ends.
    """
    if record.status != "completed" or not record.engine:
        return []
    seconds = record.duration_ms / 1000
    at = record.completed_at
    content_type = job.content_type.value if job else "unknown"
    if record.stage is Stage.script:
        labels = {"model": record.engine, "content_type": content_type}
        return [sample("script_generation_time_seconds", labels, seconds, at)]
    if record.stage is Stage.voice:
        labels = {
            "provider": voice_provider(record.engine),
            "voice_profile": job.voice.value if job else "unknown",
        }
        return [sample("voice_synthesis_time_seconds", labels, seconds, at)]
    if record.stage is Stage.render:
        gpu = any(marker in record.engine for marker in GPU_ENCODERS)
        width, height = job.aspect.size if job else (0, 0)
        labels = {
            "gpu_enabled": str(gpu).lower(),
            "resolution": f"{width}x{height}" if job else "unknown",
        }
        return [sample("video_assembly_time_seconds", labels, seconds, at)]
    if record.stage is Stage.tracking and video_cost_usd is not None:
        labels = {
            "channel_type": content_type,
            "video_length": video_length(job.minutes) if job else "unknown",
        }
        return [sample("cost_per_video_dollars", labels, video_cost_usd, at)]
    return []


class StoreCollector(Collector):
    """The seed's metrics, computed from the store at each collection.

    ``before_collect`` runs first (``metrics serve`` flushes the metrics queue there, so the
    histograms include what is still in Redis).
    """

    def __init__(
        self,
        store: AnalyticsStore,
        window: timedelta = timedelta(hours=24),
        before_collect: Callable[[], object] | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.store = store
        self.window = window
        self.before_collect = before_collect
        self.now = now

    def describe(self) -> Iterable[Metric]:
        return []  # registering must not query the database

    def collect(self) -> Iterable[Metric]:
        if self.before_collect:
            try:
                self.before_collect()
            except Exception as exc:  # the store's figures are still worth serving
                log.warning("before collecting metrics: %s", exc)
        now = self.now()
        window = views.Window.last(self.window, now)
        midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
        today = views.Window(midnight, now + timedelta(microseconds=1))
        for spec in OBSERVED:
            yield self._histogram(spec)
        yield self._gauge(
            "content_quality_score",
            (
                ((p.stage, p.model), p.mean)
                for p in views.quality_trends(self.store, window, by_day=False)
            ),
        )
        yield self._gauge(
            "generation_failure_rate",
            (((r.stage, r.error_type), r.rate) for r in views.failure_rates(self.store, window)),
        )
        spend: dict[tuple[str, str], float] = defaultdict(float)
        for row in views.api_cost_by_provider(self.store, today):
            spend[(row.provider, row.service)] += row.cost_usd
        yield self._gauge("api_cost_by_provider", spend.items())
        yield self._gauge(
            "model_latency_p95",
            ((p.key, p.p95_ms) for p in views.latency_p95(self.store, window)),
        )
        pairs: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
        for rate in views.fallback_rates(self.store, window):
            for fallback, count in rate.fallback_models.items():
                pairs[(rate.primary_model, fallback)][0] += count
            for fallback in rate.fallback_models:
                pairs[(rate.primary_model, fallback)][1] += rate.events
        yield self._gauge(
            "model_fallback_rate",
            ((key, used / events) for key, (used, events) in sorted(pairs.items())),
        )

    def _gauge(self, name: str, values: Iterable[tuple[Sequence[str], float]]) -> Metric:
        spec = SEED_METRICS[name]
        family = GaugeMetricFamily(name, spec.help, labels=list(spec.labels))
        for labels, value in values:
            family.add_metric(list(labels), value)
        return family

    def _histogram(self, spec: MetricSpec) -> Metric:
        s = MetricSample
        query = (
            select(
                s.labels,
                func.count(),
                func.sum(s.value),
                *(func.sum(case((s.value <= bound, 1), else_=0)) for bound in spec.buckets),
            )
            .where(s.name == spec.name)
            .group_by(s.labels)
            .order_by(s.labels)
        )
        family = HistogramMetricFamily(spec.name, spec.help, labels=list(spec.labels))
        with self.store.session() as session:
            for labels_json, count, total, *cumulative in session.execute(query):
                labels = json.loads(labels_json)
                buckets = [
                    (floatToGoString(bound), int(n or 0))
                    for bound, n in zip(spec.buckets, cumulative, strict=True)
                ]
                family.add_metric(
                    [labels.get(name, "") for name in spec.labels],
                    buckets=[*buckets, ("+Inf", count)],
                    sum_value=float(total or 0),
                )
        return family


def registry_for(collector: StoreCollector) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(collector)
    return registry


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass  # a scrape every few seconds is not news


def serve(
    collector: StoreCollector,
    port: int,
    addr: str = "127.0.0.1",
    users: basic_auth.Users | None = None,
) -> tuple[WSGIServer, threading.Thread]:
    """Expose the metrics on ``http://addr:port/metrics`` from a background thread.

    Loopback unless ``addr`` says otherwise; with ``users``, every request needs one of
    them (HTTP basic auth: prometheus_client's own server has none, so its WSGI app is
    served here behind :func:`ytempire.basic_auth.require`). Returns (server, thread);
    ``server.server_address`` has the real port when ``port`` is 0, and
    ``server.shutdown()`` stops it.
    """
    app = make_wsgi_app(registry_for(collector))
    if users is not None:
        app = basic_auth.require(app, users, realm="ytempire metrics")

    class Server(_ThreadingServer):
        address_family = socket.AF_INET6 if ":" in addr else socket.AF_INET

    server = make_server(addr, port, app, Server, handler_class=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="metrics", daemon=True)
    thread.start()
    return server, thread


def push(collector: StoreCollector, gateway: str, job: str = "ytempire") -> None:
    """Replace this job's metrics on a Prometheus Pushgateway (``PUT /metrics/job/<job>``)."""
    push_to_gateway(gateway, job=job, registry=registry_for(collector), timeout=10)
