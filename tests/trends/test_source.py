from __future__ import annotations

import json
from pathlib import Path

import pytest

from ytempire.settings import Settings
from ytempire.trends import local_file
from ytempire.trends.source import (
    MIN_MOMENTUM,
    OFF_NICHE_RELEVANCE,
    LocalFileSource,
    Signals,
    TrendSource,
    content_words,
    niche_relevance,
    rank,
    score,
)

FIXTURES = Path(__file__).parent / "fixtures"


def test_local_file_source_is_a_trend_source_over_json_and_csv() -> None:
    bundled = LocalFileSource(Settings().topics_file)
    assert isinstance(bundled, TrendSource)
    assert bundled.name == local_file.ENGINE
    assert bundled.detect("science") == local_file.detect(Settings().topics_file, "science")

    report = LocalFileSource(FIXTURES / "weekly_topics.csv").detect(None)
    assert report.engine == "local-topics-file"
    assert report.topics[0].keyword == "sodium-ion batteries"


def test_local_file_source_reports_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(local_file.TopicsFileError, match="not found"):
        LocalFileSource(tmp_path / "none.json").detect(None)


def test_growth_counts_more_than_velocity_and_volume_is_damped() -> None:
    grower = score(Signals("grower", growth=0.5, velocity=0.0, volume=100))
    sprinter = score(Signals("sprinter", growth=0.0, velocity=0.5, volume=100))
    giant = score(Signals("giant", growth=0.0, velocity=0.0, volume=300))
    assert grower.score > sprinter.score
    # Three times the volume is worth less than half again as much growth.
    assert grower.score > giant.score > sprinter.score / 2
    assert grower.growth == 0.5 and grower.volume == 100


def test_off_niche_topics_need_far_more_to_win() -> None:
    inside = Signals("inside", growth=0.2, velocity=0.1, volume=100)
    outside = Signals(
        "outside", growth=0.2, velocity=0.1, volume=100 * 50, relevance=OFF_NICHE_RELEVANCE
    )
    assert [t.keyword for t in rank([outside, inside])] == ["inside", "outside"]


def test_declining_topics_keep_relevance_order_thanks_to_the_momentum_floor() -> None:
    falling_inside = Signals("a", growth=-0.6, velocity=-0.3, volume=100)
    falling_outside = Signals(
        "b", growth=-0.6, velocity=-0.3, volume=100, relevance=OFF_NICHE_RELEVANCE
    )
    ranked = rank([falling_outside, falling_inside])
    assert [t.keyword for t in ranked] == ["a", "b"]
    assert ranked[0].score == pytest.approx(MIN_MOMENTUM * 10)


def test_rank_breaks_ties_by_keyword_so_runs_repeat() -> None:
    ranked = rank([Signals("zebra", 0.1, 0.0, 50.0), Signals("apple", 0.1, 0.0, 50.0)])
    assert [t.keyword for t in ranked] == ["apple", "zebra"]


@pytest.mark.parametrize(
    ("niche", "topic_niche", "texts", "expected"),
    [
        (None, "history", [], 1.0),
        ("  ", "history", [], 1.0),
        ("Science", "science", [], 1.0),
        ("space", "", ["James Webb telescope", "SPACE"], 1.0),
        ("black hole", "", ["how black holes evaporate"], 1.0),
        ("personal finance", "", ["compound interest"], OFF_NICHE_RELEVANCE),
        ("science", "technology", ["solid state batteries"], OFF_NICHE_RELEVANCE),
    ],
)
def test_niche_relevance(
    niche: str | None, topic_niche: str, texts: list[str], expected: float
) -> None:
    assert niche_relevance(niche, topic_niche=topic_niche, texts=texts) == expected


def test_content_words_drop_stop_words_and_keep_order() -> None:
    assert content_words("Why the Sky is Blue: it’s Rayleigh scattering") == [
        "sky",
        "blue",
        "it's",
        "rayleigh",
        "scattering",
    ]


def test_local_file_scores_with_the_shared_function(tmp_path: Path) -> None:
    series = {"keyword": "x", "niche": "science", "weekly_volume": [10, 10, 10, 10, 12, 14, 16]}
    path = tmp_path / "t.json"
    path.write_text(json.dumps({"topics": [series]}))
    topic = local_file.detect(path, "science").topics[0]
    expected = score(local_file.signals(local_file.TopicSeries.model_validate(series), "science"))
    assert topic == expected
