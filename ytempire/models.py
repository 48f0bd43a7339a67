"""The small pydantic models that move between stages.

Media never travel in these models: they live as files in the video's workspace folder and
the models hold their paths. Every stage output carries the engine that made it and what it
cost, so recording and reporting need no knowledge of the stage.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from datetime import datetime
from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator

MAX_TOPIC_CHARS = 300
WORDS_PER_MINUTE = 150
SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"


class ContentType(StrEnum):
    educational = "educational"
    entertainment = "entertainment"
    news_commentary = "news_commentary"


class VoiceProfile(StrEnum):
    professional_male = "professional_male"
    professional_female = "professional_female"
    energetic_male = "energetic_male"
    calm_female = "calm_female"


class Aspect(StrEnum):
    landscape = "16:9"
    portrait = "9:16"

    @property
    def size(self) -> tuple[int, int]:
        """Output frame size (width, height) in pixels."""
        return (1920, 1080) if self is Aspect.landscape else (1080, 1920)


class Stage(StrEnum):
    """The pipeline's stages, in the order they run."""

    trends = "trends"
    topic = "topic"
    script = "script"
    voice = "voice"
    visuals = "visuals"
    render = "render"
    thumbnails = "thumbnails"
    quality = "quality"
    upload = "upload"
    tracking = "tracking"


def clean_topic(value: str) -> str:
    """Return the topic stripped, or raise ValueError saying what is wrong with it."""
    text = value.strip()
    if not text:
        raise ValueError("must not be empty")
    if len(text) > MAX_TOPIC_CHARS:
        raise ValueError(f"must be at most {MAX_TOPIC_CHARS} characters (got {len(text)})")
    if any(unicodedata.category(ch) == "Cc" for ch in text):
        raise ValueError("must not contain control characters")
    return text


class VideoJob(BaseModel):
    """What one video run is asked to make."""

    model_config = ConfigDict(frozen=True)

    video_id: str = Field(default_factory=lambda: uuid.uuid4().hex, pattern=r"^[0-9a-f]{32}$")
    topic: str | None = None
    minutes: float = Field(default=1.0, gt=0, le=60)
    content_type: ContentType = ContentType.educational
    voice: VoiceProfile = VoiceProfile.professional_male
    channel: str = Field(default="default", pattern=SLUG_PATTERN, max_length=64)
    niche: str | None = Field(default=None, max_length=100, description="the channel's niche")
    aspect: Aspect = Aspect.landscape

    @field_validator("topic")
    @classmethod
    def _topic(cls, value: str | None) -> str | None:
        return None if value is None else clean_topic(value)

    @property
    def target_words(self) -> int:
        return round(self.minutes * WORDS_PER_MINUTE)


class StageOutput(BaseModel):
    """Fields every stage output carries, so the recorder can describe any stage.

    ``fallbacks`` says, one line each, which engines were tried before ``engine`` and why
    they were passed over: a fallback is never silent.
    """

    engine: str
    cost_usd: float = Field(default=0.0, ge=0)
    quality_score: float | None = Field(default=None, ge=0, le=1)
    fallbacks: list[str] = Field(default_factory=list)


class TrendingTopic(BaseModel):
    keyword: str
    score: float
    growth: float
    volume: float
    related: list[str] = Field(default_factory=list)


class TrendReport(StageOutput):
    topics: list[TrendingTopic]


class Topic(StageOutput):
    title: str
    keywords: list[str]
    reason: str


class VisualCue(BaseModel):
    """A hint to the visuals stage; the kinds follow seed §2.3."""

    kind: str = Field(pattern=r"^(stock_footage|text_overlay|chart)$")
    text: str = ""
    keywords: list[str] = Field(default_factory=list)
    data: dict[str, float] = Field(default_factory=dict)
    chart_type: str = "bar"


class Section(BaseModel):
    heading: str
    narration: str
    visual_cues: list[VisualCue] = Field(default_factory=list)


class ScriptBlock(BaseModel):
    """One spoken block of a script, in reading order: the unit slides and chapters follow."""

    kind: str = Field(pattern=r"^(hook|section|summary|cta)$")
    heading: str
    text: str


class Script(StageOutput):
    title: str
    hook: str
    sections: list[Section] = Field(min_length=1)
    summary: str
    cta: str
    tags: list[str] = Field(default_factory=list)
    description: str = ""
    keywords: list[str] = Field(default_factory=list)
    markdown_path: Path

    def blocks(self) -> list[ScriptBlock]:
        """The spoken blocks in order: hook, each section, summary, call to action."""
        return [
            ScriptBlock(kind="hook", heading=self.title, text=self.hook),
            *(
                ScriptBlock(kind="section", heading=s.heading, text=s.narration)
                for s in self.sections
            ),
            ScriptBlock(kind="summary", heading="In short", text=self.summary),
            ScriptBlock(kind="cta", heading="Subscribe", text=self.cta),
        ]

    def spoken_text(self) -> str:
        return "\n\n".join(block.text for block in self.blocks())

    def word_count(self) -> int:
        return len(re.findall(r"[\w'’-]+", self.spoken_text()))


class TimedText(BaseModel):
    """A span of narration and where it sits in the audio, in seconds."""

    text: str
    start: float = Field(ge=0)
    end: float = Field(ge=0)
    block: int = Field(ge=0, description="index into Script.blocks()")


class Narration(StageOutput):
    audio_path: Path
    subtitles_path: Path
    duration_s: float = Field(gt=0)
    sample_rate: int
    sentences: list[TimedText]

    def block_spans(self) -> list[tuple[float, float]]:
        """(start, end) of each script block, from its first and last sentence."""
        spans: dict[int, tuple[float, float]] = {}
        for s in self.sentences:
            start, end = spans.get(s.block, (s.start, s.end))
            spans[s.block] = (min(start, s.start), max(end, s.end))
        return [spans[i] for i in sorted(spans)]


class Slide(BaseModel):
    image_path: Path
    start: float = Field(ge=0)
    end: float = Field(gt=0)
    kind: str

    @property
    def duration(self) -> float:
        return self.end - self.start


class Timeline(StageOutput):
    """Everything the renderer needs: stills with their times, the narration, the frame."""

    width: int
    height: int
    fps: int = 30
    duration_s: float = Field(gt=0)
    slides: list[Slide] = Field(min_length=1)
    audio_path: Path
    subtitles_path: Path | None = None


class MediaInfo(BaseModel):
    """What a rendered file really contains, read back from the container."""

    path: Path
    size_bytes: int
    duration_s: float
    video_codec: str
    video_profile: str | None
    pixel_format: str
    width: int
    height: int
    fps: float
    video_duration_s: float
    video_start_s: float
    bitrate_bps: int
    audio_codec: str | None = None
    audio_profile: str | None = None
    sample_rate: int | None = None
    channels: int | None = None
    audio_duration_s: float | None = None
    audio_start_s: float | None = None

    @property
    def av_offset_ms(self) -> float:
        """How far apart the audio and video streams start, in milliseconds."""
        if self.audio_start_s is None:
            return 0.0
        return abs(self.audio_start_s - self.video_start_s) * 1000


class RenderedVideo(StageOutput):
    path: Path
    encoder: str
    seconds_to_render: float
    info: MediaInfo


class Thumbnail(BaseModel):
    path: Path
    variant: str
    template: str
    title_text: str
    text_box: tuple[int, int, int, int] | None = Field(
        default=None, description="where the overlay text sits (left, top, right, bottom)"
    )


class ThumbnailSet(StageOutput):
    variants: list[Thumbnail] = Field(min_length=1)


class QualityCheck(BaseModel):
    item: str = Field(description="script, voice, video or thumbnail")
    name: str
    value: float | bool | str | None
    passed: bool
    expectation: str


class QualityReport(StageOutput):
    path: Path
    passed: bool
    checks: list[QualityCheck]


class Upload(StageOutput):
    destination: str
    location: str
    published_at: datetime
    already_published: bool = False


class StageRecord(BaseModel):
    """One stage of one run, as the analytics store and the run summary see it."""

    stage: Stage
    status: str = Field(pattern=r"^(completed|failed)$")
    engine: str | None = None
    started_at: datetime
    completed_at: datetime
    cost_usd: float = 0.0
    quality_score: float | None = None
    error: str | None = Field(
        default=None, description="why it failed, or the fallbacks taken before it completed"
    )

    @property
    def duration_ms(self) -> int:
        return round((self.completed_at - self.started_at).total_seconds() * 1000)


class VideoResult(BaseModel):
    """What a finished run hands back: where everything is and how each stage went."""

    job: VideoJob
    run_id: uuid.UUID
    folder: Path
    title: str
    outputs: dict[str, Path]
    stages: list[StageRecord]
    quality_passed: bool

    @property
    def total_cost_usd(self) -> float:
        return sum(r.cost_usd for r in self.stages)
