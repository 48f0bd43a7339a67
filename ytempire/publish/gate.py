"""The gate before publishing: which videos an operator must release first.

A video is held when a critical quality check failed (those the suites mark
``"critical": true``, or the channel's own list, ``VideoJob.critical_checks``), or when its
script was written by the offline template writer and the channel does not publish those
(``VideoJob.publish_template_scripts``, False by default). A held video stays in the outbox
with ``hold.json`` beside its manifest: why, the failing checks with what to do about them,
when, and the job that made it, so a release can finish the run. An operator's decision
(approve or reject, from the Prefect UI or ``ytempire release``) is written into the same
file, and the next run of the video follows it: approved uploads, rejected stays put.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, Field, ValidationError

from ytempire.models import QualityCheck, QualityReport, VideoJob
from ytempire.script.template_writer import ENGINE as TEMPLATE_ENGINE
from ytempire.workspace import VideoFolder, write_json

HOLD_FILE = "hold.json"

Status = Literal["held", "approved", "rejected"]


class GateError(ValueError):
    """A hold that cannot be read or decided; the message is one line naming the video."""


class HeldCheck(BaseModel):
    """A failed critical check, as the operator reads it."""

    item: str
    check: str
    value: float | bool | str | None
    expected: str
    recommendation: str | None = None

    @classmethod
    def of(cls, check: QualityCheck) -> HeldCheck:
        return cls(
            item=check.item,
            check=check.name,
            value=check.value,
            expected=check.expectation,
            recommendation=check.recommendation,
        )


class Decision(BaseModel):
    """An operator's answer to a hold."""

    approve: bool
    note: str = ""
    by: str = Field(description="where it was given: ytempire release, the Prefect UI")
    at: datetime = Field(default_factory=lambda: datetime.now(UTC))


class Hold(BaseModel):
    """``hold.json``: why a video waits in the outbox, and what the operator decided."""

    video_id: str
    status: Status
    reasons: list[str] = Field(description="one line each")
    failing_checks: list[HeldCheck] = Field(default_factory=list)
    held_at: datetime
    job: VideoJob
    decision: Decision | None = None

    @property
    def reason(self) -> str:
        return "; ".join(self.reasons)


class Verdict(BaseModel):
    """What the gate says about a finished video: publish it, or why not."""

    publish: bool
    status: Literal["publish", "held", "approved", "rejected"]
    reasons: list[str] = Field(default_factory=list)
    failing_checks: list[HeldCheck] = Field(default_factory=list)

    @property
    def reason(self) -> str:
        return "; ".join(self.reasons)


def failed(check: QualityCheck) -> bool:
    """Whether ``check`` failed: a skipped check (it did not apply) did not."""
    return not check.passed and not check.skipped


def critical_failures(job: VideoJob, report: QualityReport) -> tuple[list[QualityCheck], list[str]]:
    """The critical checks that failed, and the names in the channel's list that match no
    check (each a reason to hold: a list that checks nothing must not pass silently).

    A name in ``job.critical_checks`` is a check's name (``resolution``: every item's) or
    ``item.check`` (``video.resolution``, ``thumbnail.size_mb``).
    """
    if job.critical_checks is None:
        return [c for c in report.checks if c.critical and failed(c)], []

    def names(check: QualityCheck) -> set[str]:
        return {check.name, f"{check.item.split(':')[0]}.{check.name}"}

    wanted = set(job.critical_checks)
    critical = [c for c in report.checks if names(c) & wanted]
    known = set().union(*(names(c) for c in report.checks)) if report.checks else set()
    unknown = sorted(wanted - known)
    return [c for c in critical if failed(c)], unknown


def decide(
    job: VideoJob, script_engine: str, report: QualityReport, hold: Hold | None = None
) -> Verdict:
    """The gate's verdict. An operator's earlier decision in ``hold`` stands; otherwise the
    video is held for each failed critical check and for a template-written script the
    channel does not publish."""
    if hold is not None and hold.decision is not None:
        return decided(hold, hold.decision)
    reasons: list[str] = []
    if script_engine == TEMPLATE_ENGINE and not job.publish_template_scripts:
        reasons.append(
            f"the script was written by the offline template writer and channel {job.channel} "
            "does not publish template scripts (publish_template_scripts)"
        )
    failed, unknown = critical_failures(job, report)
    if unknown:
        reasons.append(f"critical checks named by the channel but not in the suites: {unknown}")
    reasons.extend(f"critical check failed: {c.line()}" for c in failed)
    return Verdict(
        publish=not reasons,
        status="held" if reasons else "publish",
        reasons=reasons,
        failing_checks=[HeldCheck.of(c) for c in failed],
    )


def decided(hold: Hold, decision: Decision) -> Verdict:
    """The verdict an operator's ``decision`` on ``hold`` makes: approved publishes."""
    status: Literal["approved", "rejected"] = "approved" if decision.approve else "rejected"
    return Verdict(
        publish=decision.approve,
        status=status,
        reasons=[f"{status} by {decision.by}" + _note(decision)],
        failing_checks=hold.failing_checks,
    )


def read_hold(folder: VideoFolder) -> Hold | None:
    """The video's ``hold.json``, or None when it was never held; ``GateError`` when the
    file is there but unusable."""
    path = folder / HOLD_FILE
    try:
        return Hold.model_validate_json(path.read_bytes())
    except FileNotFoundError:
        return None
    except (OSError, ValidationError, json.JSONDecodeError) as exc:
        detail = str(exc).splitlines()[0]
        raise GateError(f"{path}: not a usable hold: {detail}") from None


def hold(folder: VideoFolder, job: VideoJob, verdict: Verdict) -> Hold:
    """Write (atomically) that the video is held, and why; held again (a later run with no
    decision yet), it keeps the time it was first held."""
    earlier = read_hold(folder)
    held = Hold(
        video_id=job.video_id,
        status="held",
        reasons=verdict.reasons,
        failing_checks=verdict.failing_checks,
        held_at=earlier.held_at if earlier else datetime.now(UTC),
        job=job,
    )
    write_json(folder / HOLD_FILE, held)
    return held


def answer(folder: VideoFolder, decision: Decision) -> Hold:
    """Write the operator's decision into the video's hold; ``GateError`` when it is not held."""
    held = read_hold(folder)
    if held is None:
        raise GateError(f"video {folder.path.name} is not held (no {HOLD_FILE} in {folder.path})")
    status: Status = "approved" if decision.approve else "rejected"
    decided = held.model_copy(update={"status": status, "decision": decision})
    write_json(folder / HOLD_FILE, decided)
    return decided


def _note(decision: Decision) -> str:
    return f": {decision.note}" if decision.note else ""
