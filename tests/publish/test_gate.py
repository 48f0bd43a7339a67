"""The gate's decisions and the hold file: which videos wait for an operator, and why."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ytempire.models import QualityCheck, QualityReport, VideoJob
from ytempire.publish import gate, outbox
from ytempire.workspace import VideoFolder


def check(item: str, name: str, *, passed: bool, critical: bool = False) -> QualityCheck:
    return QualityCheck(
        item=item,
        name=name,
        value=1.0,
        passed=passed,
        expectation=f"{name} ok",
        critical=critical,
        recommendation=None if passed else f"fix the {name}",
    )


REPORT = QualityReport(
    engine="great-expectations",
    path=Path("quality.json"),
    passed=False,
    checks=[
        check("video", "resolution", passed=False, critical=True),
        check("voice", "clipping_ratio", passed=True, critical=True),
        check("script", "readability", passed=False),
        check("thumbnail:variant_1", "size_mb", passed=False),
        check("thumbnail:variant_2", "size_mb", passed=True),
    ],
)
CLEAN = QualityReport(
    engine="great-expectations",
    path=Path("quality.json"),
    passed=True,
    checks=[check("video", "resolution", passed=True, critical=True)],
)


def test_a_failed_critical_check_holds_with_its_recommendation() -> None:
    verdict = gate.decide(VideoJob(publish_template_scripts=True), "gpt-4o", REPORT)
    assert (verdict.publish, verdict.status) == (False, "held")
    assert verdict.reasons == [
        "critical check failed: video resolution = 1 (expected resolution ok): fix the resolution"
    ]
    [held] = verdict.failing_checks
    assert (held.item, held.check, held.recommendation) == (
        "video",
        "resolution",
        "fix the resolution",
    )


def test_failed_checks_that_are_not_critical_do_not_hold() -> None:
    verdict = gate.decide(VideoJob(), "gpt-4o", CLEAN)
    assert (verdict.publish, verdict.status, verdict.reasons) == (True, "publish", [])


def test_template_scripts_are_held_unless_the_channel_publishes_them() -> None:
    strict = gate.decide(VideoJob(channel="sky-facts"), "template", CLEAN)
    assert not strict.publish
    assert strict.reasons == [
        "the script was written by the offline template writer and channel sky-facts does "
        "not publish template scripts (publish_template_scripts)"
    ]
    assert gate.decide(VideoJob(publish_template_scripts=True), "template", CLEAN).publish


def test_the_channel_names_its_own_critical_checks() -> None:
    # By name (every item's), or item.check; the suites' marks no longer count.
    job = VideoJob(critical_checks=("readability", "thumbnail.size_mb"))
    verdict = gate.decide(job, "gpt-4o", REPORT)
    assert [(c.item, c.check) for c in verdict.failing_checks] == [
        ("script", "readability"),
        ("thumbnail:variant_1", "size_mb"),
    ]
    assert gate.decide(VideoJob(critical_checks=()), "gpt-4o", REPORT).publish


def test_a_skipped_check_does_not_hold_even_when_the_channel_names_it() -> None:
    # A Japanese video's pace is in characters: words per minute did not apply to it.
    skipped = check("voice", "words_per_minute", passed=False).model_copy(
        update={"skipped": "Japanese is written with no spaces", "recommendation": None}
    )
    report = CLEAN.model_copy(update={"checks": [*CLEAN.checks, skipped]})
    verdict = gate.decide(VideoJob(critical_checks=("words_per_minute",)), "gpt-4o", report)
    assert verdict.publish and verdict.reasons == []


def test_a_critical_check_the_suites_do_not_have_holds() -> None:
    verdict = gate.decide(VideoJob(critical_checks=("resolutoin",)), "gpt-4o", REPORT)
    assert verdict.reasons == [
        "critical checks named by the channel but not in the suites: ['resolutoin']"
    ]


def test_hold_then_answer_and_the_decision_stands(tmp_path: Path) -> None:
    job = VideoJob(topic="Why the sky is blue")
    folder = VideoFolder(tmp_path, job.video_id).create()
    assert gate.read_hold(folder) is None
    verdict = gate.decide(job, "template", REPORT)
    held = gate.hold(folder, job, verdict)
    assert gate.read_hold(folder) == held and held.job == job and held.status == "held"

    rejected = gate.answer(folder, gate.Decision(approve=False, note="off brand", by="test"))
    assert rejected.status == "rejected" and rejected.held_at == held.held_at
    again = gate.decide(job, "template", REPORT, gate.read_hold(folder))
    assert (again.publish, again.status, again.reasons) == (
        False,
        "rejected",
        ["rejected by test: off brand"],
    )
    gate.answer(folder, gate.Decision(approve=True, by="ytempire release"))
    approved = gate.decide(job, "template", REPORT, gate.read_hold(folder))
    assert (approved.publish, approved.status) == (True, "approved")
    # Held again: it has waited since it was first held.
    assert gate.hold(folder, job, verdict).held_at == held.held_at


def test_answering_a_video_that_is_not_held_is_one_line(tmp_path: Path) -> None:
    folder = VideoFolder(tmp_path, "a" * 32).create()
    with pytest.raises(gate.GateError, match=f"video {'a' * 32} is not held"):
        gate.answer(folder, gate.Decision(approve=True, by="test"))
    (folder / gate.HOLD_FILE).write_text("{broken")
    with pytest.raises(gate.GateError, match=r"hold\.json: not a usable hold"):
        gate.read_hold(folder)


def test_the_outbox_keeps_a_held_video_unpublished_until_it_is_published(tmp_path: Path) -> None:
    video_id = "b" * 32
    folder = VideoFolder(tmp_path, video_id).create()
    meta = {"video_id": video_id, "title": "Why the sky is blue"}
    held = outbox.hold(folder, meta, "held", "a reason")
    assert (held.destination, held.held) == ("held", "a reason")
    assert outbox.published(folder, video_id) is None
    written = json.loads((folder / "metadata.json").read_text())
    assert written["upload"]["destination"] == "held" and written["title"] == meta["title"]

    rejected = outbox.mark(folder, video_id, "rejected", "off brand")
    assert rejected is not None and rejected.destination == "rejected"
    assert json.loads((folder / "metadata.json").read_text())["upload"]["reason"] == "off brand"

    published = outbox.publish(folder, meta)
    assert outbox.published(folder, video_id) is not None
    # A published video stays published whatever is said after.
    assert outbox.mark(folder, video_id, "rejected", "too late") == published.model_copy(
        update={"already_published": True}
    )
