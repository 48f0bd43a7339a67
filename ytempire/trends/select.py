"""Topic selection: the operator's topic wins; otherwise the best trend not yet produced.
The topic's keywords are found by the rules of its language (:func:`keywords_for`)."""

from __future__ import annotations

from ytempire.language import DEFAULT_LANGUAGE, language
from ytempire.models import Topic, TrendReport
from ytempire.script import languages, phrase_writer, template_writer


class NoTopicError(ValueError):
    """No trend is left to make a video about."""


def _overlap(a: str, b: str) -> int:
    return len(set(a.lower().split()) & set(b.lower().split()))


def keywords_for(title: str, related: list[str], tag: str) -> list[str]:
    """The keywords of a topic in ``tag``'s language: ``related`` first, then what the
    language's offline writer finds in the title (English, or a language with a phrase
    table); for any other language only ``related``: an LLM writes its script and chooses."""
    code = language(tag).code
    if code == DEFAULT_LANGUAGE:
        return template_writer.keywords_from(title, related)
    if languages.has_writer(code):
        return phrase_writer.keywords_from(title, related, code)
    return list(dict.fromkeys(k.strip().lower() for k in related if k.strip()))


def select(
    report: TrendReport,
    requested: str | None,
    produced: set[str],
    tag: str = DEFAULT_LANGUAGE,
) -> Topic:
    """Pick the video's topic and say why; its keywords in ``tag``'s language.

    A requested topic is used as given; keywords come from the trend that shares most words
    with it, if any. Otherwise the highest-scoring trend whose keyword is not in ``produced``.
    """
    if requested:
        match = max(report.topics, key=lambda t: _overlap(t.keyword, requested), default=None)
        related = match.related if match and _overlap(match.keyword, requested) >= 2 else []
        return Topic(
            engine="requested",
            title=requested,
            keywords=keywords_for(requested, related, tag),
            reason="topic given by the operator",
        )
    skipped: list[str] = []
    for trend in report.topics:
        if trend.keyword.lower() in produced:
            skipped.append(trend.keyword)
            continue
        reason = (
            f"best trend not yet produced from {report.engine}: score {trend.score:.1f}, "
            f"growth {trend.growth:+.0%}, volume {trend.volume:,.0f}"
        )
        if skipped:
            more = f" and {len(skipped) - 3} more" if len(skipped) > 3 else ""
            reason += f"; passed over as already produced: {', '.join(skipped[:3])}{more}"
        return Topic(
            engine=report.engine,
            title=trend.keyword[:1].upper() + trend.keyword[1:],
            keywords=keywords_for(trend.keyword, trend.related, tag),
            reason=reason,
        )
    raise NoTopicError("every trending topic has already been produced for this channel")
