from __future__ import annotations

import json
from pathlib import Path

import pytest

from ytempire.settings import Settings
from ytempire.trends import local_file, select


def write_topics(path: Path, topics: list[dict[str, object]]) -> Path:
    path.write_text(json.dumps({"topics": topics}))
    return path


def test_growing_topic_beats_flat_one_of_same_volume(tmp_path: Path) -> None:
    path = write_topics(
        tmp_path / "t.json",
        [
            {"keyword": "flat", "weekly_volume": [100] * 8},
            {"keyword": "rising", "weekly_volume": [50, 55, 60, 65, 80, 90, 95, 100]},
        ],
    )
    report = local_file.detect(path)
    assert [t.keyword for t in report.topics] == ["rising", "flat"]
    assert report.topics[0].growth > 0 and report.topics[1].growth == 0


def test_niche_relevance_ranks_own_niche_first(tmp_path: Path) -> None:
    same = {"weekly_volume": [10, 10, 10, 10, 10, 12, 14, 16]}
    path = write_topics(
        tmp_path / "t.json",
        [
            {"keyword": "a", "niche": "finance", **same},
            {"keyword": "b", "niche": "science", **same},
        ],
    )
    assert local_file.detect(path, niche="science").topics[0].keyword == "b"


@pytest.mark.parametrize("content", ["{not json", '{"topics": [{"keyword": "x"}]}'])
def test_malformed_file_is_one_clear_error(tmp_path: Path, content: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(local_file.TopicsFileError, match="is not valid") as info:
        local_file.detect(path)
    assert "\n" not in str(info.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(local_file.TopicsFileError, match="not found"):
        local_file.detect(tmp_path / "none.json")


def test_bundled_sample_loads() -> None:
    report = local_file.detect(Settings().topics_file)
    assert len(report.topics) >= 10


def test_selection_requested_wins_then_unproduced_trends() -> None:
    report = local_file.detect(Settings().topics_file)
    requested = select.select(report, "How black holes evaporate", set())
    assert requested.title == "How black holes evaporate"
    assert "hawking radiation" in requested.keywords
    best = select.select(report, None, set())
    assert best.title.lower() == report.topics[0].keyword
    second = select.select(report, None, {report.topics[0].keyword})
    assert second.title.lower() == report.topics[1].keyword
    assert "growth" in second.reason
    with pytest.raises(select.NoTopicError):
        select.select(report, None, {t.keyword for t in report.topics})


CSV_FIXTURE = Path(__file__).parent / "fixtures" / "weekly_topics.csv"


def test_csv_file_scores_like_the_same_series_in_json(tmp_path: Path) -> None:
    from_csv = local_file.load(CSV_FIXTURE)
    by_keyword = {t.keyword: t for t in from_csv.topics}
    # Rows of "why the sky is blue" come newest first; weeks are put back in date order.
    assert by_keyword["why the sky is blue"].weekly_volume[0] == 54.5
    assert by_keyword["why the sky is blue"].weekly_volume[-1] == 49.3
    # niche and related come from the keyword's first row that has them.
    batteries = by_keyword["sodium-ion batteries"]
    assert batteries.niche == "technology"
    assert batteries.related == ["cheap energy storage", "grid batteries", "lithium alternatives"]

    as_json = write_topics(tmp_path / "same.json", [t.model_dump() for t in from_csv.topics])
    assert local_file.detect(CSV_FIXTURE, "science") == local_file.detect(as_json, "science")
    assert [t.keyword for t in local_file.detect(CSV_FIXTURE, "science").topics] == [
        "how tides work",
        "why the sky is blue",
        "sodium-ion batteries",
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("keyword,week,volume\nx,2025-01-06,1\n", "missing column"),
        ("keyword,niche,related,week,volume\nx,,,last week,1\n", "row 2"),
        ("keyword,niche,related,week,volume\nx,,,2025-01-06,lots\n", "row 2"),
        ("keyword,niche,related,week,volume\nx,,,2025-01-06,1\nx,,,2025-01-06,2\n", "twice"),
        ("keyword,niche,related,week,volume\nx,,,2025-01-06,1\n", "at least 5"),
    ],
)
def test_malformed_csv_is_one_clear_error(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(content)
    with pytest.raises(local_file.TopicsFileError, match="is not valid") as info:
        local_file.detect(path)
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_reason_names_the_engine_and_the_topics_passed_over() -> None:
    report = local_file.detect(CSV_FIXTURE)
    first = report.topics[0].keyword
    topic = select.select(report, None, {first})
    assert topic.title.lower() == report.topics[1].keyword
    assert "local-topics-file" in topic.reason
    assert f"already produced: {first}" in topic.reason
