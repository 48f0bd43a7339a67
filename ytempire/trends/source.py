"""What every trend source is, and the one scoring rule they all share.

A source turns the world (a local file, the YouTube Data API) into :class:`Signals`, one per
candidate topic; :func:`rank` scores them all the same way, so a topic's score means the
same thing whichever engine found it. Scores are compared within one report only: volume is
in the source's own unit (a search index, views).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, runtime_checkable

from ytempire.models import TrendingTopic, TrendReport

# A topic outside the channel's niche can still win, but only by being far bigger or faster:
# ten times the momentum, or a hundred times the volume. YouTube's views span orders of
# magnitude (a pop video has 10x the views of a science hit), so a milder weight let the
# general chart crowd out a niche channel's own topics.
OFF_NICHE_RELEVANCE = 0.1
# The momentum factor never drops below this: relevance multiplies the score, and a negative
# score multiplied by the off-niche penalty would rank a declining off-niche topic above a
# declining one in the niche. The floor keeps declining topics ordered by relevance and volume.
MIN_MOMENTUM = 0.1

STOP_WORDS = frozenset(
    """
    a about after all also an and any are as at be been before being but by can could did do
    does doing down during each few for from had has have having he her here hers him his how
    i if in into is it its itself just me more most my no nor not of off on once only or other
    our ours out over own same she should so some such than that the their theirs them then
    there these they this those through to too under until up very was we were what when
    where which while who whom why will with would you your yours
    """.split()
)
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")


@runtime_checkable
class TrendSource(Protocol):
    """A trend engine: ``detect`` returns candidate topics for a niche, best first."""

    name: str

    def detect(self, niche: str | None) -> TrendReport: ...


@dataclass(frozen=True)
class Signals:
    """What a source measured about one candidate topic, in units every source can provide.

    ``growth`` is the fraction by which the topic is above its baseline (0.25: a quarter more
    than usual). ``velocity`` is the fraction of its current volume it gains per week (its
    recent slope). ``volume`` is how big it is, in the source's unit. ``relevance`` (0 to 1)
    is how well it fits the channel's niche; see :func:`niche_relevance`.
    """

    keyword: str
    growth: float
    velocity: float
    volume: float
    relevance: float = 1.0
    related: list[str] = field(default_factory=list)


def content_words(text: str) -> list[str]:
    """The lower-cased words of ``text`` that carry meaning, in order (stop words dropped)."""
    words = (w.replace("’", "'") for w in _WORD.findall(text.lower()))
    return [w for w in words if w not in STOP_WORDS]


def _stem(word: str) -> str:
    # Just enough to match "hole" with "holes"; matching, not linguistics.
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def niche_relevance(
    niche: str | None, *, topic_niche: str = "", texts: Iterable[str] = ()
) -> float:
    """1.0 when the topic belongs to ``niche`` (or no niche is asked), else the off-niche weight.

    A topic belongs when its own niche label equals ``niche`` (case-insensitive) or when any
    of ``texts`` (its keyword, related phrases, titles, tags) mentions a word of the niche.
    """
    if niche is None or not niche.strip():
        return 1.0
    if topic_niche.strip().lower() == niche.strip().lower():
        return 1.0
    wanted = {_stem(w) for w in content_words(niche)}
    seen = {_stem(w) for text in texts for w in content_words(text)}
    return 1.0 if wanted & seen else OFF_NICHE_RELEVANCE


def score(signals: Signals) -> TrendingTopic:
    """The topic with its score: higher means a better topic to make a video about now.

    Growth counts most, velocity next; volume is damped (square root) so evergreen giants do
    not always win; relevance scales the whole.
    """
    momentum = max(1 + 4 * signals.growth + 2 * signals.velocity, MIN_MOMENTUM)
    value = signals.relevance * momentum * max(signals.volume, 0.0) ** 0.5
    return TrendingTopic(
        keyword=signals.keyword,
        score=round(value, 4),
        growth=round(signals.growth, 4),
        volume=signals.volume,
        related=list(signals.related),
    )


def rank(candidates: Iterable[Signals]) -> list[TrendingTopic]:
    """Every candidate scored, best first; equal scores in keyword order, so runs repeat."""
    return sorted((score(c) for c in candidates), key=lambda t: (-t.score, t.keyword))


class LocalFileSource:
    """The offline engine: a local topics file (JSON or CSV) of weekly keyword volumes."""

    name = "local-topics-file"

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def detect(self, niche: str | None) -> TrendReport:
        """All topics in the file, best first; ``TopicsFileError`` when it cannot be read."""
        # Imported here: local_file scores with this module's rank().
        from ytempire.trends import local_file

        return local_file.detect(self.path, niche)
