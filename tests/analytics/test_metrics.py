"""The seed's metrics: what each stage observes, and what a scrape or a push says."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.analytics import fixture
from ytempire.analytics import metrics
from ytempire.analytics.store import AnalyticsStore
from ytempire.models import Aspect, ContentType, Stage, StageRecord, VideoJob, VoiceProfile

REPO = Path(__file__).resolve().parents[2]
Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]

JOB = VideoJob(
    topic="Tides",
    minutes=4,
    content_type=ContentType.entertainment,
    voice=VoiceProfile.calm_female,
    aspect=Aspect.portrait,
)


def _record(
    stage: Stage, engine: str | None, seconds: float, status: str = "completed"
) -> StageRecord:
    start = datetime(2026, 11, 21, 9, tzinfo=UTC)
    return StageRecord(
        stage=stage,
        status=status,
        engine=engine,
        started_at=start,
        completed_at=start + timedelta(seconds=seconds),
    )


def _observed(samples: list[dict[str, object]]) -> list[tuple[object, object, object]]:
    return [(s["data"]["name"], s["data"]["labels"], s["data"]["value"]) for s in samples]  # type: ignore[index]


def test_each_stage_observes_its_seed_metric_with_the_seed_labels() -> None:
    assert _observed(metrics.stage_samples(_record(Stage.script, "gpt-4o", 12.5), JOB)) == [
        (
            "script_generation_time_seconds",
            {"model": "gpt-4o", "content_type": "entertainment"},
            12.5,
        )
    ]
    voice = metrics.stage_samples(_record(Stage.voice, "piper:en_US-joe-medium", 30), JOB)
    assert _observed(voice) == [
        (
            "voice_synthesis_time_seconds",
            {"provider": "piper", "voice_profile": "calm_female"},
            30.0,
        )
    ]
    render = metrics.stage_samples(_record(Stage.render, "ffmpeg-h264_nvenc", 61), JOB)
    assert _observed(render) == [
        ("video_assembly_time_seconds", {"gpu_enabled": "true", "resolution": "1080x1920"}, 61.0)
    ]
    cost = metrics.stage_samples(_record(Stage.tracking, "analytics-db", 0.1), JOB, 0.31)
    assert _observed(cost) == [
        (
            "cost_per_video_dollars",
            {"channel_type": "entertainment", "video_length": "3-5min"},
            0.31,
        )
    ]
    assert (
        cost[0]["type"] == "sample" and cost[0]["timestamp"] == "2026-11-21T09:00:00.100000+00:00"
    )


def test_failures_and_other_stages_observe_nothing_and_no_job_means_unknown() -> None:
    assert metrics.stage_samples(_record(Stage.script, None, 1, "failed"), JOB) == []
    assert metrics.stage_samples(_record(Stage.thumbnails, "pillow-templates", 1), JOB) == []
    assert metrics.stage_samples(_record(Stage.tracking, "analytics-db", 1), JOB) == []  # no total
    (render,) = metrics.stage_samples(_record(Stage.render, "ffmpeg-libx264", 5), None)
    assert render["data"]["labels"] == {"gpu_enabled": "false", "resolution": "unknown"}  # type: ignore[index]


def test_a_sample_must_carry_exactly_the_seed_labels() -> None:
    with pytest.raises(ValueError, match="takes labels"):
        metrics.sample("model_latency_p95", {"model": "x"}, 1.0)


def _scrape(text: str) -> Samples:
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def _key(name: str, **labels: str) -> tuple[str, frozenset[tuple[str, str]]]:
    return (name, frozenset(labels.items()))


@pytest.fixture
def collector(loaded: AnalyticsStore) -> metrics.StoreCollector:
    return metrics.StoreCollector(loaded, fixture.COLLECTOR_WINDOW, now=lambda: fixture.NOW)


def _check_fixture_figures(got: Samples) -> None:
    # Histograms from ai_metric_samples: 1 s, 2 s and 95 s for gpt-4-turbo / educational.
    gpt4 = {"model": "gpt-4-turbo", "content_type": "educational"}
    assert got[_key("script_generation_time_seconds_count", **gpt4)] == 3
    assert got[_key("script_generation_time_seconds_sum", **gpt4)] == 98.0
    buckets = {
        le: got[_key("script_generation_time_seconds_bucket", **gpt4, le=le)]
        for le in ("1.0", "2.0", "90.0", "120.0", "+Inf")
    }
    assert buckets == {"1.0": 1, "2.0": 2, "90.0": 2, "120.0": 3, "+Inf": 3}
    cost = {"channel_type": "educational", "video_length": "0-1min"}
    assert got[_key("cost_per_video_dollars_bucket", **cost, le="0.2")] == 1  # $0.17
    assert got[_key("cost_per_video_dollars_bucket", **cost, le="0.5")] == 1
    assert got[_key("cost_per_video_dollars_bucket", **cost, le="0.75")] == 2  # $0.54
    assert got[_key("cost_per_video_dollars_sum", **cost)] == pytest.approx(0.71)
    # Gauges from the seed's tables over the 4 days before 11-21 20:00.
    assert got[_key("content_quality_score", stage="script", model="template")] == 0.70
    assert got[_key("content_quality_score", stage="voice", model="piper:en_US-joe-medium")] == 0.90
    assert got[_key("generation_failure_rate", stage="voice", error_type="api_error")] == 0.2
    assert got[
        _key("generation_failure_rate", stage="render", error_type="other")
    ] == pytest.approx(1 / 3)
    # Today (11-21 UTC): gpt-4-turbo 10 × $0.03 + gpt-3.5-turbo 3 × $0.01; no ElevenLabs call.
    assert got[_key("api_cost_by_provider", provider="openai", service="script_generation")] == 0.33
    assert _key("api_cost_by_provider", provider="elevenlabs", service="voice_synthesis") not in got
    assert (
        got[_key("model_latency_p95", model="gpt-4-turbo", operation="script_generation")] == 1900
    )
    assert (
        got[_key("model_latency_p95", model="gpt-3.5-turbo", operation="script_generation")] == 8000
    )
    assert (
        got[_key("model_fallback_rate", primary_model="gpt-4-turbo", fallback_model="template")]
        == 0.25
    )
    assert (
        got[
            _key("model_fallback_rate", primary_model="gpt-4-turbo", fallback_model="gpt-3.5-turbo")
        ]
        == 0.25
    )


def test_a_scrape_of_the_served_metrics_gives_the_fixture_figures(
    collector: metrics.StoreCollector,
) -> None:
    server, _thread = metrics.serve(collector, 0)
    try:
        port = server.server_address[1]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as response:
            text = response.read().decode()
    finally:
        server.shutdown()
    _check_fixture_figures(_scrape(text))
    for name, spec in metrics.SEED_METRICS.items():
        assert f"# TYPE {name} {spec.kind}" in text


class _Pushgateway(BaseHTTPRequestHandler):
    """Speaks the Pushgateway's push API: PUT /metrics/job/<job> with the text format."""

    received: ClassVar[list[tuple[str, str, str]]] = []

    def do_PUT(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"])).decode()
        self.received.append(("PUT", self.path, body))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        return None


@pytest.fixture
def pushgateway() -> Iterator[tuple[str, list[tuple[str, str, str]]]]:
    received: list[tuple[str, str, str]] = []
    handler = type("Handler", (_Pushgateway,), {"received": received})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", received
    server.shutdown()


def test_push_sends_the_same_figures_to_a_pushgateway(
    collector: metrics.StoreCollector, pushgateway: tuple[str, list[tuple[str, str, str]]]
) -> None:
    url, received = pushgateway
    metrics.push(collector, url, job="ytempire")
    ((method, path, body),) = received
    assert (method, path) == ("PUT", "/metrics/job/ytempire")
    _check_fixture_figures(_scrape(body))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_the_metrics_serve_command(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    fixture.load(AnalyticsStore(f"sqlite:///{db}"))
    port = _free_port()
    env = {
        **os.environ,
        "YTEMPIRE_DATABASE_URL": f"sqlite:///{db}",
        "YTEMPIRE_METRICS_WINDOW_HOURS": "1000000",
    }
    env.pop("YTEMPIRE_REDIS_URL", None)
    exe = Path(sys.executable).with_name("ytempire")
    proc = subprocess.Popen(
        [str(exe), "metrics", "serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line == f"serving metrics on http://127.0.0.1:{port}/metrics (Ctrl-C stops)\n"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as response:
            got = _scrape(response.read().decode())
        # All time: the 20 calls plus 11-10's 99999 ms one; rank ceil(.95 × 21) = 20 → 2000 ms.
        assert (
            got[_key("model_latency_p95", model="gpt-4-turbo", operation="script_generation")]
            == 2000
        )
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    assert proc.returncode == 0


def test_metrics_serve_on_a_taken_port_fails_in_one_line(tmp_path: Path) -> None:
    env = {**os.environ, "YTEMPIRE_WORKSPACE": str(tmp_path / "runs")}
    env.pop("YTEMPIRE_DATABASE_URL", None)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        started = time.monotonic()
        done = subprocess.run(
            [
                str(Path(sys.executable).with_name("ytempire")),
                "metrics",
                "serve",
                "--port",
                str(port),
            ],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
            check=False,
        )
    assert done.returncode == 1, done.stderr
    assert done.stderr.startswith("ytempire: error: metrics: ") and done.stderr.count("\n") == 1
    assert time.monotonic() - started < 60
