"""Quality: validate every output against its suite, store the checks, show them as a table.

The core (``ytempire.quality.report``) measures and validates and writes ``quality.json``;
this task keeps one ``quality_results`` row per check in the analytics store and makes the
``quality-<video_id>`` table artifact (failures first, each with what to do).
"""

from __future__ import annotations

import uuid
from typing import Any

from prefect import get_run_logger, task
from prefect.artifacts import create_table_artifact

from tasks import costs
from tasks.guards import guarded
from tasks.recording import run_stage
from ytempire.analytics.store import AnalyticsStore
from ytempire.errors import one_line
from ytempire.models import (
    Narration,
    QualityReport,
    RenderedVideo,
    Script,
    Stage,
    ThumbnailSet,
    Timeline,
    VideoJob,
)
from ytempire.providers import endpoints, openai_chat
from ytempire.providers.catalog import Pricing
from ytempire.providers.endpoints import EndpointError
from ytempire.providers.openai_chat import make_client
from ytempire.quality import judge
from ytempire.quality.report import assess, table_rows
from ytempire.resilience.errors import ProviderError
from ytempire.script import languages
from ytempire.settings import Settings
from ytempire.visuals.palette import Palette
from ytempire.workspace import VideoFolder

JUDGE_OPERATION = "substance_judge"


@task(name="check-quality")
def check_quality(
    job: VideoJob,
    script: Script,
    narration: Narration,
    timeline: Timeline,
    video: RenderedVideo,
    thumbnails: ThumbnailSet,
    settings: Settings,
    run_id: uuid.UUID,
) -> QualityReport:
    folder = VideoFolder(settings.workspace, job.video_id)

    def produce() -> QualityReport:
        report = assess(
            script,
            languages.target_length(job.minutes, script.language),
            narration,
            timeline,
            video,
            thumbnails,
            folder / "quality.json",
            settings.quality_suites_dir,
            Palette.from_brand(job.brand_colours),
            substance=judge_substance(job, script, settings, run_id),
        )
        AnalyticsStore(settings.analytics_url).record_quality(job.video_id, run_id, report.checks)
        return report

    report = run_stage(
        Stage.quality, run_id, settings, produce, folder=folder, output_type=QualityReport
    )
    create_table_artifact(
        table_rows(report),
        key=f"quality-{job.video_id}",
        description=(
            f"Quality checks: {'all passed' if report.passed else f'{len(report.failures)} failed'}"
            f", score {report.quality_score}"
        ),
    )
    return report


def judge_substance(
    job: VideoJob, script: Script, settings: Settings, run_id: uuid.UUID
) -> dict[str, Any] | None:
    """The substance suite's row: a template-written script scored for what it is (no call);
    else, when a chat endpoint serves a model, its first model's verdict (a call in the
    ledger, as the script's calls are). None, with a warning, when nothing can judge."""
    if judge.is_template(script):
        return judge.substance_row(script, judge.template_verdict(), "template")
    try:
        resolved, _ = endpoints.resolve_chat(settings, settings.script_timeout_s)
        model = next(iter(endpoints.chat_models(resolved)), None)
        endpoint = endpoints.for_model(resolved, "chat", model) if model else None
        if model is None or endpoint is None:
            return None
        spec = Pricing(resolved).chat(model)
        timeout_s = endpoints.timeout_s(endpoint, judge.MAX_TOKENS, settings.script_timeout_s)
        client = make_client(endpoint.key, endpoint.base_url, timeout_s)
        with guarded(openai_chat.PROVIDER, settings):
            verdict, call = judge.judge(
                client, spec, script, structured=endpoints.constrained(endpoint)
            )
    except (EndpointError, ProviderError) as exc:
        get_run_logger().warning("substance not judged: %s", one_line(exc))
        return None
    costs.record_chat_call(
        job.video_id, run_id, Stage.quality, JUDGE_OPERATION, spec, call, endpoint, settings
    )
    return judge.substance_row(script, verdict, spec.name)
