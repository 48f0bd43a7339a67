"""The day's plan, without Prefect: slots round-robin, budgets and quota drop videos with a
reason, an earlier run's jobs are kept, ids are stable."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from pathlib import Path

import pytest
from pydantic import SecretStr

from ytempire.batch_plan import (
    BatchPlan,
    Budgets,
    estimate_costs,
    keep_planned,
    plan_day,
    read_planned,
    topic_candidates,
    video_id_for,
)
from ytempire.channels import Channel
from ytempire.models import Topic, TrendingTopic, TrendReport, VideoJob
from ytempire.publish.youtube import QUOTA_UNITS, UNITS_PER_VIDEO
from ytempire.settings import Settings

DAY = date(2026, 3, 1)
SPACE = Channel(name="space", niche="science", videos_per_day=2)
MONEY = Channel(name="money", niche="finance", videos_per_day=1)


def topics(*titles: str) -> list[Topic]:
    return [Topic(engine="local-file", title=t, keywords=[], reason=f"trend {t}") for t in titles]


CANDIDATES = {"space": topics("Black holes", "Comets", "Tides"), "money": topics("Budgets")}


def budgets(**changes: object) -> Budgets:
    values: dict[str, object] = {
        "per_video_usd": 0.5,
        "provider_daily_usd": 100.0,
        "quota_units_per_day": 10_000,
        "quota_enforced": False,
    }
    return Budgets.model_validate(values | changes)


def costing(**usd: float) -> object:
    def estimate(job: VideoJob) -> Mapping[str, float]:
        return usd

    return estimate


def plan(**kwargs: object) -> BatchPlan:
    args: dict[str, object] = {
        "channels": [SPACE, MONEY],
        "topics": CANDIDATES,
        "budgets": budgets(),
        "estimate": costing(openai=0.1),
        "channels_source": "test",
    } | kwargs
    return plan_day(DAY, **args)  # type: ignore[arg-type]


def test_ids_are_stable_per_date_channel_and_slot() -> None:
    assert video_id_for(DAY, "space", 0) == video_id_for(DAY, "space", 0)
    ids = {
        video_id_for(d, c, s)
        for d in (DAY, date(2026, 3, 2))
        for c in ("space", "money")
        for s in (0, 1)
    }
    assert len(ids) == 8
    assert all(len(i) == 32 and int(i, 16) >= 0 for i in ids)


def test_every_channel_gets_its_first_video_before_any_gets_a_second() -> None:
    made = plan()
    assert [(v.job.channel, v.slot, v.job.topic) for v in made.videos] == [
        ("space", 0, "Black holes"),
        ("money", 0, "Budgets"),
        ("space", 1, "Comets"),
    ]
    assert made.videos[0].job.video_id == video_id_for(DAY, "space", 0)
    assert (
        made.videos[0].job.niche == "science" and made.videos[0].topic_reason == "trend Black holes"
    )
    assert made.dropped == []


def test_a_provider_budget_drops_the_videos_that_do_not_fit_with_the_reason() -> None:
    tight = budgets(provider_budgets_usd={"openai": 0.5}, spent_today_usd={"openai": 0.25})
    made = plan(budgets=tight)
    assert [v.job.channel for v in made.videos] == ["space", "money"]
    (dropped,) = made.dropped
    assert (dropped.channel, dropped.slot) == ("space", 1)
    assert dropped.reason == "openai daily budget: $0.05 left, this video needs about $0.10"


def test_the_youtube_quota_drops_uploads_only_when_uploads_go_to_youtube() -> None:
    quota = UNITS_PER_VIDEO * 2
    enforced = plan(budgets=budgets(quota_units_per_day=quota, quota_enforced=True))
    assert len(enforced.videos) == 2
    (dropped,) = enforced.dropped
    assert dropped.reason == (
        f"YouTube quota: 0 of {quota:,} units left, an upload needs {UNITS_PER_VIDEO:,}"
    )
    outbox = plan(budgets=budgets(quota_units_per_day=quota, quota_enforced=False))
    assert len(outbox.videos) == 3 and outbox.quota_units == 3 * UNITS_PER_VIDEO
    assert UNITS_PER_VIDEO == 1 + 1600 + 400 + 50 == sum(QUOTA_UNITS.values())


def test_over_the_per_video_budget_is_noted_not_dropped() -> None:
    made = plan(estimate=costing(openai=0.4, elevenlabs=0.3))
    assert len(made.videos) == 3
    assert made.videos[0].notes == [
        "estimated $0.70 is over the $0.50 per-video budget: cheaper engines will take over"
    ]


def test_a_channel_without_topics_left_says_so() -> None:
    made = plan(topics={"space": topics("Black holes"), "money": []})
    assert [v.job.topic for v in made.videos] == ["Black holes"]
    assert [(d.channel, d.slot) for d in made.dropped] == [("money", 0), ("space", 1)]
    assert "no trending topic left in 'finance'" in made.dropped[0].reason


def test_videos_per_channel_overrides_the_profiles() -> None:
    made = plan(videos_per_channel=1)
    assert [(v.job.channel, v.slot) for v in made.videos] == [("space", 0), ("money", 0)]


def test_a_rerun_keeps_the_earlier_jobs_even_when_trends_moved_and_money_ran_out() -> None:
    first = plan()
    moved = {"space": topics("Comets", "Auroras", "Black holes"), "money": topics("Taxes")}
    broke = budgets(spent_today_usd={"openai": 100.0})
    again = plan(topics=moved, budgets=broke, earlier=first.videos)
    assert [v.job for v in again.videos] == [v.job for v in first.videos]
    assert again.dropped == []


def test_new_slots_of_a_rerun_skip_the_topics_already_planned() -> None:
    first = plan(videos_per_channel=1)
    again = plan(
        earlier=first.videos, topics={**CANDIDATES, "space": topics("Black holes", "Tides")}
    )
    assert [(v.slot, v.job.topic) for v in again.videos if v.job.channel == "space"] == [
        (0, "Black holes"),
        (1, "Tides"),
    ]


def test_the_days_record_merges_runs_and_reads_back(tmp_path: Path) -> None:
    assert read_planned(tmp_path, DAY) == []
    first = plan(videos_per_channel=1)
    keep_planned(tmp_path, first, [])
    second = plan(earlier=first.videos)
    path = keep_planned(tmp_path, second, first.videos)
    assert path == tmp_path / "batches" / "2026-03-01.json"
    assert [v.job.video_id for v in read_planned(tmp_path, DAY)] == [
        v.job.video_id for v in second.videos
    ]
    path.write_text('{"videos": 3}')
    with pytest.raises(ValueError, match=r"2026-03-01.json: not a day's plan \(videos: "):
        read_planned(tmp_path, DAY)


def test_topic_candidates_skip_produced_and_repeat_none() -> None:
    report = TrendReport(
        engine="local-file",
        topics=[
            TrendingTopic(keyword=k, score=s, growth=0.1, volume=10)
            for k, s in (("black holes", 3), ("comets", 2), ("tides", 1))
        ],
    )
    found = topic_candidates(report, {"black holes"}, 5)
    assert [t.title for t in found] == ["Comets", "Tides"]


def test_estimates_follow_the_configured_engines() -> None:
    job = VideoJob(topic="Tides", minutes=1)
    assert estimate_costs(job, Settings()) == {}
    paid = Settings(
        openai_api_key=SecretStr("sk-x"),
        elevenlabs_api_key=SecretStr("el-x"),
    )
    costs = estimate_costs(job, paid)
    assert set(costs) == {"openai", "elevenlabs"}
    assert costs["elevenlabs"] == pytest.approx(150 * 6 / 1000 * 0.15)
    # Two DALL·E 3 pictures at 1792x1024 standard ($0.08) plus one bounded script attempt.
    assert 0.16 < costs["openai"] < 0.16 + 0.1


def test_jobs_carry_the_profiles_style_tone_audience_colours_and_privacy() -> None:
    branded = Channel(
        name="gadgets",
        niche="technology",
        style="fast cuts, bold captions",
        tone="energetic and upbeat",
        audience="tech enthusiasts, 18-34",
        brand_colours=["#111111", "#00E5FF"],
        privacy="unlisted",
    )
    made = plan(channels=[branded, MONEY], topics={"gadgets": topics("Phones")} | CANDIDATES)
    jobs = {v.job.channel: v.job for v in made.videos}
    gadgets = jobs["gadgets"]
    assert (gadgets.style, gadgets.tone, gadgets.audience) == (
        "fast cuts, bold captions",
        "energetic and upbeat",
        "tech enthusiasts, 18-34",
    )
    assert (gadgets.brand_colours, gadgets.privacy) == (("#111111", "#00E5FF"), "unlisted")
    # A profile that leaves them empty keeps the job's defaults.
    default = VideoJob()
    money = jobs["money"]
    assert (money.style, money.tone, money.audience, money.brand_colours) == (
        default.style,
        default.tone,
        default.audience,
        default.brand_colours,
    )


def test_a_channel_in_two_languages_plans_each_slot_in_both_and_counts_both() -> None:
    bilingual = Channel(
        name="space",
        niche="science",
        languages=["es", "ja"],
        language_channels={"ja": "money"},
        videos_per_day=1,
    )
    made = plan(channels=[bilingual, MONEY], estimate=costing(openai=0.1))
    video = next(v for v in made.videos if v.job.channel == "space")
    (japanese,) = video.translations
    assert (video.job.language, japanese.language, japanese.channel) == ("es", "ja", "money")
    assert japanese.translation_of == video.job.video_id == video_id_for(DAY, "space", 0)
    assert video.estimate_usd == {"openai": 0.2} and video.quota_units == 2 * UNITS_PER_VIDEO
    versions = video.in_languages()
    assert [v.job.language for v in versions] == ["es", "ja"]
    assert all(v.slot == 0 and not v.translations for v in versions[1:])
