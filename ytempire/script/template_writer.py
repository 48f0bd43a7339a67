"""The offline script writer: a structured explainer built from the topic and its keywords.

It is the engine that runs with no model at all, so it says what it is (``engine="template"``)
and it knows nothing about a subject beyond its words. Its sentences therefore frame, connect,
ask and recap, and stay true for any topic: no numbers, no facts. The trend's related keywords
become the script's concepts. Each is introduced once, in the section it leads, then referred
back to; sections follow the content type's arc (``ARCS``), open with a connective from the
section before, and are headed by their concept. The sentence frames live in
``ytempire/data/explainer_phrases.toml``.

Scripts come close to ``minutes × 150`` words, never say the same sentence twice, and keep
every keyword near 2% of the words. A long section makes several passes through its role's
beats, each opened by an angle on one concept ("What does Hawking radiation depend on?"); a
very long script (an hour) also says general points again in new words. Choices are seeded by
the content type and topic, so the same job always gets the same script.
"""

from __future__ import annotations

import hashlib
import random
import re
import tomllib
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ytempire.models import ContentType, Section, VisualCue

ENGINE = "template"
PHRASES_FILE = Path(__file__).resolve().parents[1] / "data" / "explainer_phrases.toml"

STOP_WORDS = frozenset(
    "a an and are as at be by can do does for from has have how in into is it its of on or "
    "that the their this to was what when where which who why will with you your".split()
)

# Section arcs per content type: (heading when the section has no concept to name, role).
ARCS: dict[ContentType, list[tuple[str, str]]] = {
    ContentType.educational: [
        ("The problem", "problem"),
        ("How it works", "mechanism"),
        ("A concrete example", "example"),
        ("What people get wrong", "misconception"),
        ("Why it matters", "stakes"),
    ],
    ContentType.entertainment: [
        ("The setup", "setup"),
        ("Where it gets strange", "conflict"),
        ("The twist", "twist"),
        ("How it resolves", "resolution"),
        ("Why we can't stop watching", "stakes"),
    ],
    ContentType.news_commentary: [
        ("What happened", "news"),
        ("The analysis", "analysis"),
        ("The bigger picture", "context"),
        ("Our take", "opinion"),
        ("What to watch next", "outlook"),
    ],
}
# The sections a shorter script leaves out, first dropped first: each arc keeps its ending.
DROP_FIRST: dict[ContentType, list[str]] = {
    ContentType.educational: ["misconception", "stakes"],
    ContentType.entertainment: ["stakes", "twist"],
    ContentType.news_commentary: ["context", "outlook"],
}
# Headings that name the section's concept. The first section keeps its arc label, which
# tells the viewer what kind of video this is.
NAMED_HEADINGS: dict[str, str] = {
    "mechanism": "How {c} work{s}",
    "example": "{C} in action",
    "misconception": "What people get wrong about {c}",
    "stakes": "Why {c} matter{s}",
    "conflict": "Where {c} get{s} strange",
    "twist": "The twist: {c}",
    "resolution": "How {c} tie{s} it together",
    "analysis": "What {c} tell{s} us",
    "context": "{C} in the bigger picture",
    "opinion": "Our take on {c}",
    "outlook": "What to watch: {c}",
}
PERSON_HEADINGS = {"mechanism": "Where {c} fit{s} in"}

# Keyword share the writer stays under, per keyword: the quality rule fails above 5%, and
# about 2% reads as natural.
MAX_KEYWORD_SHARE = 0.025
MAX_CONCEPTS = 5
# Below this many words the call to action and the introductions are one short sentence each.
SHORT_SCRIPT = 100
# A section names the concept it leads this many times as often as one it refers back to.
FOCAL_WEIGHT = 3
# Topics that are an embedded question ("how black holes evaporate") or a direct one.
CLAUSE_WORDS = frozenset("how why what when where who which whether".split())
DIRECT_WORDS = frozenset("is are can could do does did should will would was were has have".split())
NOUN_SUFFIXES = (" explained", " basics", " 101")

_PHRASES: dict[str, Any] = tomllib.loads(PHRASES_FILE.read_text(encoding="utf-8"))
_TERMS: dict[str, Any] = _PHRASES["terms"]
_WORD = re.compile(r"[\w'’-]+")
_NAME = re.compile(r"[A-Za-z][\w'-]*")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")
_LEADS = tuple(lead + " " for lead in _PHRASES["flow"]["lead"])
# An angle's question with one of its thoughts, ordered so that successive passes change angle.
_ANGLES = [
    f"{angle['ask']} {angle['then'][i]}"
    for i in range(max(len(angle["then"]) for angle in _PHRASES["angle"]))
    for angle in _PHRASES["angle"]
    if i < len(angle["then"])
]
# A point said again in new words (after a lead-in) waits this many sentences.
RESTATE_AFTER = 25
# Sentences between two questions in a section, so questions do not pile up.
QUESTION_GAP = 4
# Beats in a row with nothing left to say that end a section's fill.
MAX_MISSES = 40


def topic_phrase(topic: str) -> str:
    """The topic as a phrase that reads inside a sentence ("How X works" → "how X works")."""
    text = topic.strip().rstrip("?.!")
    if len(text) > 1 and not text[:2].isupper():  # keep acronyms like "AI", "NASA"
        text = text[0].lower() + text[1:]
    return text


def keywords_from(topic: str, extra: list[str]) -> list[str]:
    """Distinct keywords: the given ones, then the topic's content words as one phrase.

    Single words are added only while there are fewer than three keywords, so sentences
    built from keywords name real concepts rather than stray words.
    """
    words = [w for w in re.findall(r"[a-zA-Z][\w'-]*", topic.lower()) if w not in STOP_WORDS]
    found: list[str] = []
    for kw in [*extra, " ".join(words[:4]), *words]:
        kw = kw.strip().lower()
        if kw and kw not in found and (len(found) < 3 or " " in kw or kw in extra):
            found.append(kw)
    return found


def proper_case(text: str) -> str:
    """``text`` with known names, places and acronyms spelled properly ("hawking" → "Hawking").

    Words already holding a capital are left as written.
    """
    words: dict[str, str] = _TERMS["words"]
    return _NAME.sub(lambda m: words.get(m[0], m[0]) if m[0].islower() else m[0], text)


def display(keyword: str) -> str:
    """How a keyword is written in running text: "event horizon" → "the event horizon"."""
    key = keyword.strip()
    return _TERMS["display"].get(key.lower()) or proper_case(key)


def capitalized(text: str) -> str:
    """``text`` to start a sentence, leaving words like "mRNA" as they are."""
    first = text.split(maxsplit=1)[0] if text.strip() else ""
    return text if any(ch.isupper() for ch in first[1:]) else text[:1].upper() + text[1:]


def _is_plural(keyword: str) -> bool:
    last = keyword.split()[-1].lower() if keyword.split() else ""
    singular_s = ("ss", "us", "is", "ics", "news", "series", "species", "means")
    return len(last) > 3 and last.endswith("s") and not last.endswith(singular_s)


@dataclass(frozen=True)
class Concept:
    """One idea the script explains: a related keyword, and how sentences name it."""

    keyword: str
    name: str
    plural: bool
    person: bool = False
    # Whether a heading can carry the name ("How Hawking radiation works"); a topic phrase
    # such as "how black holes evaporate" cannot.
    nameable: bool = True

    @classmethod
    def of(cls, keyword: str) -> Concept:
        key = keyword.strip().lower()
        return cls(key, display(keyword), _is_plural(key), person=key in _TERMS["people"])

    def fields(self, prefix: str = "") -> dict[str, str]:
        """Placeholder values that name and agree with this concept (see the phrases file).

        Without a prefix they fill {c} {C} {is} …; with prefix "p" they fill {p} {P} {p_is} ….
        """
        many = self.plural
        agree = {
            "is": "are" if many else "is",
            "has": "have" if many else "has",
            "does": "do" if many else "does",
            "it": "they" if many else "it",
            "It": "They" if many else "It",
            "its": "their" if many else "its",
            "s": "" if many else "s",
        }
        lower, upper, sep = ("p", "P", "p_") if prefix else ("c", "C", "")
        named = {lower: self.name, upper: capitalized(self.name)}
        return named | {sep + k: v for k, v in agree.items()}


def _joined(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _group(concepts: list[Concept]) -> Concept:
    """Several concepts named together, as one plural subject ("A and B")."""
    if len(concepts) == 1:
        return concepts[0]
    return Concept("", _joined([c.name for c in concepts]), plural=True)


def _words(text: str) -> int:
    return len(text.split())


class TemplateScript:
    """The pieces of a template-written script, before they become a ``Script`` model."""

    def __init__(self, hook: str, sections: list[Section], summary: str, cta: str) -> None:
        self.hook, self.sections, self.summary, self.cta = hook, sections, summary, cta


@dataclass
class _Plan:
    heading: str
    role: str
    focal: Concept
    new: list[Concept]  # concepts this section introduces
    intros: list[str]


# A beat is every way to say one point, and how many words must still fit after it (an angle
# that opens a new pass should not be the last thing a section says).
_Beat = tuple[Iterable[str], int]


class _Writer:
    """Picks sentences: never one already said, never one that overuses a keyword.

    Each keyword may take up to ``MAX_KEYWORD_SHARE`` of the target length. Inside a section,
    each concept may be named only its share of what is left (``local_caps``), so no section
    spends a concept that a later heading names. No sentence is said twice, a point is said
    again in new words only after ``RESTATE_AFTER`` sentences, and questions keep their
    distance.
    """

    def __init__(self, rng: random.Random, keywords: Iterable[str], target_words: int) -> None:
        self.rng = rng
        self.used: set[str] = set()
        self.phrases = {k: k.split() for k in {k.strip().lower() for k in keywords} if k}
        self.caps = {
            k: max(1, int(MAX_KEYWORD_SHARE * target_words / len(words)))
            for k, words in self.phrases.items()
        }
        self.hits: Counter[str] = Counter()
        self.local: Counter[str] = Counter()
        self.local_caps: dict[str, int] = {}
        self.cursors: dict[str, int] = {}
        self.said_at: dict[str, int] = {}
        self.since_question = QUESTION_GAP

    def count(self, text: str) -> Counter[str]:
        """How often each keyword occurs in ``text``, counted as the density metric does."""
        tokens = _WORD.findall(text.lower())
        found: Counter[str] = Counter()
        for key, words in self.phrases.items():
            n = len(words)
            found[key] = sum(tokens[i : i + n] == words for i in range(len(tokens) - n + 1))
        return found

    def is_new(self, text: str) -> bool:
        """Whether no sentence of ``text`` was said before, nor its point said lately."""
        sentences = [s.lower() for s in _SENTENCE_END.split(text)]
        if len(set(sentences)) < len(sentences) or self.used.intersection(sentences):
            return False
        if "?" in text and self.since_question < QUESTION_GAP:
            return False
        said = len(self.used)
        return all(
            said - self.said_at.get(_point(s), -RESTATE_AFTER) >= RESTATE_AFTER for s in sentences
        )

    def fits(self, text: str) -> bool:
        if not self.is_new(text):
            return False
        for key, n in self.count(text).items():
            if n and self.hits[key] + n > self.caps[key]:
                return False
            if n and key in self.local_caps and self.local[key] + n > self.local_caps[key]:
                return False
        return True

    def take(self, text: str) -> str:
        for sentence in _SENTENCE_END.split(text):
            self.said_at[_point(sentence.lower())] = len(self.used)
            self.used.add(sentence.lower())
            self.since_question = 0 if sentence.endswith("?") else self.since_question + 1
        said = self.count(text)
        self.hits.update(said)
        self.local.update(said)
        return text

    def must(self, candidates: Iterable[str]) -> str:
        """The first candidate that fits, else the first new one: this has to be said."""
        options = list(candidates)
        fresh = [t for t in options if self.is_new(t)] or options
        return self.take(next((t for t in options if self.fits(t)), fresh[0]))

    def room(self, key: str) -> int:
        """How many more times ``key`` may be said in this section."""
        overall = self.caps[key] - self.hits[key]
        return min(overall, self.local_caps.get(key, overall) - self.local[key])

    def begin_section(self, caps: dict[str, int]) -> None:
        """Start a section that may name each concept ``caps[keyword]`` more times."""
        self.local_caps = caps
        self.local = Counter()
        self.since_question = QUESTION_GAP

    def rotation(self, key: str, frames: list[str]) -> list[str]:
        """``frames`` from this key's cursor on; the cursor moves one step per call."""
        if not frames:
            return []
        if key not in self.cursors:
            self.cursors[key] = self.rng.randrange(len(frames))
        start = self.cursors[key]
        self.cursors[key] += 1
        return [frames[(start + i) % len(frames)] for i in range(len(frames))]


def _point(sentence: str) -> str:
    """A lower-case sentence without its lead-in: the point it makes."""
    for lead in _LEADS:
        if sentence.startswith(lead.lower()):
            return sentence[len(lead) :]
    return sentence


def _render(frame: str, c: Concept | None, p: Concept | None, extra: dict[str, str]) -> str | None:
    """The frame filled in, or None when it needs a concept there is none of.

    A concept without a name of its own (the topic's question) is never called a term.
    """
    names_c = "{c}" in frame or "{C}" in frame
    if (p is None and "{p" in frame) or (c is None and names_c):
        return None
    if c is not None and names_c and not c.nameable and re.search(r"\b(term|name)\b", frame):
        return None
    fields = dict(extra)
    if c is not None:
        fields |= c.fields()
    if p is not None:
        fields |= p.fields("p")
    return frame.format(**fields)


def _with_lead(frame: str, lead: str) -> str:
    """The frame opened by a lead-in ("Put simply,"), its own first word lower-cased."""
    if frame.startswith(("{C}", "{P}")):
        return f"{lead} {{{frame[1].lower()}}}{frame[3:]}"
    first = frame.split(maxsplit=1)[0]
    if first == "I" or any(ch.isupper() for ch in first[1:]):
        return f"{lead} {frame}"
    return f"{lead} {frame[:1].lower()}{frame[1:]}"


def _candidates(
    writer: _Writer,
    key: str,
    frames: list[str],
    c: Concept | None = None,
    p: Concept | None = None,
    extra: dict[str, str] | None = None,
    leads: bool = False,
) -> Iterator[str]:
    """Every way to say one beat: each frame as written, then (``leads``) with a lead-in."""
    ordered = writer.rotation(key, frames)
    for frame in ordered:
        if text := _render(frame, c, p, extra or {}):
            yield text
    if not leads:
        return
    for lead in writer.rotation("lead", _PHRASES["flow"]["lead"]):
        for frame in ordered:
            if text := _render(_with_lead(frame, lead), c, p, extra or {}):
                yield text


def _fill(
    writer: _Writer, beats: Iterable[_Beat], budget: int, count: int, min_one: bool
) -> list[str]:
    """Sentences from successive beats until ``budget`` words, stopping where it lands closest.

    ``count`` words are already spoken for; with ``min_one`` at least one sentence is said. A
    beat with nothing left to say is skipped, and a long run of those ends the fill, so a
    topic with a single keyword cannot loop forever.
    """
    out: list[str] = []
    misses = 0
    for options, needs in beats:
        overshot = False
        for text in options:
            n = _words(text)
            if (needs and budget - count - n < needs) or not writer.fits(text):
                continue
            if (out or not min_one) and count + n / 2 > budget:
                overshot = True  # a shorter way to say it may still fit
                continue
            out.append(writer.take(text))
            count += n
            misses = 0
            break
        else:
            if overshot:
                return out
            misses += 1
            if misses > MAX_MISSES:
                return out
    return out


def _concepts(topic: str, keywords: list[str]) -> list[Concept]:
    """The ideas the script explains: the trend's related keywords, else the topic itself."""
    own = keywords_from(topic, [])
    related = [k.strip() for k in keywords if k.strip() and k.strip().lower() not in own]
    if related:
        return [Concept.of(k) for k in dict.fromkeys(related)][:MAX_CONCEPTS]
    phrase = proper_case(topic_phrase(topic))
    if _kind(phrase) != "noun":
        # A question has no name to put in a heading; sentences call it "the question".
        return [Concept(own[0] if own else phrase, _as_subject(phrase), False, nameable=False)]
    noun = _noun(phrase)
    return [Concept(noun.lower(), noun, _is_plural(noun))]


def _kind(phrase: str) -> str:
    """What the topic is: "clause" ("how …"), "direct" ("is …?") or "noun" ("inflation")."""
    first = phrase.split(maxsplit=1)[0].lower() if phrase.strip() else ""
    return "clause" if first in CLAUSE_WORDS else "direct" if first in DIRECT_WORDS else "noun"


def _as_subject(phrase: str) -> str:
    """The topic as a noun phrase: "the question of why the sky is blue"."""
    kind = _kind(phrase)
    if kind == "clause":
        return f"the question of {phrase}"
    return f'the question "{phrase}"' if kind == "direct" else _noun(phrase)


def _noun(phrase: str) -> str:
    """The thing a topic names, without "explained" or "basics"."""
    for suffix in NOUN_SUFFIXES:
        if phrase.lower().endswith(suffix) and len(phrase) > len(suffix):
            return phrase[: -len(suffix)]
    return phrase


def _arc(content_type: ContentType, n_sections: int) -> list[tuple[str, str]]:
    arc = list(ARCS[content_type])
    for role in DROP_FIRST[content_type]:
        if len(arc) > n_sections:
            arc = [(h, r) for h, r in arc if r != role]
    return arc[:n_sections]


def _heading(label: str, role: str, focal: Concept, first: bool) -> str:
    template = (PERSON_HEADINGS.get(role) if focal.person else None) or NAMED_HEADINGS.get(role)
    if first or not focal.nameable or not template:
        return label
    return capitalized(template.format(**focal.fields()))


def _cues(focal: Concept, label: str, topic_keyword: str) -> list[VisualCue]:
    """What the visuals stage shows: the section's key phrase, and footage of its concept.

    No chart: the writer has no data about the subject, and a chart would have to invent it.
    """
    phrase = capitalized(focal.name) if focal.nameable else label
    if len(phrase) > 40:
        phrase = phrase[:40].rsplit(" ", 1)[0]
    search = list(dict.fromkeys(k for k in (focal.keyword, topic_keyword) if k))
    return [
        VisualCue(kind="text_overlay", text=phrase),
        VisualCue(kind="stock_footage", text=phrase, keywords=search),
    ]


def write(
    topic: str, keywords: list[str], content_type: ContentType, target_words: int
) -> TemplateScript:
    """Write a hook, 3–5 sections, a summary and a call to action of about ``target_words``.

    Every related keyword is introduced as a concept in the section it leads, referred back
    to later, and named again in the summary; no sentence is said twice.
    """
    seed = int.from_bytes(hashlib.sha256(f"{content_type}:{topic}".encode()).digest()[:8], "big")
    own = keywords_from(topic, [])
    concepts = _concepts(topic, keywords)
    writer = _Writer(
        random.Random(seed), [*keywords, *own, *(c.keyword for c in concepts)], target_words
    )
    phrase = proper_case(topic_phrase(topic))
    names = _joined([c.name for c in concepts if c.nameable] or [""])
    n_sections = 3 if target_words <= 300 else 4 if target_words <= 1500 else 5
    arc = _arc(content_type, n_sections)

    # What has to be said is written first, so the keyword limits leave room for it: the
    # opening question, each concept's introduction, the recap and the call to action.
    opener = _opening(writer, phrase)
    plans: list[_Plan] = []
    for i, (label, role) in enumerate(arc):
        focal = concepts[i % len(concepts)]
        new = concepts[i :: len(arc)]
        defines = _PHRASES["intro"]["define"]
        if target_words < SHORT_SCRIPT:  # a few seconds of video: the shortest introductions
            defines = sorted(defines, key=len)[:3]
        intros = [writer.must(_candidates(writer, "define", defines, c)) for c in new]
        plans.append(_Plan(_heading(label, role, focal, i == 0), role, focal, new, intros))
    summary_budget = min(80, max(1, target_words // 10))
    recap = _recap(writer, plans, concepts, summary_budget)
    cta = _cta(writer, target_words)

    hook_budget = min(60, max(1, target_words // 10))
    hook = [opener, *_hook_extras(writer, content_type, names, hook_budget - _words(opener))]
    summary = _summary(writer, _as_subject(phrase), recap, summary_budget)
    used = sum(_words(t) for t in [*hook, *summary, cta])
    sections: list[Section] = []
    introduced: list[Concept] = []
    for done, plan in enumerate(plans):
        # Each section gets an equal share of what is left, so overshoots do not add up.
        budget = max(1, (target_words - used) // (len(plans) - done))
        previous = plans[done - 1].focal if done else None
        introduced += plan.new
        caps = _shares(writer, plans[done:], introduced)
        said = _section(writer, plan, previous, introduced, caps, budget, first=done == 0)
        narration = " ".join(said)
        used += _words(narration)
        cues = _cues(plan.focal, arc[done][0], own[0] if own else "")
        sections.append(Section(heading=plan.heading, narration=narration, visual_cues=cues))
    return TemplateScript(
        hook=" ".join(hook), sections=sections, summary=" ".join(summary), cta=cta
    )


def _shares(writer: _Writer, plans: list[_Plan], introduced: list[Concept]) -> dict[str, int]:
    """How often this section (``plans[0]``) may name each concept it can refer to.

    What is left of each concept's allowance, after the introductions and recap already
    written, is spread over the sections still to come: ``FOCAL_WEIGHT`` shares where the
    concept leads, one where it is referred back to.
    """
    caps: dict[str, int] = {}
    for concept in introduced:
        weights = [FOCAL_WEIGHT if plan.focal is concept else 1 for plan in plans]
        left = writer.caps[concept.keyword] - writer.hits[concept.keyword]
        caps[concept.keyword] = max(1, left * weights[0] // sum(weights))
    return caps


def _opening(writer: _Writer, phrase: str) -> str:
    """The hook's first sentence: always a question about the topic."""
    kind = _kind(phrase)
    if kind == "direct":
        return writer.take(capitalized(phrase) + "?")
    subject = phrase if kind == "clause" else _noun(phrase)
    return writer.must(
        _candidates(writer, "hook", _PHRASES["hook"][kind], extra={"topic": subject})
    )


def _hook_extras(writer: _Writer, content_type: ContentType, names: str, budget: int) -> list[str]:
    """After the question: a promise, the concepts to come, and an invitation to start."""
    hook = _PHRASES["hook"]
    preview = hook["preview"] if names else []
    beats = [
        (_candidates(writer, "promise", hook["promise"][content_type.value]), 0),
        (_candidates(writer, "preview", preview, extra={"list": names}), 0),
        (_candidates(writer, "go", hook["go"]), 0),
    ]
    return _fill(writer, beats, budget, 0, min_one=False)


def _recap(writer: _Writer, plans: list[_Plan], concepts: list[Concept], budget: int) -> list[str]:
    """The summary's recap: each section's concept by name, or one sentence naming them all."""
    frames = _PHRASES["summary"]["recap"]
    full = [
        list(
            _candidates(
                writer,
                "recap:" + plan.role,
                frames[plan.role],
                _group(plan.new) if plan.new else plan.focal,
            )
        )
        for plan in plans
        if plan.focal.nameable
    ]
    if len(concepts) > 1 and full and sum(_words(options[0]) for options in full) <= budget:
        return [writer.must(options) for options in full]
    if len(concepts) == 1:
        one = _PHRASES["summary"]["compact_one"]
        return [writer.must(_candidates(writer, "compact_one", one, concepts[0]))]
    compact = _PHRASES["summary"]["compact"]
    names = _joined([c.name for c in concepts])
    return [writer.must(_candidates(writer, "compact", compact, extra={"list": names}))]


def _summary(writer: _Writer, phrase: str, recap: list[str], budget: int) -> list[str]:
    """The recap, opened by a line naming the topic and closed by a takeaway, as room allows."""
    summary = _PHRASES["summary"]
    count = sum(_words(t) for t in recap)
    opening = _fill(
        writer,
        [(_candidates(writer, "summary:open", summary["open"], extra={"topic": phrase}), 0)],
        budget,
        count,
        min_one=False,
    )
    count += sum(_words(t) for t in opening)
    closers = [
        (_candidates(writer, "summary:close", summary["close"]), 0) for _ in summary["close"]
    ]
    return [*opening, *recap, *_fill(writer, closers, budget, count, min_one=False)]


def _cta(writer: _Writer, target_words: int) -> str:
    """Ask to subscribe and to comment: two sentences, or one in a very short script."""
    cta = _PHRASES["cta"]
    if target_words < SHORT_SCRIPT:
        return writer.must(cta["short"])
    subscribe = writer.must(_candidates(writer, "subscribe", cta["subscribe"]))
    return subscribe + " " + writer.must(_candidates(writer, "comment", cta["comment"]))


def _section(
    writer: _Writer,
    plan: _Plan,
    previous: Concept | None,
    introduced: list[Concept],
    caps: dict[str, int],
    budget: int,
    first: bool,
) -> list[str]:
    """One section: a bridge from the one before, its introductions, its beats, a close."""
    writer.begin_section(caps)
    count = sum(_words(t) for t in plan.intros)
    before: list[str] = []
    if not first:
        bridge = _candidates(
            writer, "bridge:" + plan.role, _PHRASES["bridge"][plan.role], p=previous
        )
        before = _fill(writer, [(bridge, 0)], budget, count, min_one=False)
        count += sum(_words(t) for t in before)
    after: list[str] = []
    if any(c.nameable for c in plan.new) and budget >= 80:
        follow = _candidates(writer, "follow", _PHRASES["intro"]["follow"])
        after = _fill(writer, [(follow, 0)], budget, count, min_one=False)
        count += sum(_words(t) for t in after)
    body = _PHRASES["body"][plan.role]
    # The closing line is chosen first so that the body leaves room for it.
    close = _fill(
        writer,
        [(_candidates(writer, "close:" + plan.role, body["close"], plan.focal), 0)],
        budget,
        count,
        min_one=False,
    )
    count += sum(_words(t) for t in close)
    opening: list[str] = []
    if budget >= 60:
        opening = _fill(
            writer,
            [(_candidates(writer, "open:" + plan.role, body["open"]), 0)],
            budget,
            count,
            min_one=False,
        )
        count += sum(_words(t) for t in opening)
    beats = _beats(writer, plan, introduced, question_first=first)
    middle = _fill(writer, beats, budget, count, min_one=not (plan.intros or close))
    if first:  # no bridge to lead in: the opening line comes before the introductions
        return [*opening, *plan.intros, *after, *middle, *close]
    return [*before, *plan.intros, *after, *opening, *middle, *close]


def _beats(
    writer: _Writer, plan: _Plan, introduced: list[Concept], question_first: bool
) -> Iterator[_Beat]:
    """The section's beats, pass after pass; each pass after the first turns to a concept.

    In the script's first section the question to the audience comes first, so even the
    shortest script asks one; later, the role's questions come every third pass. After the
    first pass each pass opens with an angle on the next concept the section has room to
    name, and every other pass ends with a general thought (which, once all are said, may be
    said again in new words).
    """
    beats: list[list[str]] = _PHRASES["body"][plan.role]["beats"]
    if question_first:
        asks = [b for b in beats if all(f.endswith("?") for f in b)][:1]
        beats = asks + [b for b in beats if b not in asks]
    flow = _PHRASES["flow"]
    order = [plan.focal, *(c for c in introduced if c is not plan.focal)]
    c = plan.focal
    for cycle in range(1000):
        if cycle:
            # Turn to the next concept this section still has room to name, else stay.
            at = order.index(c)
            c = next((k for k in order[at + 1 :] + order[:at] if writer.room(k.keyword) > 1), c)
            yield _angle(writer, c), 40
        others = [k for k in introduced if k is not c]
        p = others[cycle % len(others)] if others else None
        for i, frames in enumerate(beats):
            if cycle % 3 == 0 or not all(f.endswith("?") for f in frames):
                yield _candidates(writer, f"{plan.role}:{i}", frames, c, p), 0
        if cycle % 2:
            yield _candidates(writer, "reflect", flow["reflect"], leads=True), 0


def _angle(writer: _Writer, c: Concept) -> Iterator[str]:
    """A new pass's opening: a transition, an angle that names ``c``, and one thought on it.

    Without a transition left to say, the angle opens the pass on its own.
    """
    angles = [
        t for frame in writer.rotation("angle", _ANGLES) if (t := _render(frame, c, None, {}))
    ]
    transitions = writer.rotation("transition", _PHRASES["flow"]["transition"])
    fresh = [t for t in transitions if writer.is_new(t)]
    for angle in angles:
        if writer.fits(angle):  # a transition names no keyword, so it changes nothing here
            yield from (f"{transition} {angle}" for transition in fresh)
            yield angle
