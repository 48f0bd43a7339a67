"""How a finished run is described to people: a stage table and a markdown summary."""

from __future__ import annotations

from typing import Any

from ytempire.models import VideoResult


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


def markdown(result: VideoResult) -> str:
    """A run summary for the Prefect UI: title, totals, stage table, where the files are."""
    rows = stage_rows(result)
    seconds = sum(row["seconds"] for row in rows)
    lines = [
        f"# {result.title}",
        "",
        f"- video id: `{result.job.video_id}` (channel `{result.job.channel}`)",
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
        "| output | path |",
        "|---|---|",
        *(f"| {name} | `{path}` |" for name, path in result.outputs.items()),
    ]
    return "\n".join(lines) + "\n"
