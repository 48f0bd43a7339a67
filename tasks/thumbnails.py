"""Thumbnails: three A/B variants built on the rendered video's key frames, ranked by CTR.

With an OpenAI key or base URL set, DALL·E 3 pictures for the hero and split layouts are
asked for first, each its own task run (retried by error kind, the SDK's retries off), and
the key frames are picked while they are drawn. A layout whose picture fails falls back to
the Pillow backgrounds (key frames, brand art), and the failure is named in the stage's
fallbacks. The variants are then drawn, measured and ranked by the CTR heuristic
(``ytempire/quality/ctr.py``); ``thumbnails/ranking.json`` names the one to upload.

Each picture is admitted on its worst case (its price × its attempts) and is a row of the
video's cost ledger; an images model without a price is skipped as ``unpriced``. The stage's
CPU seconds (key frames, drawing) are its compute line.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from prefect import task
from prefect.cache_policies import NO_CACHE
from prefect.futures import PrefectFuture
from prefect.states import State
from pydantic import Field

from tasks.costs import metered
from tasks.fallback import first_success
from tasks.guards import Gate, guarded
from tasks.policy import retry_by_error_kind
from tasks.recording import run_stage
from ytempire import fonts
from ytempire.analytics.ledger import Ledger
from ytempire.analytics.store import AnalyticsStore
from ytempire.errors import one_line
from ytempire.learning import prompts, thumbnail_tests
from ytempire.models import (
    Narration,
    RenderedVideo,
    Script,
    Stage,
    StageOutput,
    Thumbnail,
    ThumbnailSet,
    VideoJob,
)
from ytempire.providers import dalle, endpoints
from ytempire.providers.catalog import Pricing
from ytempire.providers.endpoints import EndpointError
from ytempire.providers.openai_chat import make_client
from ytempire.publish.metadata import chapters
from ytempire.quality import ctr
from ytempire.resilience import budgets
from ytempire.resilience.errors import CircuitOpen, OverBudget, Unpriced
from ytempire.settings import Settings
from ytempire.visuals import contact_sheet, keyframes, thumbnails
from ytempire.visuals.palette import Palette
from ytempire.workspace import VideoFolder

OPERATION = "thumbnail_generation"
RANKING_FILE = "ranking.json"


class GeneratedPicture(StageOutput):
    """One layout's picture: generated (``path`` set) or left to the Pillow templates."""

    layout: str
    path: Path | None = None
    revised_prompt: str | None = None


# Paid calls: never served from a cache of another run.
@task(
    name="thumbnail-picture",
    retries=3,
    retry_delay_seconds=0,
    retry_condition_fn=retry_by_error_kind,
    cache_policy=NO_CACHE,
)
def picture_from_model(
    job: VideoJob, title: str, layout: str, settings: Settings, run_id: uuid.UUID
) -> GeneratedPicture:
    model = settings.thumbnail_image_model or dalle.MODEL
    # Only an image endpoint is asked: a chat-only (local) server never gets this request.
    endpoint = endpoints.for_images(settings, model)
    if endpoint is None:
        raise EndpointError(f"no image endpoint serves {model!r}")
    client = make_client(endpoint.key, endpoint.base_url, settings.thumbnail_timeout_s)
    folder = VideoFolder(settings.workspace, job.video_id)
    size, quality = settings.thumbnail_image_size, settings.thumbnail_image_quality
    (template,) = prompts.load_prompts(["thumbnail-image"], settings=settings)
    prompts.note_used(folder.path, [template])
    palette = Palette.from_brand(job.brand_colours)
    with guarded(dalle.PROVIDER, settings):
        call = dalle.generate_image(
            client,
            thumbnails.image_prompt(layout, title, palette, template.text),
            folder.work / f"picture_{layout}.png",
            model=model,
            size=size,
            quality=quality,
            unit_price_usd=Pricing(settings).image_usd(model, quality, size),
        )
    store = AnalyticsStore(settings.analytics_url)
    store.record_model_call(
        call.model, OPERATION, latency_ms=call.latency_ms, tokens_used=0, cost_usd=call.cost_usd
    )
    Ledger(store).record(
        job.video_id,
        run_id,
        Stage.thumbnails,
        call.model,
        kind="call",
        quantity=1,
        unit="images",
        cost_usd=call.cost_usd,
        note=f"{layout}: {quality} {size}",
    )
    return GeneratedPicture(
        engine=call.model,
        cost_usd=call.cost_usd,
        layout=layout,
        path=call.path,
        revised_prompt=call.revised_prompt,
    )


@task(name="key-frames", cache_policy=NO_CACHE)
def pick_key_frames(
    job: VideoJob, video: RenderedVideo, settings: Settings
) -> list[keyframes.KeyFrame]:
    folder = VideoFolder(settings.workspace, job.video_id)
    return keyframes.pick_key_frames(
        video.path, folder.work / "key_frames", count=settings.thumbnail_key_frames
    )


@task(name="draw-thumbnails", cache_policy=NO_CACHE)
def draw_thumbnails(
    job: VideoJob,
    title: str,
    frames: list[keyframes.KeyFrame],
    pictures: dict[str, Path],
    settings: Settings,
) -> tuple[list[Thumbnail], str]:
    """The three variants, ranked by predicted CTR (best first; an experiment's
    ``thumbnail_template`` arm puts its template first), and ``ranking.json``; with the
    characters of their texts that no shipped font covers."""
    folder = VideoFolder(settings.workspace, job.video_id)
    with fonts.recording_missing() as missing:
        made = thumbnails.make_thumbnails(
            title,
            [frame.path for frame in frames],
            folder.thumbnails,
            palette=Palette.from_brand(job.brand_colours),
            fonts_dir=settings.fonts_dir,
            generated=pictures,
            language=job.language,
        )
    fitted = thumbnail_tests.latest_weights(settings.workspace / thumbnail_tests.WEIGHTS_DIR)
    ranked = ctr.put_first(
        ctr.rank(made, fitted.weights if fitted else None), settings.thumbnail_template
    )
    ctr.write_ranking(
        folder.thumbnails / RANKING_FILE,
        ranked,
        fitted.version if fitted else None,
        settings.thumbnail_template,
    )
    return ranked, "".join(sorted(missing))


def _settle(future: PrefectFuture[GeneratedPicture]) -> Callable[[], State[Any]]:
    """A fallback candidate that waits for an already submitted task run."""

    def settled() -> State[Any]:
        future.wait()
        return future.state

    return settled


def _templates_only(layout: str) -> Callable[[], GeneratedPicture]:
    """The last resort for a layout: no generated picture; the Pillow templates draw it."""
    return lambda: GeneratedPicture(engine=thumbnails.ENGINE, layout=layout)


class GeneratedPictures(StageOutput):
    """The generated layouts' pictures that came back, by layout, and what they cost."""

    paths: dict[str, Path] = Field(default_factory=dict)


def ask_for_pictures(
    job: VideoJob, title: str, settings: Settings, gate: Gate
) -> Callable[[], GeneratedPictures]:
    """Ask for every generated layout's picture at once, each admitted by ``gate`` (breaker,
    price, worst-case budget) first; return the function that waits for them. A layout
    refused or failed is a line in the result's fallbacks: the Pillow templates draw it."""
    model = settings.thumbnail_image_model or dalle.MODEL
    layouts = thumbnails.GENERATED_LAYOUTS if settings.images_configured else ()
    skipped: list[str] = []
    futures = {}
    for layout in layouts:
        try:
            price = Pricing(settings).image_usd(
                model, settings.thumbnail_image_quality, settings.thumbnail_image_size
            )
            # Each attempt of the task may be billed; they run at once, so each admitted
            # picture's worst case counts against the next one's budget.
            worst = budgets.WorstCase(price, attempts=(picture_from_model.retries or 0) + 1)
            gate.admit(dalle.PROVIDER, model, worst, reserve=True)
        except (CircuitOpen, OverBudget, Unpriced) as refused:
            skipped.append(f"{model} ({layout}) skipped: {refused.message} [{refused.kind}]")
            continue
        futures[layout] = picture_from_model.submit(job, title, layout, settings, gate.run_id)

    def collect() -> GeneratedPictures:
        fallbacks, paths, cost = list(skipped), {}, 0.0
        for layout, future in futures.items():
            picture = first_success(
                [(f"{model} ({layout})", _settle(future))], _templates_only(layout)
            )
            fallbacks += picture.fallbacks
            cost += picture.cost_usd
            if picture.path is not None:
                paths[layout] = picture.path
        return GeneratedPictures(
            engine=model if paths else thumbnails.ENGINE,
            cost_usd=round(cost, 6),
            fallbacks=fallbacks,
            paths=paths,
        )

    return collect


def make_thumbnails(
    job: VideoJob, script: Script, video: RenderedVideo, settings: Settings, run_id: uuid.UUID
) -> ThumbnailSet:
    """The thumbnails stage (see the module docstring), recorded as one stage."""

    def produce() -> ThumbnailSet:
        gate = Gate(settings, run_id, job.video_id, Stage.thumbnails)
        # Asked for first: a picture takes seconds, picking key frames a fraction of one.
        pictures = ask_for_pictures(job, script.title, settings, gate)
        frames_state = pick_key_frames(job, video, settings, return_state=True)
        frames: list[keyframes.KeyFrame] = []
        fallbacks: list[str] = []
        if frames_state.is_completed():
            frames = frames_state.result()
        else:
            failure = frames_state.result(raise_on_failure=False)
            why = one_line(failure) if isinstance(failure, BaseException) else frames_state.name
            fallbacks.append(f"key frames failed, brand art used: {why}")
        generated = pictures()
        variants, missing = draw_thumbnails(job, script.title, frames, generated.paths, settings)
        engine = thumbnails.ENGINE
        if generated.paths:
            engine = f"{generated.engine}+{thumbnails.ENGINE}"
        return gate.settle(
            ThumbnailSet(
                engine=engine,
                cost_usd=generated.cost_usd,
                fallbacks=generated.fallbacks + fallbacks,
                variants=variants,
                missing_glyphs=missing,
            )
        )

    folder = VideoFolder(settings.workspace, job.video_id)
    return run_stage(
        Stage.thumbnails,
        run_id,
        settings,
        metered(Stage.thumbnails, job.video_id, run_id, settings, produce),
        folder=folder,
        output_type=ThumbnailSet,
    )


@task(name="contact-sheet", cache_policy=NO_CACHE)
def make_contact_sheet(
    job: VideoJob,
    script: Script,
    narration: Narration,
    video: RenderedVideo,
    made: ThumbnailSet,
    settings: Settings,
) -> Path:
    """``contact_sheet.png`` in the video's folder: its frames at chapter starts and regular
    intervals, and the ranked thumbnails (``ytempire/visuals/contact_sheet.py``)."""
    folder = VideoFolder(settings.workspace, job.video_id)
    sheet = contact_sheet.make_contact_sheet(
        video.path,
        video.info.video_duration_s,
        chapters(script, narration),
        made.variants,
        folder.path / contact_sheet.FILE_NAME,
        fonts_dir=settings.fonts_dir,
        language=job.language,
    )
    return sheet.path
