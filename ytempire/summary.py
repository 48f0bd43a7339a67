"""How a finished run is described to people: a stage table and a markdown summary."""

from __future__ import annotations

import socket
from typing import Any

from ytempire.language import language
from ytempire.models import VideoJob, VideoResult
from ytempire.workspace import Bucket


def stage_rows(result: VideoResult) -> list[dict[str, Any]]:
    """One row per stage: what ran, how long, what this run spent on it (every paid call,
    rejected drafts and failed attempts included, and its compute), how good it was."""
    return [
        {
            "stage": r.stage.value,
            "status": r.status,
            "engine": r.engine or "",
            "seconds": round(r.duration_ms / 1000, 2),
            "cost_usd": round(r.cost_usd, 4),
            "quality": "" if r.quality_score is None else round(r.quality_score, 2),
            "notes": r.error or "",
        }
        for r in result.stages
    ]


def publication(result: VideoResult) -> str:
    """Where the video went, or why the gate keeps it in the outbox and how to release it."""
    upload = result.upload
    if upload is None:
        return "not uploaded"
    if upload.held is not None:
        return (
            f"{upload.destination} in the outbox: {upload.held} "
            f"(release with `ytempire release {result.job.video_id}`)"
        )
    return f"published to {upload.destination}: {upload.location}"


def markdown(result: VideoResult, links: dict[str, str] | None = None) -> str:
    """A run summary for the Prefect UI: title, totals, stage table, the files: with
    ``links`` (a bucket workspace: output name → URL) the thumbnail and contact sheet as
    images and every output as a link, else where they are and how to fetch them."""
    rows = stage_rows(result)
    seconds = sum(row["seconds"] for row in rows)
    lines = [
        f"# {result.title}",
        "",
        f"- video id: `{result.job.video_id}` (channel `{result.job.channel}`)",
        f"- language: {language_line(result.job)}",
        f"- total cost: ${result.total_cost_usd:.4f} (every run of this video, compute "
        f"included: `ytempire cost {result.job.video_id}`), this run "
        f"${sum(r.cost_usd for r in result.stages):.4f}, stage time {seconds:.1f} s",
        f"- quality: {'passed' if result.quality_passed else 'checks failed (see quality.json)'}",
        f"- publication: {publication(result)}",
        "",
        "| stage | status | engine | seconds | cost ($) | quality | fallbacks |",
        "|---|---|---|---:|---:|---:|---|",
        *(
            f"| {r['stage']} | {r['status']} | {r['engine']} | {r['seconds']:.2f} "
            f"| {r['cost_usd']:.4f} | {r['quality']} | {r['notes']} |"
            for r in rows
        ),
        "",
        *(files(result) if links is None else linked_files(links)),
    ]
    return "\n".join(lines) + "\n"


def language_line(job: VideoJob) -> str:
    """The video's language and its other-language versions: ``Spanish (es); also ja: …``."""
    spoken = language(job.language)
    line = f"{spoken.name} (`{spoken.tag}`)"
    if job.translation_of:
        line += f", translated from `{job.translation_of}`"
    if job.translations:
        line += "; also " + ", ".join(f"{tag} `{video_id}`" for tag, video_id in job.translations)
    return line


# The outputs an analyst sees as pictures in the artifact, when the workspace is a bucket.
PICTURES = ("thumbnail (upload)", "contact sheet")


def linked_files(links: dict[str, str]) -> list[str]:
    """The outputs as links a browser opens (pre-signed or under a public URL)."""
    return [
        *(f"![{name}]({links[name]})" for name in PICTURES if name in links),
        "",
        "| output | link |",
        "|---|---|",
        *(f"| {name} | [{name}]({url}) |" for name, url in links.items()),
    ]


def files(result: VideoResult) -> list[str]:
    """Where the outputs are on the worker's disk, and how to fetch them from elsewhere."""
    host = socket.gethostname()
    return [
        f"Files on `{host}` in `{result.folder.resolve()}`; fetch them with "
        f"`rsync -a {host}:{result.folder.resolve()}/ {result.job.video_id}/`.",
        "",
        "| output | path |",
        "|---|---|",
        *(f"| {name} | `{path}` |" for name, path in result.outputs.items()),
    ]


def output_links(
    result: VideoResult, bucket: Bucket, ttl_s: int, base_url: str | None
) -> dict[str, str]:
    """Each output in the video's folder (and the contact sheet when there is one) as a URL
    of its object in ``bucket``."""
    named = dict(result.outputs)
    sheet = result.folder / "contact_sheet.png"
    if sheet.exists():
        named["contact sheet"] = sheet
    links = {}
    for name, path in named.items():
        if path.is_relative_to(result.folder):
            relative = path.relative_to(result.folder).as_posix()
            links[name] = bucket.link(result.job.video_id, relative, ttl_s, base_url)
    return links
