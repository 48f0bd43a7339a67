"""Planning a day of videos: which channel makes which video, within budgets and quota.

Pure: :func:`plan_day` takes the channel profiles, each channel's candidate topics, what the
day may still spend and a cost estimate per video, and returns the plan with a reason for
every video left out. Nothing here calls a provider or Prefect.

- Slots are filled round-robin (every channel's first video before any channel's second), so
  a tight budget spreads over the channels instead of starving the last ones.
- Each video's id is derived from (date, channel, slot): a re-run of the same date finds the
  same folders and resumes them (``ytempire.checkpoints``).
- A channel with several ``languages`` makes each slot's video in all of them: the slot's job
  is the first language's, ``translations`` the others' (``ytempire.translations``), made
  after it; the slot's estimate and quota count them all.
- Videos an earlier run of the date planned keep their job (and topic): trends move during a
  day, and a half-made video must not change subject. They are never dropped, and their
  whole estimate still counts against the budgets (conservative: part of it is already in
  today's spend).
- A video is dropped when its estimated spend at a provider exceeds what that provider's
  daily budget has left, or when its upload would exceed the day's YouTube quota. An
  estimate over the per-video budget only notes it: the pipeline falls back to cheaper
  engines when a video's budget runs out, so the video still gets made.
- YouTube quota: an upload costs what the Data API charges (videos.insert, captions.insert
  and thumbnails.set: ``ytempire.publish.youtube.QUOTA_UNITS``). The outbox
  spends no quota, so the quota drops videos only when uploads go to YouTube; with the
  outbox the plan still counts the units the day would need.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError

from ytempire.analytics import views
from ytempire.analytics.store import AnalyticsStore
from ytempire.channels import Channel, field_error
from ytempire.models import Topic, TrendReport, VideoJob
from ytempire.providers import catalog
from ytempire.providers.dalle import price_usd
from ytempire.publish import youtube
from ytempire.resilience.budgets import spent_by_provider
from ytempire.script import llm_writer
from ytempire.script.prompts import PromptParams
from ytempire.settings import Settings
from ytempire.trends import select
from ytempire.visuals.thumbnails import GENERATED_LAYOUTS
from ytempire.voice import elevenlabs_tts, google_tts
from ytempire.workspace import write_json

# Narration characters per script word (a word and its space, punctuation): what TTS bills.
CHARS_PER_WORD = 6
# Fixed so that ids are the same on every machine and in every release.
_VIDEO_IDS = uuid.UUID("6f3c2a1e-7b4d-5e8f-9a0b-1c2d3e4f5a6b")


def video_id_for(day: date, channel: str, slot: int) -> str:
    """The video id of ``channel``'s ``slot``-th video on ``day``: the same on every run."""
    return uuid.uuid5(_VIDEO_IDS, f"{day.isoformat()}/{channel}/{slot}").hex


class Budgets(BaseModel):
    """What the day may still spend, per provider, and the upload quota."""

    per_video_usd: float = Field(ge=0)
    provider_daily_usd: float = Field(ge=0, description="a provider's budget unless listed")
    provider_budgets_usd: dict[str, float] = Field(default_factory=dict)
    spent_today_usd: dict[str, float] = Field(default_factory=dict)
    quota_units_per_day: int = Field(ge=0)
    quota_enforced: bool = Field(description="uploads go to YouTube (the outbox spends none)")

    def left(self, provider: str) -> float:
        budget = self.provider_budgets_usd.get(provider, self.provider_daily_usd)
        return budget - self.spent_today_usd.get(provider, 0.0)


class PlannedVideo(BaseModel):
    """One video of the day: its job, why its topic, and what it is expected to use."""

    job: VideoJob
    slot: int = Field(ge=0)
    topic_reason: str
    estimate_usd: dict[str, float] = Field(description="expected spend per provider")
    quota_units: int = Field(ge=0)
    notes: list[str] = Field(default_factory=list)
    translations: list[VideoJob] = Field(
        default_factory=list,
        description="the same video in the channel's other languages, made after ``job``",
    )

    @property
    def estimate_total_usd(self) -> float:
        return sum(self.estimate_usd.values())

    def in_languages(self) -> list[PlannedVideo]:
        """This video, then each of its translations as a planned video of the same slot."""
        versions = (
            self.model_copy(update={"job": job, "translations": []}) for job in self.translations
        )
        return [self, *versions]


class DroppedVideo(BaseModel):
    channel: str
    slot: int
    reason: str


class BatchPlan(BaseModel):
    day: date
    channels_source: str = Field(description="where the profiles came from")
    videos: list[PlannedVideo] = Field(default_factory=list)
    dropped: list[DroppedVideo] = Field(default_factory=list)
    quota_units_per_day: int
    quota_enforced: bool

    @property
    def quota_units(self) -> int:
        return sum(v.quota_units for v in self.videos)


def topic_candidates(
    report: TrendReport, produced: set[str], count: int, tag: str = "en"
) -> list[Topic]:
    """Up to ``count`` distinct topics from ``report``, best first, none in ``produced``;
    their keywords in ``tag``'s language."""
    taken = set(produced)
    topics: list[Topic] = []
    while len(topics) < count:
        try:
            topic = select.select(report, None, taken, tag)
        except select.NoTopicError:
            break
        topics.append(topic)
        taken.add(topic.title.lower())
    return topics


def plan_day(
    day: date,
    channels: Sequence[Channel],
    topics: Mapping[str, Sequence[Topic]],
    budgets: Budgets,
    estimate: Callable[[VideoJob], Mapping[str, float]],
    *,
    channels_source: str,
    videos_per_channel: int | None = None,
    earlier: Sequence[PlannedVideo] = (),
) -> BatchPlan:
    """The day's videos (see the module docstring for the rules), each with a reason when
    left out. ``topics`` gives each channel's candidates, best first, already without the
    topics it has produced; ``videos_per_channel`` overrides the profiles' ``videos_per_day``.
    """
    kept = {(v.job.channel, v.slot): v for v in earlier}
    profiles = {c.name: c for c in channels}
    spent: dict[str, float] = {}
    units = 0
    plan = BatchPlan(
        day=day,
        channels_source=channels_source,
        quota_units_per_day=budgets.quota_units_per_day,
        quota_enforced=budgets.quota_enforced,
    )
    # An earlier run's topics stay with their slots; new slots take the other candidates.
    planned_topics = {v.job.topic.lower() for v in earlier if v.job.topic}
    unused = {
        c.name: [t for t in topics.get(c.name, []) if t.title.lower() not in planned_topics]
        for c in channels
    }
    slots = {
        c.name: c.videos_per_day if videos_per_channel is None else videos_per_channel
        for c in channels
    }
    for slot in range(max(slots.values(), default=0)):
        for channel in channels:
            if slot >= slots[channel.name]:
                continue
            video = kept.get((channel.name, slot))
            if video is None:
                if not unused[channel.name]:
                    plan.dropped.append(
                        DroppedVideo(
                            channel=channel.name,
                            slot=slot,
                            reason=f"no trending topic left in {channel.niche!r} "
                            "that the channel has not produced",
                        )
                    )
                    continue
                video = _new_video(
                    day, channel, slot, unused[channel.name][0], budgets, estimate, profiles
                )
                why = _over_budget(video, budgets, spent, units)
                if why:
                    plan.dropped.append(DroppedVideo(channel=channel.name, slot=slot, reason=why))
                    continue
                unused[channel.name].pop(0)
            for provider, usd in video.estimate_usd.items():
                spent[provider] = spent.get(provider, 0.0) + usd
            units += video.quota_units
            plan.videos.append(video)
    return plan


def _new_video(
    day: date,
    channel: Channel,
    slot: int,
    topic: Topic,
    budgets: Budgets,
    estimate: Callable[[VideoJob], Mapping[str, float]],
    profiles: Mapping[str, Channel],
) -> PlannedVideo:
    job, *translations = channel.jobs(video_id_for(day, channel.name, slot), topic.title, profiles)
    costs: dict[str, float] = {}
    for each in (job, *translations):
        for provider, usd in estimate(each).items():
            costs[provider] = costs.get(provider, 0.0) + usd
    video = PlannedVideo(
        job=job,
        slot=slot,
        topic_reason=topic.reason,
        estimate_usd={p: round(usd, 6) for p, usd in costs.items() if usd > 0},
        quota_units=youtube.UNITS_PER_VIDEO * (1 + len(translations)),
        translations=translations,
    )
    if video.estimate_total_usd > budgets.per_video_usd:
        video.notes.append(
            f"estimated ${video.estimate_total_usd:.2f} is over the "
            f"${budgets.per_video_usd:.2f} per-video budget: cheaper engines will take over"
        )
    return video


def _over_budget(
    video: PlannedVideo, budgets: Budgets, spent: Mapping[str, float], units: int
) -> str | None:
    """Why ``video`` does not fit what is left of the day, or None when it does."""
    for provider, usd in sorted(video.estimate_usd.items()):
        left = budgets.left(provider) - spent.get(provider, 0.0)
        if usd > left:
            return (
                f"{provider} daily budget: ${max(left, 0):.2f} left, "
                f"this video needs about ${usd:.2f}"
            )
    if budgets.quota_enforced:
        left_units = budgets.quota_units_per_day - units
        if video.quota_units > left_units:
            return (
                f"YouTube quota: {max(left_units, 0):,} of {budgets.quota_units_per_day:,} "
                f"units left, an upload needs {video.quota_units:,}"
            )
    return None


def estimate_costs(job: VideoJob, settings: Settings) -> dict[str, float]:
    """What one video is expected to spend per provider with the engines ``settings`` set up.

    Conservative where it must guess: the script costs one full attempt of the first model
    the router would try (prompt estimate plus the completion cap), the narration is billed
    at ``CHARS_PER_WORD`` characters per target word on the first configured voice engine,
    and thumbnails ask for every generated layout.
    """
    costs: dict[str, float] = {}
    topic = Topic(engine="requested", title=job.topic or "", keywords=[], reason="")
    params = PromptParams.for_job(job)
    models, _ = llm_writer.models_to_try(job, topic, params, settings)
    if models:
        first = models[0]
        costs["openai"] = catalog.cost_usd(
            first, *llm_writer.token_budget(job, topic, params, first)
        )
    characters = job.target_words * CHARS_PER_WORD
    if settings.elevenlabs_api_key:
        costs["elevenlabs"] = characters / 1000 * elevenlabs_tts.PRICE_PER_1K_CHARS
    elif settings.google_tts_configured:
        costs["google"] = characters / 1000 * google_tts.PRICE_PER_1K_CHARS
    if settings.images_configured and settings.thumbnail_image_model:
        image = price_usd(
            settings.thumbnail_image_model,
            settings.thumbnail_image_quality,
            settings.thumbnail_image_size,
        )
        costs["openai"] = costs.get("openai", 0.0) + image * len(GENERATED_LAYOUTS)
    return costs


def budgets_for(settings: Settings, store: AnalyticsStore, day: date) -> Budgets:
    """The settings' budgets, less what each provider has been charged on ``day`` (UTC)."""
    start = datetime.combine(day, time(), tzinfo=UTC)
    spent = spent_by_provider(store, views.Window(start, start + timedelta(days=1)))
    return Budgets(
        per_video_usd=settings.video_budget_usd,
        provider_daily_usd=settings.provider_daily_budget_usd,
        provider_budgets_usd=settings.provider_budgets_usd,
        spent_today_usd=spent,
        quota_units_per_day=settings.youtube_quota_units_per_day,
        quota_enforced=youtube.oauth_from(settings) is not None,
    )


def plan_path(workspace: Path, day: date) -> Path:
    """Where the day's planned videos are kept, so a re-run keeps their jobs."""
    return workspace / "batches" / f"{day.isoformat()}.json"


class PlannedDay(BaseModel):
    """Every video ever planned for a day, by any run of its batch."""

    videos: list[PlannedVideo] = Field(default_factory=list)


def read_planned(workspace: Path, day: date) -> list[PlannedVideo]:
    """The videos earlier runs planned for ``day`` (none when there were none)."""
    path = plan_path(workspace, day)
    try:
        return PlannedDay.model_validate_json(path.read_bytes()).videos
    except FileNotFoundError:
        return []
    except ValidationError as exc:
        raise ValueError(f"{path}: not a day's plan ({field_error(exc)})") from None


def keep_planned(workspace: Path, plan: BatchPlan, earlier: Sequence[PlannedVideo]) -> Path:
    """Add the plan's videos to the day's record (atomically); return its path."""
    merged = {v.job.video_id: v for v in earlier} | {v.job.video_id: v for v in plan.videos}
    return write_json(plan_path(workspace, plan.day), PlannedDay(videos=list(merged.values())))
