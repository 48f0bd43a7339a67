"""Visuals: a card per spoken block, footage and charts from the script's visual cues, all laid
on the narration's timings.

Everything is drawn in the channel's brand (``visuals.brand``: palette, faces, logo) and
paced by its style preset (``visuals.presets``); the intro card and end screen are added by
``visuals.marks``. Footage comes from Pexels when ``PEXELS_API_KEY`` is set, else (or when
Pexels fails after its retries) from the local asset library, else the cards alone carry
the video; the stage records which engine was passed over and why. A channel with
``footage_library_first`` looks in the library first and asks Pexels only for the cues it
left empty. Searching is one task per engine for the whole script, never one per cue. Clips
are ranked by the cue and the sentence spoken over them; none the channel showed in its
last ``footage_repeat_videos`` videos is chosen, and the chosen ones are recorded
(``ytempire.analytics.footage_usage``).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from prefect import task
from prefect.cache_policies import NO_CACHE

from tasks.fallback import first_success
from tasks.policy import retry_by_error_kind
from tasks.recording import run_stage
from ytempire import fonts
from ytempire.analytics import footage_usage
from ytempire.analytics.store import AnalyticsStore
from ytempire.errors import one_line
from ytempire.models import FootageSet, Narration, Script, Stage, Timeline, VideoJob, VisualCue
from ytempire.providers.pexels import PexelsClient
from ytempire.settings import Settings
from ytempire.visuals import charts, footage, marks, overlays, slides, text_cues, timeline
from ytempire.visuals.brand import brand_of, caption_face, caption_style
from ytempire.visuals.presets import preset_named
from ytempire.workspace import VideoFolder


def stock_cues(script: Script) -> list[tuple[int, VisualCue]]:
    """(block index, cue) of every stock-footage cue; block 0 is the hook."""
    return [
        (i + 1, cue)
        for i, section in enumerate(script.sections)
        for cue in section.visual_cues
        if cue.kind == "stock_footage"
    ]


@task(
    name="footage-pexels",
    retries=3,
    retry_delay_seconds=0,
    retry_condition_fn=retry_by_error_kind,
    cache_policy=NO_CACHE,
)
def footage_from_pexels(
    job: VideoJob, wants: list[footage.Want], exclude: set[str], settings: Settings
) -> FootageSet:
    key = settings.pexels_api_key.get_secret_value() if settings.pexels_api_key else ""
    store = AnalyticsStore(settings.analytics_url)
    source = footage.PexelsSource(
        lambda: PexelsClient(
            key, endpoint=settings.pexels_api_endpoint, timeout_s=settings.pexels_timeout_s
        ),
        orientation="landscape" if job.aspect.size[0] >= job.aspect.size[1] else "portrait",
        on_call=lambda op, ms: store.record_model_call(
            "pexels", op, latency_ms=ms, tokens_used=0, cost_usd=0.0
        ),
        exclude=exclude,
    )
    folder = VideoFolder(settings.workspace, job.video_id).work / "footage"
    items, notes = footage.find_all(wants, source, folder)
    return FootageSet(engine="pexels", items=items, notes=notes)


@task(name="footage-library", cache_policy=NO_CACHE)
def footage_from_library(
    job: VideoJob, wants: list[footage.Want], exclude: set[str], settings: Settings
) -> FootageSet:
    if settings.asset_library is None:
        return FootageSet(engine="none", items=[None] * len(wants))
    source = footage.LocalLibrary(
        settings.asset_library, orientation=_orientation(job), exclude=exclude
    )
    folder = VideoFolder(settings.workspace, job.video_id).work / "footage" / "library"
    items, notes = footage.find_all(wants, source, folder)
    return FootageSet(engine="library", items=items, notes=notes)


def _orientation(job: VideoJob) -> str:
    return "landscape" if job.aspect.size[0] >= job.aspect.size[1] else "portrait"


def find_footage(
    job: VideoJob, script: Script, narration: Narration, settings: Settings
) -> FootageSet:
    """Pexels (when a key is set), then the asset library, then none; with the channel's
    ``footage_library_first``, the library and then Pexels for the cues it left empty."""
    store = AnalyticsStore(settings.analytics_url)
    wants = footage.wants_for(stock_cues(script), narration)
    exclude = footage_usage.recent(
        store, job.channel, settings.footage_repeat_videos, but=job.video_id
    )

    def pexels(asked: list[footage.Want]) -> list[tuple[str, Callable[[], Any]]]:
        def ask() -> Any:
            return footage_from_pexels(job, asked, exclude, settings, return_state=True)

        return [("pexels", ask)] if settings.pexels_api_key else []

    if job.footage_library_first and settings.asset_library is not None:
        found = footage_from_library(job, wants, exclude, settings)
        empty = [i for i, item in enumerate(found.items) if item is None]
        if empty and settings.pexels_api_key:
            nothing = FootageSet(engine="none", items=[None] * len(empty))
            rest = first_success(pexels([wants[i] for i in empty]), lambda: nothing)
            items = list(found.items)
            for i, item in zip(empty, rest.items, strict=True):
                items[i] = item
            found = found.model_copy(
                update={
                    "engine": f"library+{rest.engine}" if rest.engine != "none" else "library",
                    "items": items,
                    "notes": found.notes + rest.notes,
                    "fallbacks": found.fallbacks + rest.fallbacks,
                }
            )
    else:
        found = first_success(
            pexels(wants), lambda: footage_from_library(job, wants, exclude, settings)
        )
    footage_usage.record(
        store, job.channel, job.video_id, [item.clip_id for item in found.items if item]
    )
    return found


@task(name="build-visuals", cache_policy=NO_CACHE)
def build_visuals(
    job: VideoJob, script: Script, narration: Narration, settings: Settings, run_id: uuid.UUID
) -> Timeline:
    folder = VideoFolder(settings.workspace, job.video_id)
    size = job.aspect.size

    def build() -> Timeline:
        # Every character drawn that no shipped font covers is collected here and recorded
        # on the timeline (the quality check missing_glyphs fails on it).
        with fonts.recording_missing() as missing:
            timeline = draw()
        return timeline.model_copy(update={"missing_glyphs": "".join(sorted(missing))})

    def draw() -> Timeline:
        brand = brand_of(job, settings.fonts_dir)
        preset = preset_named(job.style_preset) if job.style_preset else None
        faces = brand.fonts(settings.fonts_dir, job.language)
        paths = slides.render_slides(
            script.blocks(),
            size,
            folder.work / "slides",
            palette=brand.palette,
            faces=faces,
            language=job.language,
        )
        found = find_footage(job, script, narration, settings) if stock_cues(script) else None
        notes = list(found.fallbacks + found.notes) if found else []
        shots: dict[int, list[timeline.Shot]] = {}
        media = folder.work / "media"
        for (block, cue), item in zip(
            stock_cues(script), found.items if found else [], strict=False
        ):
            if item is None:
                notes.append(f"no footage for {footage.cue_query(cue)!r}")
                continue
            heading = script.blocks()[block].heading
            third = overlays.lower_third(
                cue.text or heading,
                size,
                media / f"third_{block:02d}_{len(shots.get(block, []))}.png",
                label=heading if cue.text else "",
                palette=brand.palette,
                faces=faces,
                language=job.language,
            )
            shots.setdefault(block, []).append(
                timeline.Shot(item.kind, item.path, third, item.start_s)
            )
        for i, section in enumerate(script.sections):
            for k, cue in enumerate(c for c in section.visual_cues if c.kind == "chart"):
                try:
                    chart = charts.render_chart(
                        cue,
                        size,
                        media / f"chart_{i + 1:02d}_{k}.png",
                        palette=brand.palette,
                        faces=faces,
                        language=job.language,
                    )
                except charts.ChartError as exc:
                    notes.append(f"chart in section {i + 1} left out: {one_line(exc)}")
                    continue
                shots.setdefault(i + 1, []).append(timeline.Shot("chart", chart))
        tl = timeline.from_script(
            script,
            narration,
            size,
            paths,
            shots=shots,
            transition=settings.transition,
            transition_s=settings.transition_s,
            pan_pictures=settings.pan_pictures,
            notes=[*brand.notes, *notes],
            preset=preset,
        )
        tl = marks.add(
            tl,
            brand,
            folder.work / "brand",
            intro_s=settings.intro_s if job.intro else 0.0,
            end_s=job.end_screen_s,
            fonts_dir=settings.fonts_dir,
            language=job.language,
        )
        before = len(tl.notes)
        tl = text_cues.add(
            tl,
            script,
            narration,
            lambda text, path: overlays.text_overlay(
                text, size, path, palette=brand.palette, faces=faces, language=job.language
            ),
            media,
        )
        # The captions say every spoken word: their face must cover all of the narration.
        spoken = " ".join(block.text for block in script.blocks())
        captions = caption_face(brand, spoken, settings.fonts_dir, job.language)
        engine = f"pillow+{found.engine}" if found and found.engine != "none" else "pillow"
        return tl.model_copy(
            update={
                "engine": engine,
                # A corrected brand colour or a logo left out is a fallback: never silent.
                # So is a text overlay left out (it shows in the stage table).
                "fallbacks": [
                    *(found.fallbacks if found else []),
                    *brand.notes,
                    *tl.notes[before:],
                ],
                "subtitle_style": caption_style(brand, preset, captions),
                "caption_style": job.caption_style,
                "language": job.language,
            }
        )

    return run_stage(Stage.visuals, run_id, settings, build, folder=folder, output_type=Timeline)
