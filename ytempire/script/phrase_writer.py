"""The offline script writer for the languages with a phrase table: Spanish and Japanese.

Like the English writer (``template_writer``) it knows nothing about a subject beyond its
topic and keywords, so its sentences frame, connect, ask and recap, and stay true for any
topic: no numbers, no facts. Its tables (``ytempire/data/explainer_phrases_<code>.toml``) are
written so that a concept needs no grammar of its own: it appears where a bare name reads
naturally ("cuando hablamos de {c}", "{c}という考え方"), so there is no gender, number or
article to agree with, and one engine serves every such language. Adding a language is
adding a table.

The script follows the content type's arc: a question hook, 3–5 sections (a bridge from the
section before, the concepts it introduces, beats in order, then thinking prompts and general
thoughts while there is room, a closing line), a summary that recaps each section's concept
and a call to action. Length is counted in the language's unit (``languages.spoken_length``:
words, or characters for Japanese) and lands within 10% of the target; no sentence is said
twice, and each keyword stays near 2% of the text (its hits × its length ≤ 2.5% of the
target, in the same unit). Choices are seeded by the content type and topic, so the same job
always gets the same script. The tables hold enough sentences for about ten minutes of
narration; a longer script comes out short, and the quality stage's length check says so.
"""

from __future__ import annotations

import hashlib
import random
import re
import tomllib
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

from ytempire.models import ContentType, Section, VisualCue
from ytempire.script import languages
from ytempire.script.template_writer import TemplateScript

# Each keyword's share of the target the writer stays under (the quality rule fails at 5%).
MAX_KEYWORD_SHARE = 0.025
MAX_CONCEPTS = 5
# Beats in a row with nothing left to say that end a section's fill.
MAX_MISSES = 30
# Passes through a section's beats before it turns to thinking prompts alone.
PASSES = 4
# Share of the target the hook and the summary each take, at most.
FRAME_SHARE = 0.12
# A script shorter than this many minutes asks to subscribe and comment in one sentence.
SHORT_MINUTES = 0.7
# Sentences between two questions, so questions do not pile up.
QUESTION_GAP = 3


@dataclass(frozen=True)
class Phrases:
    """One language's table, and how its text is counted and joined."""

    code: str
    table: dict[str, Any]

    @property
    def spaced(self) -> bool:
        return languages.unit(self.code) == "words"

    def join(self, sentences: Iterable[str]) -> str:
        return (" " if self.spaced else "").join(sentences)

    def length(self, text: str) -> int:
        return languages.spoken_length(text, self.code)

    def sentences(self, text: str) -> list[str]:
        """``text`` split into sentences at the language's sentence ends."""
        ends = r"(?<=[.!?])\s+" if self.spaced else r"(?<=[。！？!?])\s*"
        return [s for s in re.split(ends, text.strip()) if s]

    def joined(self, names: list[str]) -> str:
        """Names as a list in running text ("A, B y C", "A、B、C")."""
        words = self.table["language"]
        if len(names) == 1:
            return names[0]
        return words["separator"].join(names[:-1]) + words["last_separator"] + names[-1]


@cache
def phrases(code: str) -> Phrases:
    """The phrase table of language ``code`` (``languages.phrase_file``)."""
    with languages.phrase_file(code).open("rb") as handle:
        return Phrases(code, tomllib.load(handle))


def keywords_from(topic: str, extra: list[str], code: str) -> list[str]:
    """Distinct keywords: the given ones, then the topic's main phrase.

    Spanish: the longest run of words that are not function words ("agujeros negros" in
    "Cómo se evaporan los agujeros negros"). Japanese: the longest run of kanji, katakana
    and Latin letters, which is where a title's nouns are ("ブラックホール").
    """
    table = phrases(code).table["language"]
    if phrases(code).spaced:
        stop = set(table["stop_words"].split())
        runs: list[list[str]] = [[]]
        for word in re.findall(r"[\w'-]+", topic.lower()):
            if word in stop:
                runs.append([])
            else:
                runs[-1].append(word)
        found = [" ".join(run) for run in runs if run]
    else:
        found = re.findall(r"[\u4e00-\u9fff\u30a0-\u30ffA-Za-z0-9ー]{2,}", topic)
    longest = sorted(found, key=lambda k: -len(k))[:1]
    return list(dict.fromkeys(k.strip().lower() for k in [*extra, *longest] if k.strip()))


@dataclass(frozen=True)
class Concept:
    keyword: str  # as counted in the text (lower case)
    name: str  # as written ("radiación de Hawking")


class _Picker:
    """Chooses sentences: never one already said, never one that overuses a keyword."""

    def __init__(self, lang: Phrases, rng: random.Random, keywords: list[str], target: int):
        self.lang, self.rng = lang, rng
        self.used: set[str] = set()
        self.hits: Counter[str] = Counter()
        self.caps = {
            k: max(1, int(MAX_KEYWORD_SHARE * target / max(1, lang.length(k))))
            for k in dict.fromkeys(k.strip().lower() for k in keywords if k.strip())
        }
        self.cursors: dict[str, int] = {}
        self.since_question = QUESTION_GAP

    def count(self, text: str) -> Counter[str]:
        lowered = text.lower()
        if not self.lang.spaced:
            return Counter({k: lowered.count(k) for k in self.caps})
        tokens = re.findall(r"[\w'’-]+", lowered)
        found: Counter[str] = Counter()
        for key in self.caps:
            words = key.split()
            n = len(words)
            found[key] = sum(tokens[i : i + n] == words for i in range(len(tokens) - n + 1))
        return found

    def is_new(self, text: str) -> bool:
        return not self.used.intersection(s.lower() for s in self.lang.sentences(text))

    def fits(self, text: str) -> bool:
        if not self.is_new(text) or (_asks(text) and self.since_question < QUESTION_GAP):
            return False
        return all(self.hits[k] + n <= self.caps[k] for k, n in self.count(text).items() if n)

    def take(self, text: str) -> str:
        for sentence in self.lang.sentences(text):
            self.used.add(sentence.lower())
            self.since_question = 0 if _asks(sentence) else self.since_question + 1
        self.hits.update(self.count(text))
        return text

    def must(self, options: list[str]) -> str:
        """The first option that fits, else the first new one: this has to be said."""
        fresh = [t for t in options if self.is_new(t)] or options
        return self.take(next((t for t in options if self.fits(t)), fresh[0]))

    def rotation(self, key: str, frames: list[str]) -> list[str]:
        """``frames`` from this key's cursor on; the cursor moves one step per call."""
        if not frames:
            return []
        start = self.cursors.setdefault(key, self.rng.randrange(len(frames)))
        self.cursors[key] += 1
        return [frames[(start + i) % len(frames)] for i in range(len(frames))]


def _asks(text: str) -> bool:
    return text.rstrip().endswith(("?", "？"))


def _render(frame: str, c: Concept | None, p: Concept | None, extra: dict[str, str]) -> str | None:
    """The frame filled in, or None when it names a concept there is none of."""
    if (c is None and "{c}" in frame) or (p is None and "{p}" in frame):
        return None
    fields = dict(extra)
    if c is not None:
        fields["c"] = c.name
    if p is not None:
        fields["p"] = p.name
    return _capitalised(frame.format(**fields))


def _capitalised(text: str) -> str:
    """``text`` with its first letter upper-case (after an opening "¿" or "¡")."""
    for i, ch in enumerate(text):
        if ch.isalpha():
            return text[:i] + ch.upper() + text[i + 1 :]
    return text


def _options(
    picker: _Picker,
    key: str,
    frames: list[str],
    c: Concept | None = None,
    p: Concept | None = None,
    extra: dict[str, str] | None = None,
) -> list[str]:
    rendered = (_render(frame, c, p, extra or {}) for frame in picker.rotation(key, frames))
    return [text for text in rendered if text]


def _fill(picker: _Picker, beats: Iterable[list[str]], budget: int, count: int) -> list[str]:
    """Sentences from successive beats until ``budget`` units, stopping where it lands closest.

    A beat with nothing left to say is skipped; a long run of those ends the fill.
    """
    out: list[str] = []
    misses = 0
    for options in beats:
        overshot = False
        for text in options:
            if not picker.fits(text):
                continue
            n = picker.lang.length(text)
            if count + n / 2 > budget:
                overshot = True  # a shorter way to say it may still fit
                continue
            out.append(picker.take(text))
            count += n
            misses = 0
            break
        else:
            misses += 1
            if (overshot and count >= budget * 0.9) or misses > MAX_MISSES:
                return out
    return out


def write(
    topic: str, keywords: list[str], content_type: ContentType, target: int, code: str
) -> TemplateScript:
    """Write a hook, 3–5 sections, a summary and a call to action of about ``target`` units
    (words or characters, ``languages.unit``) in language ``code``."""
    lang = phrases(code)
    table = lang.table
    seed = int.from_bytes(
        hashlib.sha256(f"{code}:{content_type}:{topic}".encode()).digest()[:8], "big"
    )
    own = keywords_from(topic, [], code)
    concepts = _concepts(lang, own, keywords)
    picker = _Picker(lang, random.Random(seed), [*keywords, *own], target)
    subject = _topic_phrase(topic, table["language"].get("noun_suffixes", []))
    minutes = target / languages.per_minute(code)
    arc = _arc(table, content_type, 3 if minutes <= 2 else 4 if minutes <= 10 else 5)

    # What has to be said comes first, so the keyword limits leave room for it.
    kind = _kind(table, subject)
    opener = picker.must(_options(picker, "hook", table["hook"][kind], extra={"topic": subject}))
    news = [concepts[i :: len(arc)] for i in range(len(arc))]
    intros = [
        [picker.must(_options(picker, "define", table["intro"]["define"], c)) for c in new]
        for new in news
    ]
    focals = [concepts[i % len(concepts)] for i in range(len(arc))]
    recap = _recap(picker, arc, focals, concepts, int(target * FRAME_SHARE))
    cta = _cta(picker, table["cta"], minutes)

    frame_budget = max(1, int(target * FRAME_SHARE))
    hook = [opener, *_hook_rest(picker, lang, content_type, concepts, frame_budget, opener)]
    summary_open = _fill(
        picker,
        [_options(picker, "summary:open", table["summary"]["open"], extra={"topic": subject})],
        frame_budget,
        sum(lang.length(t) for t in recap),
    )
    summary = [*summary_open, *recap]
    closers = [_options(picker, "summary:close", table["summary"]["close"])]
    summary += _fill(picker, closers, frame_budget, sum(lang.length(t) for t in summary))

    used = sum(lang.length(t) for t in [*hook, *summary, cta])
    sections: list[Section] = []
    for i, (label, role) in enumerate(arc):
        budget = max(1, (target - used) // (len(arc) - i))
        previous = focals[i - 1] if i else None
        introduced = [c for new in news[: i + 1] for c in new]
        said = _section(picker, lang, role, focals[i], previous, introduced, intros[i], budget)
        narration = lang.join(said)
        used += lang.length(narration)
        heading = label if i == 0 else _render(table["headings"][role], focals[i], None, {})
        cues = _cues(focals[i], heading or label, own[0] if own else focals[i].keyword)
        sections.append(Section(heading=heading or label, narration=narration, visual_cues=cues))
    return TemplateScript(
        hook=lang.join(hook), sections=sections, summary=lang.join(summary), cta=cta
    )


def _concepts(lang: Phrases, own: list[str], keywords: list[str]) -> list[Concept]:
    """The ideas the script explains: the related keywords, else the topic's main phrase."""
    related = [k.strip() for k in keywords if k.strip() and k.strip().lower() not in own]
    names = list(dict.fromkeys(related))[:MAX_CONCEPTS] or own[:1] or ["?"]
    words: dict[str, str] = lang.table.get("terms", {}).get("words", {})

    def written(keyword: str) -> str:
        return re.sub(r"[\w'-]+", lambda m: words.get(m[0].lower(), m[0]), keyword)

    return [Concept(k.lower(), written(k)) for k in names]


def _topic_phrase(topic: str, suffixes: list[str]) -> str:
    """The topic as a phrase inside a sentence: "Cómo se evaporan…" → "cómo se evaporan…",
    without a label such as "explicada" or "とは"."""
    text = topic.strip().strip("¿?¡!.。？！")
    for suffix in suffixes:
        if text.endswith(suffix) and len(text) > len(suffix):
            text = text[: -len(suffix)]
    if len(text) > 1 and not text[:2].isupper():
        text = text[0].lower() + text[1:]
    return text


def _kind(table: dict[str, Any], subject: str) -> str:
    """Whether the topic is a question ("clause": "cómo…", "…のか") or names a thing."""
    words = table["language"]
    first = subject.split(maxsplit=1)[0].lower() if subject.split() else ""
    clause = first in words.get("clause_starts", []) or subject.endswith(
        tuple(words.get("clause_ends", []))
    )
    return "clause" if clause else "noun"


def _arc(table: dict[str, Any], content_type: ContentType, n: int) -> list[tuple[str, str]]:
    arc = [(str(label), str(role)) for label, role in table["arcs"][content_type.value]]
    for role in table["arcs"]["drop_first"][content_type.value]:
        if len(arc) > n:
            arc = [(label, r) for label, r in arc if r != role]
    return arc[:n]


def _hook_rest(
    picker: _Picker,
    lang: Phrases,
    content_type: ContentType,
    concepts: list[Concept],
    budget: int,
    opener: str,
) -> list[str]:
    """After the question: a promise, the concepts to come, and an invitation to start."""
    hook = lang.table["hook"]
    names = lang.joined([c.name for c in concepts]) if len(concepts) > 1 else ""
    beats = [
        _options(picker, "promise", hook["promise"][content_type.value]),
        _options(picker, "preview", hook["preview"], extra={"list": names}) if names else [],
        _options(picker, "go", hook["go"]),
    ]
    return _fill(picker, beats, budget, lang.length(opener))


def _recap(
    picker: _Picker,
    arc: list[tuple[str, str]],
    focals: list[Concept],
    concepts: list[Concept],
    budget: int,
) -> list[str]:
    """The summary's recap: each section's concept by name, or one sentence naming them all
    (a single concept, or a script too short for a sentence per section)."""
    summary = picker.lang.table["summary"]
    if len(concepts) == 1:
        return [picker.must(_options(picker, "compact_one", summary["compact_one"], concepts[0]))]
    full = [
        _options(picker, "recap:" + role, summary["recap"][role], focal)
        for (_, role), focal in zip(arc, focals, strict=True)
    ]
    if sum(picker.lang.length(options[0]) for options in full) <= budget:
        return [picker.must(options) for options in full]
    names = picker.lang.joined([c.name for c in concepts])
    return [picker.must(_options(picker, "compact", summary["compact"], extra={"list": names}))]


def _cta(picker: _Picker, cta: dict[str, list[str]], minutes: float) -> str:
    if minutes < SHORT_MINUTES:
        return picker.must(cta["short"])
    subscribe = picker.must(_options(picker, "subscribe", cta["subscribe"]))
    comment = picker.must(_options(picker, "comment", cta["comment"]))
    return picker.lang.join([subscribe, comment])


def _section(
    picker: _Picker,
    lang: Phrases,
    role: str,
    focal: Concept,
    previous: Concept | None,
    introduced: list[Concept],
    intros: list[str],
    budget: int,
) -> list[str]:
    """One section: a bridge from the one before (or an opening line), its introductions,
    its beats, and a closing line chosen first so that the beats leave room for it. The
    script's first section asks the viewer its question before anything else is chosen, so
    even a short script asks one."""
    body = lang.table["body"][role]
    picker.since_question = QUESTION_GAP  # a section may open with a question
    count = sum(lang.length(t) for t in intros)
    asks: list[str] = []
    if previous is None:
        questions = [frames for frames in body["beats"] if all(map(_asks, frames))][:1]
        asks = _fill(picker, [_options(picker, "ask", q, focal) for q in questions], budget, count)
        count += sum(lang.length(t) for t in asks)
    start_frames = lang.table["bridge"][role] if previous else body["open"]
    starts = [_options(picker, "start:" + role, start_frames, p=previous)]
    start = _fill(picker, starts, budget, count)
    count += sum(lang.length(t) for t in start)
    close = _fill(picker, [_options(picker, "close:" + role, body["close"], focal)], budget, count)
    count += sum(lang.length(t) for t in close)
    others = [c for c in introduced if c is not focal]
    middle = _fill(picker, _beats(picker, lang, role, focal, others), budget, count)
    said = [*start, *intros, *asks, *middle, *close]
    # A short script's budget can be spent before a section says anything: it still opens.
    return said or [picker.must(_options(picker, "start:" + role, start_frames, p=previous))]


def _beats(
    picker: _Picker, lang: Phrases, role: str, focal: Concept, others: list[Concept]
) -> Iterator[list[str]]:
    """The role's beats, pass after pass, then a thinking prompt and a general thought by
    turns; each pass names another concept the section has already met."""
    table = lang.table
    beats: list[list[str]] = table["body"][role]["beats"]
    for cycle in range(PASSES):
        p = others[cycle % len(others)] if others else None
        for i, frames in enumerate(beats):
            yield _options(picker, f"{role}:{i}", frames, focal, p)
        yield _options(picker, "angle", table["flow"]["angle"])
        yield _options(picker, "reflect", table["flow"]["reflect"])
    while True:
        yield _options(picker, "angle", table["flow"]["angle"])
        yield _options(picker, "reflect", table["flow"]["reflect"])


def _cues(focal: Concept, heading: str, topic_keyword: str) -> list[VisualCue]:
    """The section's key phrase on screen, and footage of its concept (no chart: the writer
    has no data about the subject)."""
    phrase = _capitalised(focal.name)
    if len(phrase) > 40:
        phrase = heading[:40]
    search = list(dict.fromkeys(k for k in (focal.keyword, topic_keyword) if k))
    return [
        VisualCue(kind="text_overlay", text=phrase),
        VisualCue(kind="stock_footage", text=phrase, keywords=search),
    ]
