"""Trend detection: the YouTube Data API when a key is set, the local topics file otherwise
(and whenever the API fails)."""

from __future__ import annotations

import uuid

from prefect import task

from tasks.fallback import first_success
from tasks.policy import retry_by_error_kind
from tasks.recording import run_stage
from ytempire.language import DEFAULT_LANGUAGE
from ytempire.models import Stage, TrendReport, VideoJob
from ytempire.settings import Settings
from ytempire.trends.source import LocalFileSource
from ytempire.workspace import VideoFolder


@task(
    name="trends-youtube", retries=3, retry_delay_seconds=0, retry_condition_fn=retry_by_error_kind
)
def trends_from_youtube(
    niche: str | None, settings: Settings, language_tag: str, region: str | None
) -> TrendReport:
    # Imported here: the Google client is only loaded where a key makes it useful.
    from ytempire.language import language
    from ytempire.trends.youtube import YouTubeTrendSource, region_for

    if settings.youtube_api_key is None:
        raise ValueError("YOUTUBE_API_KEY is not set")
    source = YouTubeTrendSource(
        settings.youtube_api_key.get_secret_value(),
        region=region_for(language_tag, region, settings.youtube_region),
        language_code=language(language_tag).code,
        category_id=settings.youtube_category_id,
        api_endpoint=settings.youtube_api_endpoint,
    )
    return source.detect(niche)


@task(
    name="trends-local-file",
    retries=2,
    retry_delay_seconds=0,
    retry_condition_fn=retry_by_error_kind,
)
def trends_from_file(niche: str | None, settings: Settings) -> TrendReport:
    return LocalFileSource(settings.topics_file).detect(niche)


def trends_for(
    niche: str | None,
    settings: Settings,
    language_tag: str = DEFAULT_LANGUAGE,
    region: str | None = None,
) -> TrendReport:
    """Trends for ``niche`` in a language and region (YouTube's ``relevanceLanguage`` and
    ``regionCode``; ``region`` unset: the language's, else the setting's): each engine in
    order, the fallbacks noted (the daily batch asks this once per channel to choose its
    topics)."""
    candidates = []
    if settings.youtube_api_key:
        candidates.append(
            (
                "youtube-data-api",
                lambda: trends_from_youtube(
                    niche, settings, language_tag, region, return_state=True
                ),
            )
        )
    return first_success(candidates, lambda: trends_from_file(niche, settings))


def detect_trends(job: VideoJob, settings: Settings, run_id: uuid.UUID) -> TrendReport:
    """The trends stage: ``trends_for`` the job's niche, recorded as one stage."""
    return run_stage(
        Stage.trends,
        run_id,
        settings,
        lambda: trends_for(job.niche, settings, job.language),
        folder=VideoFolder(settings.workspace, job.video_id),
        output_type=TrendReport,
    )
