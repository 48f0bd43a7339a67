"""The offline script writer: a structured explainer built from the topic and its keywords.

It is the engine that runs with no model at all, so it says what it is (``engine="template"``).
The arc follows the seed's prompt templates per content type (educational: problem → solution
→ examples → summary; entertainment: setup → conflict → resolution; news commentary: summary →
analysis → opinion → conclusion), and it writes close to ``minutes × 150`` words. Choices are
seeded by the topic, so the same job always gets the same script.
"""

from __future__ import annotations

import hashlib
import random
import re

from ytempire.models import ContentType, Section, VisualCue

ENGINE = "template"

STOP_WORDS = frozenset(
    "a an and are as at be by can do does for from has have how in into is it its of on or "
    "that the their this to was what when where which who why will with you your".split()
)

# Section arcs per content type: (heading, the role its sentences play).
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
        ("The twist", "example"),
        ("How it resolves", "resolution"),
        ("Why we can't stop watching", "stakes"),
    ],
    ContentType.news_commentary: [
        ("What happened", "news"),
        ("The analysis", "mechanism"),
        ("Our take", "opinion"),
        ("What to watch next", "stakes"),
        ("The bigger picture", "misconception"),
    ],
}

# Sentence banks. {topic} is the topic as a lower-case phrase, {kw} a keyword, {Kw} capitalised.
# The topic itself appears only in the hook and the summary: repeated in every section it
# would push keyword density past the 4% that reads as stuffing.
BANK: dict[str, list[str]] = {
    "hook": [
        "What if everything you assumed about {topic} was only half the story?",
        "Here is a question that sounds simple: what is really going on with {topic}?",
        "In the next few minutes, {topic} is going to make a lot more sense.",
    ],
    "problem": [
        "Most explanations skip the part that actually matters.",
        "The trouble starts with {kw}, which sounds technical but is easy to picture.",
        "People hear about {kw} all the time, yet few could explain it to a friend.",
        "The core puzzle is simple to state and surprisingly hard to answer.",
        "So why is this so often misunderstood?",
        "Part of the problem is that {kw} happens on scales we never see directly.",
    ],
    "mechanism": [
        "Here is the key idea: {kw} drives the whole process.",
        "Think of it step by step, starting with {kw}.",
        "Once {kw} is in place, the next step follows almost by itself.",
        "Each step is small, but together they add up to something big.",
        "The process is slow at first, and then it speeds up.",
        "A good way to picture {kw} is as a steady leak rather than a sudden burst.",
        "That is the mechanism in plain words, without the heavy math.",
    ],
    "example": [
        "Let's make this concrete with {kw}.",
        "Picture a simple case, where {kw} is the only thing that changes.",
        "In that case, the result is easy to predict, and it matches what we measure.",
        "Scientists and engineers use exactly this kind of example to test the idea.",
        "If you change {kw}, the outcome changes in a way you can almost guess.",
        "That single example tells you most of what you need to know.",
    ],
    "misconception": [
        "A common mistake is to think {kw} works like everyday experience suggests.",
        "It does not, and that is exactly what makes the subject interesting.",
        "Another myth is that {kw} is rare, when in fact it shows up everywhere.",
        "The real picture is simpler, and a little stranger.",
        "Ask yourself: where did you first hear about {kw}?",
    ],
    "stakes": [
        "This matters more than it seems.",
        "Understanding {kw} changes how we think about the whole subject.",
        "It also points to open questions that researchers are still chasing.",
        "And it is a reminder that simple rules can have huge effects.",
        "The next time {kw} comes up, you will know what sits behind it.",
    ],
    "setup": [
        "It starts, as these stories often do, with {kw}.",
        "At first glance, nothing here looks unusual.",
        "Everyone involved thought they knew how this would go.",
        "Then {kw} entered the picture.",
    ],
    "conflict": [
        "This is where things get strange.",
        "{Kw} refuses to behave the way anyone expected.",
        "Can you guess what happened next?",
        "The more people looked at it, the less sense it made.",
        "Every attempt to explain it away only made the puzzle deeper.",
    ],
    "resolution": [
        "In the end, the answer was hiding in plain sight.",
        "Once you see the role of {kw}, the whole story clicks into place.",
        "It is a satisfying ending, and a useful one.",
        "The lesson sticks, because it came from a surprise.",
    ],
    "news": [
        "Here is what happened, in plain terms.",
        "The latest developments around {kw} have put this story back in the spotlight.",
        "Several reports point in the same direction.",
        "The headline numbers are striking, but the details matter more.",
    ],
    "opinion": [
        "Our view is that the reaction to {kw} has been too quick.",
        "There is a real story here, but it is not the one most headlines tell.",
        "Reasonable people can disagree, and that is fine.",
        "What would change our mind? Clear evidence about {kw}.",
    ],
    "summary": [
        "So, to sum up {topic}:",
        "{Kw} is the heart of it, and everything else follows.",
        "Keep that one idea in mind and the rest is easy to remember.",
    ],
    "cta": [
        "If this helped, subscribe for a new explainer every week.",
        "Tell us in the comments what you want us to cover next.",
    ],
}


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


class TemplateScript:
    """The pieces of a template-written script, before they become a ``Script`` model."""

    def __init__(self, hook: str, sections: list[Section], summary: str, cta: str) -> None:
        self.hook, self.sections, self.summary, self.cta = hook, sections, summary, cta


def write(
    topic: str, keywords: list[str], content_type: ContentType, target_words: int
) -> TemplateScript:
    """Write a hook, 3–5 sections, a summary and a call to action of about ``target_words``."""
    seed = int.from_bytes(hashlib.sha256(f"{content_type}:{topic}".encode()).digest()[:8], "big")
    rng = random.Random(seed)
    phrase = topic_phrase(topic)
    # Sentences name concepts: prefer the trend's related keywords to the topic's own words.
    own = keywords_from(topic, [])
    kws = [k for k in keywords if k not in own] or keywords or own
    n_sections = 3 if target_words <= 300 else 4 if target_words <= 1500 else 5
    cta_sentences = BANK["cta"] if target_words >= 100 else BANK["cta"][:1]

    def fill(role: str, words: int) -> str:
        bank = BANK[role]
        sentences: list[str] = []
        count = 0
        order = rng.sample(range(len(bank)), len(bank))
        i = 0
        while True:
            template = bank[order[i % len(order)]]
            kw = kws[(i + len(sentences)) % len(kws)]
            sentence = template.format(topic=phrase, kw=kw, Kw=kw[:1].upper() + kw[1:])
            n = len(sentence.split())
            # Stop where the count lands closest to the budget, but never at zero sentences.
            if sentences and count + n / 2 > words:
                break
            sentences.append(sentence)
            count += n
            i += 1
            if i % len(order) == 0:  # a full pass: reshuffle so long scripts don't loop verbatim
                order = rng.sample(range(len(bank)), len(bank))
        return " ".join(sentences)

    # Hook and summary grow with length but stay short: viewers decide in the first seconds.
    hook = fill("hook", min(60, max(1, target_words // 10)))
    summary = fill("summary", min(80, max(1, target_words // 10)))
    cta = " ".join(cta_sentences)
    used = sum(len(part.split()) for part in (hook, summary, cta))
    sections = []
    arc = ARCS[content_type][:n_sections]
    for done, (heading, role) in enumerate(arc):
        # Each section gets an equal share of what is left, so overshoots do not add up.
        narration = fill(role, max(1, (target_words - used) // (len(arc) - done)))
        used += len(narration.split())
        cues = [VisualCue(kind="text_overlay", text=narration.split(".")[0][:80])]
        sections.append(Section(heading=heading, narration=narration, visual_cues=cues))
    return TemplateScript(hook=hook, sections=sections, summary=summary, cta=cta)
