"""Turn written pieces into a ``Script``: title, tags, description and ``script.md``.

The script is in the job's language: ``Script.language`` is its tag and the summary's and
call to action's headings are that language's (``languages.headings``). The offline writer is
the language's (``template_writer`` for English, ``phrase_writer`` for a language with a
phrase table); a dialogue job's template script gives each section to the two speakers by
turns (``dialogue.in_turns``). What the stage left out or could not do (speakers an
educational video does not use, a translation written anew offline) is a line in the
script's ``fallbacks``.
"""

from __future__ import annotations

from ytempire.language import language
from ytempire.models import ContentType, Delivery, Script, Section, Topic, VideoJob
from ytempire.script import dialogue, languages, phrase_writer, template_writer
from ytempire.script.llm_writer import LLMScript
from ytempire.script.prompts import dialogue_note, is_dialogue
from ytempire.workspace import VideoFolder, write_text

MAX_TITLE_CHARS = 100
MAX_TAGS_CHARS = 500


def title_for(topic: str, tag: str = languages.ENGLISH) -> str:
    """A YouTube title (≤ 100 characters): in title case in English, keeping acronyms as
    written; as written, its first letter upper-case, in other languages."""
    text = topic.strip().rstrip(".")
    title = _title_case(text) if language(tag).is_english else text[:1].upper() + text[1:]
    return title if len(title) <= MAX_TITLE_CHARS else title[: MAX_TITLE_CHARS - 1].rstrip() + "…"


def _title_case(text: str) -> str:
    small = {"a", "an", "and", "as", "at", "but", "by", "for", "in", "of", "on", "or", "the", "to"}
    return " ".join(
        w if w.isupper() or (i and w.lower() in small) else w[:1].upper() + w[1:]
        for i, w in enumerate(text.split())
    )


def tags_for(
    keywords: list[str], content_type: ContentType, language_tag: str = languages.ENGLISH
) -> list[str]:
    """Tags from the keywords, within YouTube's 500-character total; an English script's
    also name its content type."""
    tags: list[str] = []
    english = language(language_tag).is_english
    kind = [content_type.value.replace("_", " ")] if english else []
    for tag in [*keywords, *kind]:
        if tag not in tags and sum(len(t) for t in [*tags, tag]) + len(tags) <= MAX_TAGS_CHARS:
            tags.append(tag)
    return tags


def to_markdown(script: Script) -> str:
    """The script as a reader sees it: title, then each spoken block under its heading."""
    lines = [f"# {script.title}", "", f"*Written by: {script.engine}*", ""]
    for block in script.blocks():
        said = [f"**{t.speaker}:** {t.text}" for t in block.turns] or [block.text]
        lines += [f"## {block.heading}", "", "\n\n".join(said), ""]
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
    keywords: list[str] | None = None,
    notes: list[str] | None = None,
    deliveries: tuple[Delivery | None, Delivery | None] = (None, None),
) -> Script:
    """The finished ``Script`` within YouTube's limits, saved as ``script.md``.

    ``keywords``: the script's own (a translation's), else the topic's. ``notes``: lines for
    its ``fallbacks``. ``deliveries``: how the hook and the summary are said."""
    summary_heading, cta_heading = languages.headings(job.language)
    words = keywords or topic.keywords
    script = Script(
        engine=engine,
        cost_usd=cost_usd,
        quality_score=quality_score,
        fallbacks=[*dialogue_note(job), *(notes or [])],
        title=title_for(title, job.language),
        hook=hook,
        sections=sections,
        summary=summary,
        cta=cta,
        tags=tags_for([*tags, *words], job.content_type, job.language),
        description=description or hook,
        keywords=words,
        markdown_path=folder / "script.md",
        language=job.language,
        summary_heading=summary_heading,
        cta_heading=cta_heading,
        hook_delivery=deliveries[0],
        summary_delivery=deliveries[1],
    )
    write_text(script.markdown_path, to_markdown(script))
    return script


def write_template_script(
    job: VideoJob,
    topic: Topic,
    folder: VideoFolder,
    *,
    after_models: bool = False,
    notes: list[str] | None = None,
) -> Script:
    """Write the job's script with its language's offline template writer and save
    ``script.md``; ``NoScriptWriter`` (one line) for a language that has none
    (``after_models``: the chat models were tried first). ``notes``: lines for its
    ``fallbacks``. In a dialogue the hook is said excited and the summary calm; a single
    narrator keeps its voice's own delivery (an offline voice could not honour another)."""
    languages.require_writer(job.language, llm_configured=False, after_models=after_models)
    code = language(job.language).code
    target = languages.target_length(job.minutes, job.language)
    if code == languages.ENGLISH:
        pieces = template_writer.write(topic.title, topic.keywords, job.content_type, target)
    else:
        pieces = phrase_writer.write(topic.title, topic.keywords, job.content_type, target, code)
    sections = pieces.sections
    if is_dialogue(job):
        first, second = (name for name, _ in job.speakers)
        sections = dialogue.in_turns(sections, (first, second), job.language)
    return save(
        job,
        topic,
        folder,
        engine=template_writer.ENGINE,
        title=topic.title,
        hook=pieces.hook,
        sections=sections,
        summary=pieces.summary,
        cta=pieces.cta,
        tags=[],
        description=pieces.hook,
        notes=notes,
        deliveries=(Delivery.excited, Delivery.calm) if is_dialogue(job) else (None, None),
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
        keywords=draft.keywords,
    )
