"""One video in several languages: the jobs that tell the same script in each.

The first language's video is made first, from the topic; every other language is a video
of its own (its own id, lease, checkpoints and upload) whose script is the first one's,
translated (``VideoJob.translation_of``: the LLM translates, offline each language's template
writer writes it). Every job names all the others (``VideoJob.translations``), so each
``metadata.json`` links them. A translated video's id is derived from the first video's id
and its language: a re-run asks for the same ids and resumes those videos.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from ytempire.language import check_tag, language
from ytempire.models import VideoJob

# A publishing channel's fields that a translated video takes over: who uploads it, where.
PUBLISHER_FIELDS = ("channel", "youtube_credentials", "youtube_channel_id", "privacy")


def languages_list(tags: Sequence[str]) -> list[str]:
    """``tags`` normalised, each once, in order; LanguageError (one line) for a bad one."""
    return list(dict.fromkeys(check_tag(tag) for tag in tags))


def translation_id(source_id: str, tag: str) -> str:
    """The id of the video that tells ``source_id``'s script in ``tag``: always the same."""
    return uuid.uuid5(uuid.UUID(hex=source_id), tag).hex


def jobs_in_languages(
    job: VideoJob,
    tags: Sequence[str],
    publishers: Mapping[str, Mapping[str, Any]] | None = None,
) -> list[VideoJob]:
    """``job`` made in each of ``tags``: the first language's job (``job``'s own id), then
    one translated job per other language, all linked to each other.

    ``publishers`` maps a language to the publishing fields (``PUBLISHER_FIELDS``: channel,
    YouTube identity, privacy) of the channel that publishes it; a language it leaves out is
    published by ``job``'s channel. ``job``'s accent is kept only where it is an accent of
    the language."""
    ordered = languages_list(tags)
    if not ordered:
        raise ValueError("no languages to make the video in")
    ids = {tag: job.video_id if i == 0 else translation_id(job.video_id, tag)
           for i, tag in enumerate(ordered)}  # fmt: skip
    jobs = []
    for tag in ordered:
        accent = (
            job.accent if job.accent and language(job.accent).code == language(tag).code else None
        )
        publisher = {
            field: value
            for field, value in (publishers or {}).get(tag, {}).items()
            if field in PUBLISHER_FIELDS
        }
        jobs.append(
            VideoJob.model_validate(
                {
                    **job.model_dump(),
                    **publisher,
                    "video_id": ids[tag],
                    "language": tag,
                    "accent": accent,
                    "translation_of": None if tag == ordered[0] else job.video_id,
                    "translations": tuple((t, i) for t, i in ids.items() if t != tag),
                }
            )
        )
    return jobs
