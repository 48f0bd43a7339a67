"""Money that adds up: unpriced engines are skipped, local models are free, every paid call
(rejected drafts included) is in the video's ledger, admission reasons say the worst case,
and a video's cost across a crash and a re-run is the sum of everything it paid.

The real ``openai`` SDK talks to the local OpenAI-compatible server, which answers any model
name: with an API key set it stands for a paid cloud endpoint, without one for a local
server (``ytempire.providers.catalog.Pricing``).
"""

from __future__ import annotations

import json
import time
import uuid
from decimal import Decimal
from pathlib import Path

import pytest
from prefect import flow, task

from flows.video import make_video
from tasks.costs import metered
from tasks.guards import Gate
from tasks.recording import run_stage
from tasks.script import worst_case
from tests.flows.test_script_stage import KEY, TOPIC, models_called, script_only
from tests.servers.openai_compatible import OpenAICompatibleServer
from ytempire import cli
from ytempire.analytics.ledger import Ledger, compute_usd
from ytempire.analytics.store import AnalyticsStore
from ytempire.errors import StageFailed
from ytempire.models import RenderedVideo, Script, Stage, StageOutput, VideoJob
from ytempire.providers import catalog, endpoints
from ytempire.resilience import budgets
from ytempire.resilience.errors import OverBudget
from ytempire.script.prompts import PromptParams
from ytempire.settings import Settings


@pytest.fixture
def env(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, openai_server: OpenAICompatibleServer
) -> OpenAICompatibleServer:
    for name in ("OPENAI_API_KEY", "ELEVENLABS_API_KEY", "YTEMPIRE_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("YTEMPIRE_WORKSPACE", str(tmp_path / "runs"))
    monkeypatch.setenv("OPENAI_BASE_URL", openai_server.url)
    monkeypatch.setenv("YTEMPIRE_RETRY_DELAY_SCALE", "0.01")
    return openai_server


def paid_endpoint(monkeypatch: pytest.MonkeyPatch) -> None:
    """The server stands for a paid cloud endpoint: it is called with an API key."""
    monkeypatch.setenv("OPENAI_API_KEY", KEY)


def run(job: VideoJob | None = None) -> tuple[Script, VideoJob, uuid.UUID, Ledger]:
    job, run_id = job or VideoJob(topic=TOPIC.title), uuid.uuid4()
    script = script_only(job, run_id)
    return script, job, run_id, Ledger(AnalyticsStore(Settings().analytics_url))


def test_an_unpriced_model_is_skipped_and_the_next_engine_writes(
    env: OpenAICompatibleServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    paid_endpoint(monkeypatch)
    monkeypatch.setenv("YTEMPIRE_SCRIPT_PRIMARY_MODEL", "gpt-5-ultra")
    monkeypatch.setenv("YTEMPIRE_SCRIPT_FALLBACK_MODEL", "gpt-4o-mini")
    script, job, run_id, ledger = run()
    assert models_called(env) == ["gpt-4o-mini"]  # never a call without a price
    assert script.engine == "gpt-4o-mini"
    assert script.fallbacks == [
        "gpt-5-ultra skipped: no price for gpt-5-ultra in the price table "
        "(add it with YTEMPIRE_PRICES_FILE) [unpriced]"
    ]
    (line,) = ledger.lines(job.video_id)
    usage = env.usages[0]
    expected = catalog.cost_usd(
        catalog.PRICES["gpt-4o-mini"], usage["prompt_tokens"], usage["completion_tokens"]
    )
    assert (line.engine, line.kind, line.unit, line.run_id) == (
        "gpt-4o-mini",
        "call",
        "tokens",
        run_id,
    )
    assert line.quantity == usage["total_tokens"]
    assert float(line.cost_usd) == pytest.approx(expected, abs=1e-6) and line.cost_usd > 0
    assert script.cost_usd == float(line.cost_usd)
    (event,) = AnalyticsStore(Settings().analytics_url).events(run_id)
    assert "[unpriced]" in (event.error_message or "")


@pytest.mark.parametrize("with_key", [False, True], ids=["no-key", "listed-local"])
def test_a_local_model_is_free_not_unpriced(
    env: OpenAICompatibleServer, monkeypatch: pytest.MonkeyPatch, with_key: bool
) -> None:
    if with_key:  # a paid endpoint, but the operator says llama3 runs locally
        paid_endpoint(monkeypatch)
        monkeypatch.setenv("YTEMPIRE_LOCAL_MODELS", '["llama3"]')
    monkeypatch.setenv("YTEMPIRE_SCRIPT_PRIMARY_MODEL", "llama3")
    monkeypatch.delenv("YTEMPIRE_SCRIPT_FALLBACK_MODEL", raising=False)
    env.models = ["llama3"]  # a local server is asked what it serves
    script, job, _, ledger = run()
    # The local endpoint gets one small probe (does it honour json_schema, how fast is it);
    # a name listed as local on a cloud endpoint is not probed.
    probes = [r for r in env.requests if r.schema == endpoints.PROBE_SCHEMA]
    assert len(probes) == (0 if with_key else 1)
    assert models_called(env) == ["llama3"] * (1 + len(probes))
    assert script.engine == "llama3" and script.fallbacks == []
    # $0 per token, plus the seconds the server spent answering, both under its own name.
    call, compute = ledger.lines(job.video_id)
    assert (call.engine, call.kind, call.cost_usd) == ("llama3", "call", Decimal(0))
    assert call.quantity > 0 and "local server" in (call.note or "")
    # The probed local endpoint honours json_schema: the script was asked in its shape.
    assert ("json_schema" in (call.note or "")) is not with_key
    assert (compute.engine, compute.kind, compute.unit) == ("llama3", "compute", "server_seconds")
    assert compute.cost_usd == compute_usd(compute.quantity, Settings().compute_usd_per_cpu_hour)
    assert Decimal(str(script.cost_usd)) == compute.cost_usd


def test_drafts_the_suite_rejected_are_in_the_stage_cost(
    env: OpenAICompatibleServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    paid_endpoint(monkeypatch)
    monkeypatch.setenv("YTEMPIRE_SCRIPT_PRIMARY_MODEL", "gpt-4o-mini")
    env.queue("low_quality", "low_quality", "low_quality")
    script, job, run_id, ledger = run()
    # The draft and two regenerations were paid for, then the template wrote the script.
    assert models_called(env) == ["gpt-4o-mini"] * 3
    assert script.engine == "template"
    lines = ledger.lines(job.video_id)
    assert len(lines) == 3 and all(line.cost_usd > 0 for line in lines)
    paid = sum(line.cost_usd for line in lines)
    assert Decimal(str(script.cost_usd)) == paid == ledger.run_stage_total(run_id, Stage.script)


def test_admission_skips_on_the_worst_case_and_says_how_it_was_reached(
    env: OpenAICompatibleServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    paid_endpoint(monkeypatch)  # the default $0.50 video budget, gpt-4-turbo then gpt-3.5
    job = VideoJob(topic=TOPIC.title)
    worst = worst_case(job, TOPIC, PromptParams.for_job(job), catalog.PRICES["gpt-4-turbo"])
    # One call would fit; every call of every attempt would not.
    assert worst.per_call_usd < 0.5 < worst.usd
    script, _, _, _ = run(job)
    assert models_called(env) == ["gpt-3.5-turbo"]
    assert script.fallbacks == [
        f"gpt-4-turbo skipped: worst case ${worst.usd:.4f} = 4 attempts × 6 calls × "
        f"${worst.per_call_usd:.4f} over the $0.5000 left of the video's $0.50 budget "
        "[cost_exceeded]"
    ]


@pytest.mark.slow
def test_a_video_that_crashed_after_paying_costs_the_sum_of_all_it_paid(
    env: OpenAICompatibleServer,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    paid_endpoint(monkeypatch)
    monkeypatch.setenv("YTEMPIRE_SCRIPT_PRIMARY_MODEL", "gpt-4o-mini")
    monkeypatch.setenv("YTEMPIRE_VIDEO_BUDGET_USD", "2")
    job = VideoJob(topic=TOPIC.title, minutes=0.1)
    workspace = str(tmp_path / "runs")

    # The first run pays for its script (and speaks it), then its render fails.
    monkeypatch.setenv("YTEMPIRE_RENDER_PRESET", "no-such-preset")
    with pytest.raises(StageFailed, match="render"):
        make_video(job, workspace=workspace)
    monkeypatch.delenv("YTEMPIRE_RENDER_PRESET")
    store = AnalyticsStore(Settings().analytics_url)
    ledger = Ledger(store)
    first_run = ledger.lines(job.video_id)
    script_calls = [line for line in first_run if line.stage is Stage.script]
    # (A 6-second script is more than the server's drafts can fit: they are rejected and the
    # template writes it, so the paid calls are rejected drafts, all in the video's cost.)
    assert script_calls and all(line.cost_usd > 0 for line in script_calls)
    chat_requests = len(env.requests)

    # The re-run resumes the script from its checkpoint (no new call) and finishes.
    result = make_video(job, workspace=workspace)
    assert len(env.requests) == chat_requests
    lines = ledger.lines(job.video_id)
    runs = {line.run_id for line in lines}
    assert len(runs) == 2 and result.run_id in runs
    assert next(r for r in result.stages if r.stage is Stage.script).status == "resumed"

    # Every paid call: the script's usage at its price, each picture at its list price.
    mini = catalog.PRICES["gpt-4o-mini"]
    chat = [catalog.cost_usd(mini, u["prompt_tokens"], u["completion_tokens"]) for u in env.usages]
    pictures = 0.08 * len(env.image_requests)
    calls = [line for line in lines if line.kind == "call"]
    assert sum(float(line.cost_usd) for line in calls) == pytest.approx(
        sum(chat) + pictures, abs=1e-5
    )
    # Compute is a cost line of every stage that burns our CPU, the failed render's too.
    compute = {(line.stage, line.run_id) for line in lines if line.kind == "compute"}
    assert {Stage.voice, Stage.render, Stage.thumbnails} <= {stage for stage, _ in compute}
    assert len([1 for stage, _ in compute if stage is Stage.render]) == 2
    assert all(line.cost_usd > 0 for line in lines if line.kind == "compute")

    # One figure everywhere: the ledger, metadata.json, ai_cost_breakdown, the CLI, the run.
    total = ledger.video_total(job.video_id)
    meta = json.loads((tmp_path / "runs" / job.video_id / "metadata.json").read_text())
    assert Decimal(str(meta["total_cost_usd"])) == total
    assert Decimal(str(meta["cost"]["total_usd"])) == total
    assert len(meta["cost"]["lines"]) == len(lines)
    breakdown = store.cost_breakdown(job.video_id)
    assert breakdown is not None
    assert breakdown.total_cost == total.quantize(Decimal("0.0001"))
    assert result.total_cost_usd == float(total)

    assert cli.main(["cost", job.video_id]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed[0] == f"video {job.video_id}: {len(lines)} lines over 2 runs"
    assert printed[-1].startswith(f"total ${total:.6f} ")
    assert sum(1 for row in printed if " call " in row) == len(calls)


def test_cost_of_an_unknown_video_is_one_line_and_exit_2(
    env: OpenAICompatibleServer, capsys: pytest.CaptureFixture[str]
) -> None:
    AnalyticsStore(Settings().analytics_url)  # the store exists, the video does not
    unknown = uuid.uuid4().hex
    assert cli.main(["cost", unknown]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == f"ytempire: error: no costs recorded for video {unknown}\n"
    assert cli.main(["cost", "not-a-video"]) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1


def test_metered_stages_cost_their_cpu_and_an_nvenc_render_its_gpu_time(tmp_path: Path) -> None:
    settings = Settings(
        workspace=tmp_path,
        compute_usd_per_cpu_hour=36.0,
        compute_usd_per_gpu_hour=1.5,
    )
    video_id, run_id = uuid.uuid4().hex, uuid.uuid4()

    def burn(seconds: float) -> None:
        started = time.process_time()
        while time.process_time() - started < seconds:
            pass

    def render() -> RenderedVideo:
        burn(0.2)
        return RenderedVideo.model_construct(engine="ffmpeg-h264_nvenc", encoder="h264_nvenc")

    def failing() -> StageOutput:
        burn(0.1)
        raise RuntimeError("the stage failed")

    metered(Stage.render, video_id, run_id, settings, render)()
    with pytest.raises(RuntimeError):
        metered(Stage.thumbnails, video_id, run_id, settings, failing)()

    cpu, gpu, failed = Ledger(AnalyticsStore(settings.analytics_url)).lines(video_id)
    assert (cpu.engine, cpu.kind, cpu.unit, cpu.stage) == (
        "cpu",
        "compute",
        "cpu_seconds",
        Stage.render,
    )
    assert cpu.quantity >= 0.2 and cpu.cost_usd == compute_usd(cpu.quantity, 36.0)
    assert cpu.cost_usd >= Decimal("0.002")  # 0.2 s at $36/h
    assert (gpu.engine, gpu.unit) == ("gpu", "gpu_seconds") and gpu.cost_usd > 0
    # A failed stage's seconds were spent all the same.
    assert (failed.stage, failed.unit) == (Stage.thumbnails, "cpu_seconds")
    assert failed.quantity >= 0.1


@flow
def admit_twice(video_id: str, run_id: uuid.UUID) -> str:
    """Admit one engine, pay $0.25 as it would, then admit the next one (its refusal line)."""
    gate = Gate(Settings(), run_id, video_id, Stage.script)
    worst = budgets.WorstCase(0.05, calls=6)  # $0.30 of the $0.50
    gate.admit("openai", "gpt-4o", worst)
    Ledger(gate.store).record(
        video_id, run_id, Stage.script, "gpt-4o", kind="call", quantity=1, unit="x", cost_usd=0.25
    )
    try:
        gate.admit("openai", "gpt-4o-mini", worst)
    except OverBudget as refused:
        return refused.message
    return "admitted"


def test_admission_reads_what_the_stage_has_paid_since_it_began(
    env: OpenAICompatibleServer,
) -> None:
    # The first engine paid $0.25 and failed; the next one's worst case no longer fits.
    refused = admit_twice(uuid.uuid4().hex, uuid.uuid4())
    assert refused == (
        "worst case $0.3000 = 1 attempt × 6 calls × $0.0500 over the $0.2500 left of the "
        "video's $0.50 budget"
    )


def test_a_retried_stage_records_each_attempt_once_and_exactly(tmp_path: Path) -> None:
    """Each attempt's row holds what that attempt spent, to the millionth: a stage whose task
    failed once after paying adds up to its ledger, not to its first payment twice."""
    settings = Settings(workspace=tmp_path / "runs")
    job, run_id = VideoJob(topic="Tides"), uuid.uuid4()
    ledger = Ledger(AnalyticsStore(settings.analytics_url))
    attempts = []

    def pay_then_maybe_fail() -> StageOutput:
        attempts.append(len(attempts) + 1)
        ledger.record(
            job.video_id, run_id, Stage.script, "gpt-4o-mini",
            kind="call", quantity=1, unit="call", cost_usd=Decimal("0.000412"),
        )  # fmt: skip
        if len(attempts) == 1:
            raise TimeoutError("the draft came too late")
        return StageOutput(engine="gpt-4o-mini")

    @task(retries=1, retry_delay_seconds=0)
    def script_stage() -> StageOutput:
        return run_stage(Stage.script, run_id, settings, pay_then_maybe_fail)

    @flow
    def one_stage() -> StageOutput:
        return script_stage()

    output = one_stage()
    records = AnalyticsStore(settings.analytics_url).stage_records(run_id)
    assert [(r.status, r.cost_usd) for r in records] == [
        ("failed", 0.000412),
        ("completed", 0.000412),
    ]
    assert output.cost_usd == pytest.approx(0.000824)  # the stage's cost in this run
    assert sum(r.cost_usd for r in records) == pytest.approx(
        float(ledger.video_total(job.video_id)), abs=1e-9
    )
