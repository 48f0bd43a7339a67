"""The prompts a chat model gets for a script: seed §2.1's templates in seed §3.2's frame.

The system message is the role. The user message holds, in this order: context (channel,
topic, keywords), instructions (the seed's template for the content type, every parameter
filled), constraints (what the quality score checks, spelled out), the exact JSON output
format, and one short example. An improvement request replays the previous draft as the
assistant's turn and answers it with the checks it failed.

Every text is a prompt file (``ytempire/data/prompts``), sent as the version an alias of
MLflow's prompt registry points at (``PromptParams.from_registry``; ``ytempire.learning.prompts``).

Everything is asked in the job's language (``languages.prompt_name``: "Spanish", "Portuguese as
spoken in Brazil (pt-BR)"), its length in the language's unit (characters for Japanese). A job
with two speakers and a story-telling content type (``is_dialogue``) asks for each section as
the speakers' alternating turns (the ``script-dialogue`` prompt).
"""

from __future__ import annotations

import json

from pydantic import BaseModel, Field

from ytempire.learning.prompts import file_prompt, load_prompts, note_used, text_of
from ytempire.models import (
    DEFAULT_AUDIENCE,
    DEFAULT_STYLE,
    DEFAULT_TONE,
    ContentType,
    Topic,
    VideoJob,
)
from ytempire.script import languages
from ytempire.script.scoring import DENSITY_RANGE, LENGTH_TOLERANCE, MAX_HOOK_WORDS, MIN_FLESCH
from ytempire.settings import Settings
from ytempire.workspace import VideoFolder

# Seed §3.2's role and §2.1's templates (one per content type; "Script:" is replaced by the
# output format) live as prompt files (ytempire/data/prompts, ``ytempire.learning.prompts``).
ROLE = file_prompt("script-role").text
# The content types whose scripts may be a dialogue of two speakers (issue 15 §4).
DIALOGUE_TYPES = frozenset({ContentType.entertainment, ContentType.news_commentary})


def template_name(content_type: ContentType) -> str:
    """The prompt registry's name of ``content_type``'s template (``script-educational``)."""
    return f"script-{content_type.value.replace('_', '-')}"


TEMPLATES: dict[ContentType, str] = {ct: file_prompt(template_name(ct)).text for ct in ContentType}


def prompt_names(content_type: ContentType) -> list[str]:
    """Every prompt the script writer may send for ``content_type``."""
    names = [
        "script-role",
        template_name(content_type),
        "script-output-format",
        "script-improvement",
        "script-repair-role",
        "script-repair",
        "script-translate-role",
        "script-translate",
    ]
    return [*names, "script-dialogue"] if content_type in DIALOGUE_TYPES else names


def is_dialogue(job: VideoJob) -> bool:
    """Whether ``job``'s script is a dialogue: two speakers and a story-telling content type.

    Speakers given for an educational video are not a dialogue: it is narrated by one voice,
    and the script stage records that the speakers were left out (``dialogue_note``).
    """
    return len(job.speakers) == 2 and job.content_type in DIALOGUE_TYPES


def dialogue_note(job: VideoJob) -> list[str]:
    """The line the script stage records when ``job`` names speakers it does not use."""
    if not job.speakers or is_dialogue(job):
        return []
    names = " and ".join(name for name, _ in job.speakers)
    if len(job.speakers) == 1:
        return [f"speakers: {names} alone is no dialogue; one narrator speaks"]
    kinds = " and ".join(ct.value.replace("_", " ") for ct in sorted(DIALOGUE_TYPES))
    return [
        f"speakers: {names} left out: {job.content_type.value.replace('_', ' ')} scripts are "
        f"narrated by one voice (dialogues are for {kinds})"
    ]


# One short example of the format; its subject is far from any real topic on purpose.
EXAMPLE = {
    "title": "Why Is the Sky Blue?",
    "hook": "Why is the sky blue and not purple? The answer starts with a tiny trick of light.",
    "sections": [
        {
            "heading": "Sunlight is a mix",
            "narration": "Sunlight holds every colour. Air scatters blue light far more than "
            "red. Have you ever noticed how red a sunset looks?",
            "visual_cues": [
                {"kind": "stock_footage", "keywords": ["sunlight", "blue sky"]},
                {"kind": "text_overlay", "text": "Blue light scatters most"},
                {
                    "kind": "chart",
                    "chart_type": "bar",
                    "data": {"blue": 5.5, "green": 3.2, "red": 1.0},
                },
            ],
        }
    ],
    "summary": "Air scatters blue light the most, so blue fills the sky.",
    "cta": "Subscribe for a new question every week, and comment what we should explain next.",
    "tags": ["sky", "light", "science"],
    "description": "Why the sky is blue, in one minute.",
}


class PromptParams(BaseModel):
    """Every parameter the seed's templates name, with defaults for a general channel."""

    channel_style: str = DEFAULT_STYLE
    audience: str = DEFAULT_AUDIENCE
    tone: str = DEFAULT_TONE
    humor_level: str = "light"
    cta_position: str = "the end"
    reference_videos: list[str] = Field(default_factory=list)
    source_count: int = Field(default=3, ge=0)
    controversy_level: int = Field(default=3, ge=0, le=10)
    key_points: list[str] = Field(default_factory=list, description="default: topic keywords")
    unique_angle: str = "what most coverage leaves out"
    language: str = Field(default="English", description="as prompts name it (Spanish)")
    length_unit: languages.Unit = "words"
    speakers: tuple[str, ...] = Field(
        default=(), description="the dialogue's two speakers; empty: one narrator"
    )
    texts: dict[str, str] = Field(
        default_factory=dict,
        description="prompt name → the text loaded by alias from the registry "
        "(``from_registry``); a name missing: the repository's file",
    )

    @classmethod
    def for_job(cls, job: VideoJob) -> PromptParams:
        """The parameters ``job``'s channel sets (style, tone, audience); defaults otherwise."""
        return cls(
            channel_style=job.style,
            tone=job.tone,
            audience=job.audience,
            language=languages.prompt_name(job.language),
            length_unit=languages.unit(job.language),
            speakers=tuple(name for name, _ in job.speakers) if is_dialogue(job) else (),
        )

    @classmethod
    def from_registry(
        cls, job: VideoJob, settings: Settings, alias: str = "production"
    ) -> PromptParams:
        """``for_job(job)`` with the script prompts ``alias`` points at in the registry (the
        repository's files with recording off or the registry unreachable), noted in the
        video folder's prompts.json."""
        loaded = load_prompts(prompt_names(job.content_type), alias, settings)
        note_used(VideoFolder(settings.workspace, job.video_id).path, loaded)
        return cls.for_job(job).model_copy(update={"texts": {p.name: p.text for p in loaded}})

    def text(self, name: str) -> str:
        """The text of prompt ``name``: the one loaded from the registry, else the file's."""
        return text_of(name, self.texts)


def build_messages(
    job: VideoJob,
    topic: Topic,
    params: PromptParams,
    *,
    feedback: list[str] | None = None,
    previous: str | None = None,
) -> list[dict[str, str]]:
    """The chat messages that ask for ``job``'s script about ``topic``.

    With ``feedback``, the request becomes an improvement: ``previous`` (the last draft's
    JSON) is replayed as the assistant's answer and a final user message lists the failed
    checks. Feedback without a previous draft is appended to the request itself.
    """
    output_format = params.text("script-output-format")
    if params.speakers:
        first, second = params.speakers
        output_format += "\n" + params.text("script-dialogue").format(first=first, second=second)
    prompt = "\n\n".join(
        [
            f"Context:\n{_context(job, topic, params)}",
            f"Instructions:\n{instructions(job, topic, params)}",
            f"Constraints:\n{_constraints(job, topic, params)}",
            f"Output Format:\nReturn only this JSON object, no markdown and no comments:\n"
            f"{output_format}",
            "Example (the format and style only; yours is much longer and about your topic):\n"
            + json.dumps(EXAMPLE, ensure_ascii=False),
            "Now, please complete the task.",
        ]
    )
    messages = [
        {"role": "system", "content": params.text("script-role")},
        {"role": "user", "content": prompt},
    ]
    if feedback:
        request = _improvement(feedback, params)
        if previous:
            messages += [
                {"role": "assistant", "content": previous},
                {"role": "user", "content": request},
            ]
        else:
            messages[1]["content"] += "\n\n" + request
    return messages


def instructions(job: VideoJob, topic: Topic, params: PromptParams) -> str:
    """The seed's template for ``job.content_type`` with every parameter filled."""
    target = languages.target_length(job.minutes, job.language)
    return params.text(template_name(job.content_type)).format(
        topic=topic.title,
        duration=f"{job.minutes:g}",
        length=f"{target} {params.length_unit}",
        word_count=target,  # versions of the templates before issue 15 name it
        channel_style=params.channel_style,
        target_audience=params.audience,
        tone=params.tone,
        humor_level=params.humor_level,
        cta_position=params.cta_position,
        reference_videos=", ".join(params.reference_videos) or "none given",
        source_count=params.source_count,
        controversy_level=params.controversy_level,
        key_points="; ".join(params.key_points or topic.keywords) or "the essential facts",
        unique_angle=params.unique_angle,
    )


def _context(job: VideoJob, topic: Topic, params: PromptParams) -> str:
    lines = [
        f"- Channel: {job.channel} ({params.channel_style})",
        f"- Niche: {job.niche}" if job.niche else "",
        f"- Audience: {params.audience}",
        f"- Topic: {topic.title}",
        f"- Why now: {topic.reason}" if topic.reason else "",
        f"- Keywords: {', '.join(topic.keywords)}" if topic.keywords else "",
        f"- Content type: {job.content_type.value.replace('_', ' ')}",
        f"- Language: {params.language}",
        f"- Speakers: {', '.join(params.speakers)} (a dialogue)" if params.speakers else "",
    ]
    return "\n".join(line for line in lines if line)


def _constraints(job: VideoJob, topic: Topic, params: PromptParams) -> str:
    target = languages.target_length(job.minutes, job.language)
    unit = params.length_unit
    low = round(target * (1 - LENGTH_TOLERANCE))
    high = round(target * (1 + LENGTH_TOLERANCE))
    low_d, high_d = DENSITY_RANGE
    english = params.language == "English"
    spoken = "words" if unit == "words" else "characters (not counting punctuation)"
    lines = [
        f"- Spoken {spoken} in total (hook, every section's narration, summary and cta): "
        f"{low} to {high}, aiming at {target}.",
        f"- The hook's first sentence is a question or a bold, specific claim of at most "
        f"{MAX_HOOK_WORDS} words; never a greeting.",
        "- 3 to 5 sections; each has 1 to 3 visual cues.",
        "- Ask the audience at least one direct question (using 'you')."
        if english
        else "- Ask the audience at least one direct question, addressing the viewer.",
        f"- The cta asks viewers to subscribe and to comment (placed at {params.cta_position}).",
        f"- Short sentences and everyday words: Flesch reading ease {MIN_FLESCH:.0f} or more."
        if english
        else "- Short sentences and everyday words.",
        f"- Write in {params.language}. Narration is exactly what is spoken: no stage "
        "directions, speaker labels, emojis or markdown.",
        "- The title is at most 100 characters; at most 15 tags.",
    ]
    if not english:
        lines.append(
            f"- Everything the viewer reads or hears is in {params.language}: the title, "
            "description, tags, headings, narration, summary, cta and text overlays. Stock "
            "footage keywords stay in English: they search a footage library."
        )
    if topic.keywords:
        lines.insert(
            1,
            f'- Primary keyword: "{topic.keywords[0]}". Use it naturally, about 2% of all '
            f"{unit} ({low_d:.0%}–{high_d:.0%}).",
        )
    return "\n".join(lines)


def _improvement(feedback: list[str], params: PromptParams) -> str:
    points = "\n".join(f"- {item}" for item in feedback)
    return params.text("script-improvement").format(points=points, language=params.language)
