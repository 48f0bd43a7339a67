"""The offline trend source: a local file of keyword time series, scored by growth.

Two shapes are read, chosen by the file's suffix:

* JSON (the bundled default): ``{"topics": [{"keyword", "niche", "related",
  "weekly_volume": [...]}]}`` with weekly volumes oldest first.
* CSV (``.csv``), long form, one row per keyword per week, with a header row::

      keyword,niche,related,week,volume
      solid state batteries,technology,lithium metal;energy density,2025-01-06,41.5

  ``week`` is an ISO date (the week's first day); rows may come in any order and are sorted
  by it. ``related`` is ``;``-separated. ``niche`` and ``related`` may be left empty on all
  but one row of a keyword; the first non-empty value counts. This is the shape a
  spreadsheet or a trends export flattens to, and it appends a week without rewriting a row.

Each keyword needs at least five weeks. Growth is the recent four weeks against the weeks
before, velocity the recent slope, volume the latest week; :func:`ytempire.trends.source.rank`
turns those into the score every source shares.
"""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError

from ytempire.models import TrendingTopic, TrendReport
from ytempire.trends.source import Signals, niche_relevance, rank
from ytempire.trends.source import score as score_signals

ENGINE = "local-topics-file"
RECENT_WEEKS = 4
CSV_COLUMNS = ("keyword", "niche", "related", "week", "volume")


class TopicSeries(BaseModel):
    keyword: str = Field(min_length=1)
    niche: str = ""
    related: list[str] = Field(default_factory=list)
    weekly_volume: list[float] = Field(min_length=RECENT_WEEKS + 1)


class TopicsFile(BaseModel):
    topics: list[TopicSeries]


class TopicsFileError(ValueError):
    """The topics file is missing or not in the expected shape."""


def _first_line(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        # Pydantic's first line only counts the errors; the first error says what is wrong.
        error = exc.errors()[0]
        where = ".".join(str(part) for part in error["loc"])
        return f"{where}: {error['msg']}" if where else error["msg"]
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return lines[0] if lines else type(exc).__name__


def _csv_topics(path: Path) -> list[dict[str, object]]:
    """The CSV's rows gathered into one JSON-shaped topic per keyword, weeks in date order.

    Raises ValueError naming the row for a missing column, a bad date or number, or a week
    given twice for the same keyword.
    """
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in CSV_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            need = ",".join(CSV_COLUMNS)
            raise ValueError(f"missing column(s) {', '.join(missing)}; the header must be {need}")
        topics: dict[str, dict[str, object]] = {}
        weeks: dict[str, dict[date, float]] = {}
        for line, row in enumerate(reader, start=2):
            keyword = (row["keyword"] or "").strip()
            if not keyword:
                raise ValueError(f"row {line}: empty keyword")
            try:
                week = date.fromisoformat((row["week"] or "").strip())
                volume = float(row["volume"] or "")
            except ValueError as exc:
                raise ValueError(f"row {line}: {exc}") from exc
            topic = topics.setdefault(keyword, {"keyword": keyword, "niche": "", "related": []})
            if not topic["niche"]:
                topic["niche"] = (row["niche"] or "").strip()
            if not topic["related"]:
                related = (row["related"] or "").split(";")
                topic["related"] = [r.strip() for r in related if r.strip()]
            series = weeks.setdefault(keyword, {})
            if week in series:
                raise ValueError(f"row {line}: week {week} of {keyword!r} given twice")
            series[week] = volume
    for keyword, topic in topics.items():
        topic["weekly_volume"] = [weeks[keyword][w] for w in sorted(weeks[keyword])]
    return list(topics.values())


def load(path: Path) -> TopicsFile:
    """The file's topics; ``TopicsFileError`` (one line) when it is missing or malformed."""
    try:
        if path.suffix.lower() == ".csv":
            return TopicsFile.model_validate({"topics": _csv_topics(path)})
        return TopicsFile.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError as exc:
        raise TopicsFileError(f"topics file not found: {path}") from exc
    except (ValueError, ValidationError, csv.Error) as exc:
        # json.JSONDecodeError and pydantic's ValidationError are both ValueErrors.
        raise TopicsFileError(f"topics file {path} is not valid: {_first_line(exc)}") from exc


def signals(series: TopicSeries, niche: str | None) -> Signals:
    """What one keyword's weekly series says about it, ready for the shared scoring."""
    values = series.weekly_volume
    recent = values[-RECENT_WEEKS:]
    before = values[:-RECENT_WEEKS]
    baseline = sum(before) / len(before)
    growth = (sum(recent) / len(recent)) / baseline - 1 if baseline > 0 else 0.0
    velocity = (recent[-1] - recent[0]) / max(recent[0], 1e-9) / (len(recent) - 1)
    relevance = niche_relevance(
        niche, topic_niche=series.niche, texts=[series.keyword, *series.related]
    )
    return Signals(
        keyword=series.keyword,
        growth=growth,
        velocity=velocity,
        volume=recent[-1],
        relevance=relevance,
        related=series.related,
    )


def score(series: TopicSeries, niche: str | None) -> TrendingTopic:
    """Score one keyword's series; higher means a better topic to make now."""
    return score_signals(signals(series, niche))


def detect(path: Path, niche: str | None = None) -> TrendReport:
    """All topics in the file, best first."""
    topics = rank(signals(s, niche) for s in load(path).topics)
    return TrendReport(engine=ENGINE, topics=topics)
