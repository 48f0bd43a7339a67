"""The offline trend source: a local file of keyword time series, scored by growth.

The file is JSON, ``{"topics": [{"keyword", "niche", "related", "weekly_volume": [...]}]}``
with weekly volumes oldest first. A score combines growth (recent four weeks against the
weeks before), velocity (the recent slope), volume and relevance to the channel's niche.
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError

from ytempire.models import TrendingTopic, TrendReport

ENGINE = "local-topics-file"
RECENT_WEEKS = 4


class TopicSeries(BaseModel):
    keyword: str = Field(min_length=1)
    niche: str = ""
    related: list[str] = Field(default_factory=list)
    weekly_volume: list[float] = Field(min_length=RECENT_WEEKS + 1)


class TopicsFile(BaseModel):
    topics: list[TopicSeries]


class TopicsFileError(ValueError):
    """The topics file is missing or not in the expected shape."""


def load(path: Path) -> TopicsFile:
    try:
        return TopicsFile.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError as exc:
        raise TopicsFileError(f"topics file not found: {path}") from exc
    except (json.JSONDecodeError, ValidationError) as exc:
        first = str(exc).splitlines()[0]
        raise TopicsFileError(f"topics file {path} is not valid: {first}") from exc


def score(series: TopicSeries, niche: str | None) -> TrendingTopic:
    """Score one keyword's series; higher means a better topic to make now."""
    values = series.weekly_volume
    recent = values[-RECENT_WEEKS:]
    before = values[:-RECENT_WEEKS]
    baseline = sum(before) / len(before)
    growth = (sum(recent) / len(recent)) / baseline - 1 if baseline > 0 else 0.0
    velocity = (recent[-1] - recent[0]) / max(recent[0], 1e-9) / (len(recent) - 1)
    volume = recent[-1]
    relevance = 1.0 if niche is None or series.niche == niche else 0.3
    # Growth dominates; volume is damped so evergreen giants do not always win.
    value = relevance * (1 + 4 * growth + 2 * velocity) * (volume**0.5)
    return TrendingTopic(
        keyword=series.keyword,
        score=round(value, 4),
        growth=round(growth, 4),
        volume=volume,
        related=series.related,
    )


def detect(path: Path, niche: str | None = None) -> TrendReport:
    """All topics in the file, best first."""
    topics = sorted((score(s, niche) for s in load(path).topics), key=lambda t: -t.score)
    return TrendReport(engine=ENGINE, topics=topics)
