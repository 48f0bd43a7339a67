"""Turn written pieces into a ``Script``: title, tags, description and ``script.md``."""

from __future__ import annotations

from ytempire.models import ContentType, Script, Section, Topic, VideoJob
from ytempire.script import template_writer
from ytempire.script.llm_writer import LLMScript
from ytempire.workspace import VideoFolder, write_text

MAX_TITLE_CHARS = 100
MAX_TAGS_CHARS = 500


def title_for(topic: str) -> str:
    """A YouTube title (≤ 100 characters) in title case, keeping acronyms as written."""
    words = topic.strip().rstrip(".").split()
    small = {"a", "an", "and", "as", "at", "but", "by", "for", "in", "of", "on", "or", "the", "to"}
    titled = [
        w if w.isupper() or (i and w.lower() in small) else w[:1].upper() + w[1:]
        for i, w in enumerate(words)
    ]
    title = " ".join(titled)
    return title if len(title) <= MAX_TITLE_CHARS else title[: MAX_TITLE_CHARS - 1].rstrip() + "…"


def tags_for(keywords: list[str], content_type: ContentType) -> list[str]:
    """Tags from the keywords, within YouTube's 500-character total."""
    tags: list[str] = []
    for tag in [*keywords, content_type.value.replace("_", " ")]:
        if tag not in tags and sum(len(t) for t in [*tags, tag]) + len(tags) <= MAX_TAGS_CHARS:
            tags.append(tag)
    return tags


def to_markdown(script: Script) -> str:
    """The script as a reader sees it: title, then each spoken block under its heading."""
    lines = [f"# {script.title}", "", f"*Written by: {script.engine}*", ""]
    for block in script.blocks():
        lines += [f"## {block.heading}", "", block.text, ""]
    lines += ["---", "", "Tags: " + ", ".join(script.tags), ""]
    return "\n".join(lines)


def save(
    job: VideoJob,
    topic: Topic,
    folder: VideoFolder,
    *,
    engine: str,
    title: str,
    hook: str,
    sections: list[Section],
    summary: str,
    cta: str,
    tags: list[str],
    description: str,
    cost_usd: float = 0.0,
    quality_score: float | None = None,
) -> Script:
    """The finished ``Script`` within YouTube's limits, saved as ``script.md``."""
    script = Script(
        engine=engine,
        cost_usd=cost_usd,
        quality_score=quality_score,
        title=title_for(title),
        hook=hook,
        sections=sections,
        summary=summary,
        cta=cta,
        tags=tags_for([*tags, *topic.keywords], job.content_type),
        description=description or hook,
        keywords=topic.keywords,
        markdown_path=folder / "script.md",
    )
    write_text(script.markdown_path, to_markdown(script))
    return script


def write_template_script(job: VideoJob, topic: Topic, folder: VideoFolder) -> Script:
    """Write the job's script with the offline template writer and save ``script.md``."""
    pieces = template_writer.write(topic.title, topic.keywords, job.content_type, job.target_words)
    return save(
        job,
        topic,
        folder,
        engine=template_writer.ENGINE,
        title=topic.title,
        hook=pieces.hook,
        sections=pieces.sections,
        summary=pieces.summary,
        cta=pieces.cta,
        tags=[],
        description=pieces.hook,
    )


def save_llm_script(job: VideoJob, topic: Topic, folder: VideoFolder, written: LLMScript) -> Script:
    """Save what a model wrote; ``engine`` names the model that really wrote it."""
    draft = written.draft
    return save(
        job,
        topic,
        folder,
        engine=written.model_used,
        title=draft.title,
        hook=draft.hook,
        sections=draft.sections,
        summary=draft.summary,
        cta=draft.cta,
        tags=draft.tags,
        description=draft.description,
        cost_usd=written.cost_usd,
        quality_score=written.quality_score,
    )
