"""A topic's keywords follow its language's rules: no function words of another language."""

from __future__ import annotations

from ytempire.models import TrendReport
from ytempire.trends.select import keywords_for, select


def test_a_requested_topics_keywords_are_found_in_its_language() -> None:
    report = TrendReport(engine="local-topics-file", topics=[])
    spanish = select(report, "Cómo se evaporan los agujeros negros", set(), "es")
    assert spanish.keywords == ["agujeros negros"]
    japanese = select(report, "ブラックホールはどのように蒸発するのか", set(), "ja")
    assert japanese.keywords == ["ブラックホール"]
    assert select(report, "How black holes evaporate", set()).keywords[0] == "black holes evaporate"


def test_a_language_without_an_offline_writer_keeps_only_the_trends_related_phrases() -> None:
    assert keywords_for("Wie Sterne sterben", ["Supernova", " "], "de") == ["supernova"]
