"""The video's YouTube metadata: title, description with chapters, tags, engines, costs.

Costs come from the video's cost ledger when given (``ytempire.analytics.ledger``): every
paid call and compute line of every run, by stage and in total, so ``total_cost_usd`` is
what ``ytempire cost`` and the analytics store say the video cost (compute included: an
offline video costs more than $0).

Everything a viewer reads is in the script's language: title, description, tags and chapter
titles come from the script; the few lines the description adds itself (the chapters'
heading, the synthetic-voice disclosure) come from :data:`LABELS`, in English for a language
the table lacks (``labels_language`` in ``metadata.json`` says which was used)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel

from ytempire.analytics.ledger import Line, total
from ytempire.language import DEFAULT_LANGUAGE, language
from ytempire.models import Narration, Script, StageOutput, Topic, VideoJob

# The description's own lines, per language code. A language missing here gets English, and
# metadata.json says so; add a row to give it its own.
LABELS: dict[str, dict[str, str]] = {
    "en": {"chapters": "Chapters:", "voice": "Narrated with a synthetic voice."},
    "es": {"chapters": "Capítulos:", "voice": "Narrado con una voz sintética."},
    "ja": {"chapters": "チャプター：", "voice": "ナレーションは合成音声です。"},
    "pt": {"chapters": "Capítulos:", "voice": "Narrado com uma voz sintética."},
    "fr": {"chapters": "Chapitres :", "voice": "Narration par une voix de synthèse."},
    "de": {"chapters": "Kapitel:", "voice": "Gesprochen von einer synthetischen Stimme."},
}
# YouTube shows chapters only if there are at least three, the first at 0:00, each ≥ 10 s.
MIN_CHAPTERS = 3
MIN_CHAPTER_SECONDS = 10.0


class Chapter(BaseModel):
    start_s: float
    title: str

    @property
    def timestamp(self) -> str:
        total = int(self.start_s)
        hours, rest = divmod(total, 3600)
        minutes, seconds = divmod(rest, 60)
        return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


def chapters(script: Script, narration: Narration) -> list[Chapter]:
    """One chapter per spoken block, starting where its narration really starts."""
    spans = narration.block_spans()
    found = [
        Chapter(start_s=0.0 if i == 0 else round(start, 2), title=block.heading)
        for i, (block, (start, _end)) in enumerate(zip(script.blocks(), spans, strict=True))
    ]
    return found


def chapters_valid(found: list[Chapter], duration_s: float) -> bool:
    """Whether YouTube would show these chapters."""
    ends = [c.start_s for c in found[1:]] + [duration_s]
    return len(found) >= MIN_CHAPTERS and all(
        end - c.start_s >= MIN_CHAPTER_SECONDS for c, end in zip(found, ends, strict=True)
    )


def labels_language(tag: str) -> str:
    """The code of the :data:`LABELS` row used for a video in ``tag``: its own or English."""
    code = language(tag).code
    return code if code in LABELS else DEFAULT_LANGUAGE


def description(script: Script, found: list[Chapter], duration_s: float) -> str:
    """The script's description (or hook), its chapters under a heading when YouTube would
    show them, the disclosure that the voice is synthetic, three hashtags; in the script's
    language."""
    labels = LABELS[labels_language(script.language)]
    parts = [script.description or script.hook]
    if chapters_valid(found, duration_s):
        lines = (f"{c.timestamp} {c.title}" for c in found)
        parts.append("\n".join([labels["chapters"], *lines]))
    parts.append(labels["voice"])
    if script.tags:
        parts.append(" ".join("#" + t.replace(" ", "") for t in script.tags[:3]))
    return "\n\n".join(parts)


def costs(lines: Sequence[Line]) -> dict[str, Any]:
    """The cost section: every ledger line, the totals by stage and kind, and the total."""
    by_stage: dict[str, Any] = {}
    by_kind: dict[str, Any] = {}
    for line in lines:
        by_stage[line.stage.value] = by_stage.get(line.stage.value, 0) + line.cost_usd
        by_kind[line.kind] = by_kind.get(line.kind, 0) + line.cost_usd
    return {
        "lines": [line.as_json() for line in lines],
        "by_stage_usd": {stage: float(usd) for stage, usd in by_stage.items()},
        "by_kind_usd": {kind: float(usd) for kind, usd in by_kind.items()},
        "total_usd": float(total(lines)),
    }


def build(
    job: VideoJob,
    script: Script,
    narration: Narration,
    outputs: dict[str, StageOutput],
    ledger: Sequence[Line] | None = None,
) -> dict[str, Any]:
    """Everything an uploader (or a person) needs to publish the video, as plain JSON data.

    With the video's ``ledger`` lines, costs are the ledger's (all runs); without, the
    stage outputs' (this run's)."""
    found = chapters(script, narration)
    if ledger is not None:
        cost = costs(ledger)
        by_stage, total_usd = cost["by_stage_usd"], cost["total_usd"]
    else:
        cost = None
        by_stage = {stage: out.cost_usd for stage, out in outputs.items()}
        total_usd = round(sum(out.cost_usd for out in outputs.values()), 6)
    topic = outputs.get("topic")
    return {
        "video_id": job.video_id,
        "channel": job.channel,
        "language": job.language,
        "labels_language": labels_language(script.language),
        "translation_of": job.translation_of,
        "translations": dict(job.translations),
        "title": script.title,
        "description": description(script, found, narration.duration_s),
        "tags": script.tags,
        "chapters": [
            {"start_s": c.start_s, "timestamp": c.timestamp, "title": c.title} for c in found
        ],
        "duration_s": round(narration.duration_s, 3),
        "content_type": job.content_type.value,
        "voice_profile": job.voice.value,
        "experiments": dict(job.experiments),
        "aspect": job.aspect.value,
        "model_used": script.engine,
        "topic": (
            {"title": topic.title, "keywords": topic.keywords, "reason": topic.reason}
            if isinstance(topic, Topic)
            else None
        ),
        "engines": {stage: out.engine for stage, out in outputs.items()},
        "costs_usd": by_stage,
        "fallbacks": {stage: out.fallbacks for stage, out in outputs.items() if out.fallbacks},
        "cost": cost,
        "total_cost_usd": total_usd,
    }
