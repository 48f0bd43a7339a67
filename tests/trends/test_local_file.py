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
