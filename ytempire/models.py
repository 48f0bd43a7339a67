"""The small pydantic models that move between stages.

Media never travel in these models: they live as files in the video's workspace folder and
the models hold their paths. Every stage output carries the engine that made it and what it
cost, so recording and reporting need no knowledge of the stage.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Literal, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    TypeAdapter,
    ValidationInfo,
    field_validator,
    model_validator,
)

MAX_TOPIC_CHARS = 300
WORDS_PER_MINUTE = 150
SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
HEX_COLOUR = r"^#[0-9A-Fa-f]{6}$"
# A YouTube channel id: UC and 22 characters of URL-safe base64.
YOUTUBE_CHANNEL_ID = r"^UC[0-9A-Za-z_-]{22}$"
# A channel's style, tone and audience are each one line of a prompt.
MAX_PROFILE_CHARS = 200
MAX_BRAND_COLOURS = 5
# What a job without a channel profile asks for (``PromptParams`` reads the same values).
DEFAULT_STYLE = "clear, friendly explainer with concrete examples"
DEFAULT_TONE = "conversational"
DEFAULT_AUDIENCE = "curious adults who are new to the subject"
# The default palette's colours (``visuals.palette.DEFAULT_PALETTE``), in brand-list order:
# background, accent, text, second background, muted text.
DEFAULT_BRAND_COLOURS = ("#0b132b", "#ffb703", "#f8fafc", "#1c315e", "#becbde")
# Style presets a channel may pick (``visuals.presets`` defines each); None: the house look.
StylePresetName = Literal["calm-explainer", "fast-cuts", "data-story"]
STYLE_PRESETS: tuple[str, ...] = get_args(StylePresetName)
# Word-by-word caption styles (ytempire.media.subtitles.CAPTION_STYLES).
CaptionStyleName = Literal["clean", "bold-pop", "karaoke"]
# An end screen lasts 5-20 s (YouTube's end-screen elements need at least 5 s); 0: none.
END_SCREEN_S = (5.0, 20.0)


class ContentType(StrEnum):
    educational = "educational"
    entertainment = "entertainment"
    news_commentary = "news_commentary"


class VoiceProfile(StrEnum):
    professional_male = "professional_male"
    professional_female = "professional_female"
    energetic_male = "energetic_male"
    calm_female = "calm_female"


class VoiceConsent(BaseModel):
    """The speaker's consent to have their voice cloned: what they agreed to, who, when."""

    model_config = ConfigDict(frozen=True)

    statement: str = Field(min_length=10, max_length=2000, description="what they agreed to")
    given_by: str = Field(min_length=1, max_length=100, description="who consented")
    given_on: date = Field(description="when they consented")

    @field_validator("given_on")
    @classmethod
    def _not_future(cls, value: date) -> date:
        if value > date.today():
            raise ValueError("consent cannot be dated in the future")
        return value


CLONING_NEEDS_CONSENT = (
    "voice_samples: a voice is cloned only with its speaker's consent "
    "(voice_consent: statement, given_by, given_on)"
)


class ClonedVoice(BaseModel):
    """A channel's voice cloned on ElevenLabs from its samples (``ytempire.voice.cloning``)."""

    model_config = ConfigDict(frozen=True)

    voice_id: str = Field(min_length=1, max_length=100)
    samples_sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="of the samples used")
    created_at: datetime


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


def clean_line(value: str, max_chars: int) -> str:
    """Return ``value`` stripped, or raise ValueError saying why it is not one short line."""
    text = value.strip()
    if not text:
        raise ValueError("must not be empty")
    if len(text) > max_chars:
        raise ValueError(f"must be at most {max_chars} characters (got {len(text)})")
    if any(unicodedata.category(ch) == "Cc" for ch in text):
        raise ValueError("must not contain control characters")
    return text


def end_screen_length(value: float) -> float:
    """``value`` if it is an end screen's length (5-20 s) or 0, else ValueError."""
    low, high = END_SCREEN_S
    if value and not low <= value <= high:
        raise ValueError(f"an end screen lasts {low:g}-{high:g} s, or 0 for none")
    return value


def clean_topic(value: str) -> str:
    """Return the topic stripped, or raise ValueError saying what is wrong with it."""
    return clean_line(value, MAX_TOPIC_CHARS)


class VideoJob(BaseModel):
    """What one video run is asked to make."""

    model_config = ConfigDict(frozen=True)

    video_id: str = Field(default_factory=lambda: uuid.uuid4().hex, pattern=r"^[0-9a-f]{32}$")
    topic: str | None = None
    minutes: float = Field(default=1.0, gt=0, le=60)
    content_type: ContentType = ContentType.educational
    voice: VoiceProfile = VoiceProfile.professional_male
    language: str = Field(
        default="en", description="BCP-47 tag of everything the viewer reads and hears"
    )
    translation_of: str | None = Field(
        default=None,
        pattern=r"^[0-9a-f]{32}$",
        description="the video id whose script this video tells in ``language``",
    )
    translations: tuple[tuple[str, str], ...] = Field(
        default=(),
        description="the same video in other languages: (language, video id) pairs, "
        "linked in metadata.json (ytempire.translations)",
    )
    accent: str | None = Field(
        default=None,
        description="BCP-47 locale of the voices' accent (``en-GB``, ``es-MX``, ``es-419``) "
        "in ``language``; None: the language's default voices",
    )
    speakers: tuple[tuple[str, VoiceProfile], ...] = Field(
        default=(),
        max_length=2,
        description="a dialogue's speakers (name, voice profile); empty: one narrator",
    )
    # The channel's own voice, cloned on ElevenLabs (docs/voice.md): never without consent.
    voice_samples: tuple[Path, ...] = Field(
        default=(), description="recordings of the channel's voice, to clone on ElevenLabs"
    )
    voice_consent: VoiceConsent | None = Field(
        default=None, description="the speaker's consent to clone voice_samples"
    )
    cloned_voice: ClonedVoice | None = Field(
        default=None, description="the clone the channel profile keeps (made once)"
    )
    channel: str = Field(default="default", pattern=SLUG_PATTERN, max_length=64)
    niche: str | None = Field(default=None, max_length=100, description="the channel's niche")
    aspect: Aspect = Aspect.landscape
    privacy: str | None = Field(
        default=None,
        pattern=r"^(private|unlisted|public)$",
        description="YouTube privacyStatus (the channel's); None: the youtube_privacy setting",
    )
    publish_at: datetime | None = Field(
        default=None, description="schedule the YouTube release (uploaded private until then)"
    )
    # The channel's YouTube identity, by name only (never a secret): docs/publishing.md.
    youtube_credentials: str | None = Field(
        default=None, min_length=1, description="the channel's YouTubeCredentials block"
    )
    youtube_channel_id: str | None = Field(
        default=None, pattern=YOUTUBE_CHANNEL_ID, description="the YouTube channel it expects"
    )
    style: str = Field(default=DEFAULT_STYLE, description="the channel's style")
    tone: str = Field(default=DEFAULT_TONE, description="how the narration sounds")
    audience: str = Field(default=DEFAULT_AUDIENCE, description="who the video is for")
    brand_colours: tuple[Annotated[str, StringConstraints(pattern=HEX_COLOUR)], ...] = Field(
        default=DEFAULT_BRAND_COLOURS,
        min_length=1,
        max_length=MAX_BRAND_COLOURS,
        description="#rrggbb: background, accent, text, second background, muted text "
        "(those left out are derived: visuals.palette.Palette.from_brand)",
    )
    critical_checks: tuple[str, ...] | None = Field(
        default=None,
        description="quality checks whose failure holds the upload (the channel's); None: "
        'those the suites mark ``"critical": true`` (docs/quality.md)',
    )
    publish_template_scripts: bool = Field(
        default=False,
        description="whether a script the offline template writer wrote may be published "
        "without an operator's release (the channel's); held by default",
    )
    footage_library_first: bool = Field(
        default=False, description="look in the asset library before Pexels (the channel's)"
    )
    # How the channel looks on screen (docs/branding.md).
    style_preset: StylePresetName | None = Field(
        default=None, description="pacing and caption style; None: the house look"
    )
    caption_style: CaptionStyleName = Field(
        default="clean", description="word-by-word captions: clean, bold-pop or karaoke"
    )
    max_pause_s: float = Field(
        default=0.2, gt=0, le=3, description="longer pauses in the narration are shortened"
    )
    heading_font: str | None = Field(
        default=None, min_length=1, max_length=100, description="font file name for headings"
    )
    body_font: str | None = Field(
        default=None, min_length=1, max_length=100, description="font file name for body text"
    )
    logo: Path | None = Field(default=None, description="PNG with transparency: a watermark")
    logo_opacity: float = Field(default=0.6, gt=0, le=1, description="the watermark's opacity")
    intro: bool = Field(default=False, description="open on a card with the name and logo")
    end_screen_s: float = Field(
        default=0.0, ge=0, le=END_SCREEN_S[1], description="end screen length, 5-20 s; 0: none"
    )

    experiments: tuple[tuple[str, str], ...] = Field(
        default=(), description="(experiment, arm) pairs (ytempire.learning.experiments)"
    )

    @field_validator("end_screen_s")
    @classmethod
    def _end_screen(cls, value: float) -> float:
        return end_screen_length(value)

    @field_validator("topic")
    @classmethod
    def _topic(cls, value: str | None) -> str | None:
        return None if value is None else clean_topic(value)

    @field_validator("style", "tone", "audience")
    @classmethod
    def _profile_line(cls, value: str) -> str:
        return clean_line(value, MAX_PROFILE_CHARS)

    @field_validator("language")
    @classmethod
    def _language(cls, value: str) -> str:
        from ytempire.language import check_tag

        return check_tag(value)

    @field_validator("accent")
    @classmethod
    def _accent(cls, value: str | None, info: ValidationInfo) -> str | None:
        from ytempire.language import LanguageError, language

        if value is None:
            return None
        accent = language(value)
        spoken = info.data.get("language")
        if spoken and accent.code != language(spoken).code:
            raise LanguageError(f"accent {accent.tag!r} is not an accent of language {spoken!r}")
        return accent.tag

    @model_validator(mode="after")
    def _consented(self) -> VideoJob:
        if self.voice_samples and self.voice_consent is None:
            raise ValueError(CLONING_NEEDS_CONSENT)
        return self

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


class Delivery(StrEnum):
    """How a block or turn is said (ElevenLabs voice settings, Google SSML prosody)."""

    calm = "calm"
    excited = "excited"
    serious = "serious"
    whisper = "whisper"


class Turn(BaseModel):
    """One speaker's turn in a dialogue section."""

    speaker: str = Field(min_length=1, max_length=40)
    text: str = Field(min_length=1)
    delivery: Delivery | None = None


class Section(BaseModel):
    heading: str
    narration: str
    visual_cues: list[VisualCue] = Field(default_factory=list)
    delivery: Delivery | None = None
    # A dialogue section: its turns in order; ``narration`` is then their texts joined.
    turns: list[Turn] = Field(default_factory=list)


class ScriptBlock(BaseModel):
    """One spoken block of a script, in reading order: the unit slides and chapters follow."""

    kind: str = Field(pattern=r"^(hook|section|summary|cta)$")
    heading: str
    text: str
    delivery: Delivery | None = None
    turns: list[Turn] = Field(default_factory=list)


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
    language: str = Field(default="en", description="BCP-47 tag the script is written in")
    summary_heading: str = "In short"
    cta_heading: str = "Subscribe"
    hook_delivery: Delivery | None = None
    summary_delivery: Delivery | None = None

    def blocks(self) -> list[ScriptBlock]:
        """The spoken blocks in order: hook, each section, summary, call to action."""
        return [
            ScriptBlock(
                kind="hook", heading=self.title, text=self.hook, delivery=self.hook_delivery
            ),
            *(
                ScriptBlock(
                    kind="section",
                    heading=s.heading,
                    text=s.narration,
                    delivery=s.delivery,
                    turns=s.turns,
                )
                for s in self.sections
            ),
            ScriptBlock(
                kind="summary",
                heading=self.summary_heading,
                text=self.summary,
                delivery=self.summary_delivery,
            ),
            ScriptBlock(kind="cta", heading=self.cta_heading, text=self.cta),
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
    speaker: str | None = Field(default=None, description="who says it, in a dialogue")


# A words.json file: the narration's word timings.
TIMED_TEXTS = TypeAdapter(list[TimedText])


class Synthesis(StageOutput):
    """A TTS engine's raw speech for a whole script, before mastering.

    ``sentences`` (and ``words``, where the engine gives word timings) are seconds into
    ``audio_path``, a 16-bit mono WAV at the engine's rate. ``characters`` is what the
    provider bills (characters sent), so ``cost_usd`` is characters times its price.
    """

    audio_path: Path
    sample_rate: int = Field(gt=0)
    duration_s: float = Field(gt=0)
    sentences: list[TimedText]
    words: list[TimedText] = Field(default_factory=list)
    characters: int = Field(default=0, ge=0)
    requests: int = Field(default=0, ge=0, description="chunks sent to the provider")


class Narration(StageOutput):
    """The voice stage's output: the final (mastered) audio the renderer muxes, with timings.

    ``audio_path`` is the master: 48 kHz stereo, silence trimmed, normalised, with the music
    bed mixed in when one was configured; every timing is seconds into it.
    """

    audio_path: Path
    subtitles_path: Path
    duration_s: float = Field(gt=0)
    sample_rate: int
    sentences: list[TimedText]
    words: list[TimedText] = Field(
        default_factory=list, description="word timings, where the engine gives them"
    )
    words_path: Path | None = Field(default=None, description="``words``, as words.json")
    raw_audio_path: Path | None = Field(default=None, description="the engine's unmastered WAV")
    voice_path: Path | None = Field(
        default=None, description="the mastered voice without music (None: audio_path is it)"
    )
    music_path: Path | None = Field(default=None, description="the track mixed under the voice")
    loudness_lufs: float | None = Field(default=None, description="integrated loudness (BS.1770)")
    true_peak_dbtp: float | None = None
    characters: int = Field(default=0, ge=0, description="characters the provider billed")

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


TRANSITION_KINDS = (
    "cut",
    "fade",
    "fadeblack",
    "dissolve",
    "wipeleft",
    "wiperight",
    "slideleft",
    "slideup",
    "circleopen",
    "smoothleft",
)


class Pan(BaseModel):
    """A slow move across a still: the picture is scaled ``zoom`` times the frame (covering
    it) and the visible window travels from ``start`` to ``end``, each an (x, y) position in
    the free margin (0 = left/top edge, 1 = right/bottom edge), over the still's whole time
    on screen."""

    start: tuple[float, float] = (0.0, 0.5)
    end: tuple[float, float] = (1.0, 0.5)
    zoom: float = Field(default=1.08, ge=1.0, le=1.5)

    @field_validator("start", "end")
    @classmethod
    def _inside(cls, value: tuple[float, float]) -> tuple[float, float]:
        if not all(0.0 <= v <= 1.0 for v in value):
            raise ValueError(f"pan positions are fractions 0..1, got {value}")
        return value


class Transition(BaseModel):
    """How a segment replaces the one before it, centred on the cut point."""

    kind: str = "fade"
    duration_s: float = Field(default=0.5, ge=0, le=3)

    @field_validator("kind")
    @classmethod
    def _known(cls, value: str) -> str:
        if value not in TRANSITION_KINDS:
            raise ValueError(f"unknown transition {value!r}; expected one of {TRANSITION_KINDS}")
        return value


class Overlay(BaseModel):
    """A transparent full-frame picture (text overlay, lower third) laid over a segment from
    ``start`` to ``end`` seconds of the video."""

    kind: str = Field(pattern=r"^(text|lower_third|chart_label|logo)$")
    image_path: Path
    start: float = Field(ge=0)
    end: float = Field(gt=0)


class Segment(BaseModel):
    """One stretch of picture: a still (slide, photo, chart) or a video clip.

    ``start``/``end`` are seconds of the video; a clip plays from ``clip_start_s`` of its
    file, scaled to cover the frame (rotation applied), and holds its last frame if it is
    shorter than the segment.
    """

    kind: str = Field(pattern=r"^(still|clip|chart)$")
    path: Path
    start: float = Field(ge=0)
    end: float = Field(gt=0)
    label: str = ""
    pan: Pan | None = None
    transition: Transition | None = Field(
        default=None, description="into this segment from the one before; None is a cut"
    )
    overlays: list[Overlay] = Field(default_factory=list)
    clip_start_s: float = Field(default=0.0, ge=0)
    fit: str = Field(default="contain", pattern=r"^(contain|cover)$")

    @property
    def duration(self) -> float:
        return self.end - self.start


class Timeline(StageOutput):
    """Everything the renderer needs: stills with their times, the narration, the frame.

    ``slides`` are the script's cards, one per block (thumbnails start from them).
    ``segments`` are what is on screen, in order; when empty, the slides are shown as they
    are, cut to cut. ``notes`` records what the visuals stage left out and why (an
    unreadable clip, a chart without data).
    """

    width: int
    height: int
    fps: int = 30
    duration_s: float = Field(gt=0)
    slides: list[Slide] = Field(min_length=1)
    audio_path: Path
    subtitles_path: Path | None = None
    segments: list[Segment] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
    subtitle_style: str = Field(
        default="", description="ASS style fields of the burned captions (the brand's)"
    )
    words_path: Path | None = Field(
        default=None,
        description="the narration's word timings (words.json): captions go word by word; "
        "a file, not a list, since a long video's words would outgrow a flow run's parameters",
    )
    caption_style: CaptionStyleName = Field(
        default="clean", description="how word-by-word captions look"
    )
    language: str = Field(
        default="en", description="the BCP-47 tag the captions are set for (line breaks, face)"
    )
    missing_glyphs: str = Field(
        default="",
        description="characters of the drawn text (cards, overlays, charts, captions) that no "
        "shipped font covers; the quality check missing_glyphs fails on any",
    )

    def word_timings(self) -> list[TimedText]:
        """The words of ``words_path`` with their times; none without one."""
        if self.words_path is None:
            return []
        return TIMED_TEXTS.validate_json(self.words_path.read_bytes())

    def shown(self) -> list[Segment]:
        """The segments to render: ``segments``, or the slides as still segments."""
        if self.segments:
            return sorted(self.segments, key=lambda s: s.start)
        return [
            Segment(kind="still", path=s.image_path, start=s.start, end=s.end, label=s.kind)
            for s in sorted(self.slides, key=lambda s: s.start)
        ]


class Footage(BaseModel):
    """A stock clip or picture found for a visual cue, saved in the video folder."""

    path: Path
    kind: str = Field(pattern=r"^(clip|photo)$")
    source: str = Field(description="pexels, library, ...")
    keywords: list[str] = Field(default_factory=list)
    credit: str = ""
    clip_id: str = Field(default="", description="the source's id: never repeated on a channel")
    start_s: float = Field(default=0.0, ge=0, description="a clip's liveliest stretch starts here")


class FootageSet(StageOutput):
    """Footage per stock-footage cue, in cue order (None where nothing was found)."""

    items: list[Footage | None] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)


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
    colour: tuple[int, int, int] | None = Field(
        default=None,
        description="the video's colour description as ITU-T H.273 codes: matrix, "
        "primaries, transfer; (1, 1, 1) is BT.709, 2 means unspecified",
    )

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
    encoded_frames: int | None = Field(
        default=None, description="pictures the encoder coded; the rest are skip frames"
    )
    notes: list[str] = Field(default_factory=list)


class Thumbnail(BaseModel):
    path: Path
    variant: str
    template: str
    title_text: str
    text_box: tuple[int, int, int, int] | None = Field(
        default=None, description="where the overlay text sits (left, top, right, bottom)"
    )
    background: str | None = Field(
        default=None, description="what fills the frame: generated, key-frame or brand-art"
    )
    key_frame: Path | None = Field(default=None, description="the video frame it shows, if any")
    faces: int | None = Field(default=None, ge=0, description="faces found in the finished image")
    text_contrast_ratio: float | None = Field(default=None, ge=1, le=21)
    predicted_ctr: float | None = Field(
        default=None, ge=0, le=1, description="the CTR heuristic's estimate (quality/ctr.py)"
    )
    ctr_factors: dict[str, float] = Field(
        default_factory=dict, description="each heuristic factor's 0..1 score"
    )


class ThumbnailSet(StageOutput):
    # Ranked: the highest predicted CTR first, so variants[0] is what an uploader sets.
    variants: list[Thumbnail] = Field(min_length=1)
    missing_glyphs: str = Field(
        default="", description="characters of the overlay texts that no shipped font covers"
    )

    @property
    def primary(self) -> Thumbnail:
        """The variant to upload: the best predicted click-through rate."""
        return self.variants[0]

    @property
    def alternatives(self) -> list[Thumbnail]:
        """The other variants, for A/B tests, best first."""
        return self.variants[1:]


class QualityCheck(BaseModel):
    """One expectation of a quality suite on one item (quality_suites/, docs/quality.md)."""

    item: str = Field(description="script, voice, video or thumbnail:<variant>")
    name: str
    value: float | bool | str | None
    passed: bool
    expectation: str
    gated: bool = Field(default=True, description="False: informational, not in the score")
    critical: bool = Field(
        default=False, description="its failure holds the upload (the suite's meta)"
    )
    recommendation: str | None = Field(default=None, description="what to do, when it failed")
    skipped: str | None = Field(
        default=None,
        description="why it did not apply (e.g. not measured for the language); "
        "a skipped check is neither passed nor gated",
    )

    def line(self) -> str:
        """``item name = value (expected …): recommendation``, for lists of failures;
        ``item name skipped: reason`` for a check that did not apply."""
        if self.skipped:
            return f"{self.item} {self.name} skipped: {self.skipped}"
        value = f"{self.value:.4g}" if isinstance(self.value, float) else self.value
        text = f"{self.item} {self.name} = {value} (expected {self.expectation})"
        return f"{text}: {self.recommendation}" if self.recommendation else text


class QualityReport(StageOutput):
    """The quality stage's verdict: ``passed`` when every gated check passed, and
    ``quality_score`` the share of gated checks that did."""

    path: Path
    passed: bool
    checks: list[QualityCheck]
    failures: list[str] = Field(
        default_factory=list, description="one line per failed gated check, with what to do"
    )
    recorded: dict[str, dict[str, float | int | str | None]] = Field(
        default_factory=dict, description="per item, measurements kept but not gated"
    )


class Upload(StageOutput):
    destination: str
    location: str
    published_at: datetime
    already_published: bool = False
    youtube_video_id: str | None = Field(default=None, description="set when it went to YouTube")
    privacy_status: str | None = None
    publish_at: datetime | None = None
    held: str | None = Field(
        default=None,
        description="why the gate held it in the outbox (destination held or rejected; "
        "published_at is then when it was put there)",
    )


class StageRecord(BaseModel):
    """One stage of one run, as the analytics store and the run summary see it."""

    stage: Stage
    status: str = Field(
        pattern=r"^(completed|failed|resumed)$",
        description="resumed: served from the stage's checkpoint, nothing spent (checkpoints.py)",
    )
    engine: str | None = None
    started_at: datetime
    completed_at: datetime
    cost_usd: float = 0.0
    quality_score: float | None = None
    error: str | None = Field(
        default=None, description="why it failed, or the fallbacks taken before it completed"
    )
    error_kind: str | None = Field(
        default=None,
        description="the error kind (ytempire.resilience.errors.ErrorKind, or 'other') of a "
        "failure, or of the first engine passed over before it completed",
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
    upload: Upload | None = Field(default=None, description="where it went, or why it is held")
    video_cost_usd: float | None = Field(
        default=None, description="the video's cost across all its runs (its cost ledger)"
    )

    @property
    def total_cost_usd(self) -> float:
        """The video's cost (all runs: the ledger) when known, else this run's stages'."""
        if self.video_cost_usd is not None:
            return self.video_cost_usd
        return sum(r.cost_usd for r in self.stages)
