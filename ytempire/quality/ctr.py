"""A documented heuristic for a thumbnail's click-through rate, to rank A/B variants.

This is not a trained model: it turns what thumbnail guides agree on into six scores in
0..1, weighs them, and maps the sum onto the range most channels' impressions CTR falls in
(YouTube Help: "half of all channels and videos on YouTube have an impressions CTR ranging
from 2% to 10%"). Its job is to order three variants of one video sensibly before any real
impressions exist; the absolute figure is a rough prior. Every factor is kept on the
``Thumbnail`` (``ctr_factors``), so the weights can be fitted to measured CTR: the
thumbnail-tests flow fits them to what its tests on YouTube measured and keeps each fit as a
version (``ytempire.learning.thumbnail_tests``); ``rank`` takes the latest version when given
it, these hand-set weights otherwise.

| factor | weight | measured as | scores 1 at |
|---|---|---|---|
| text contrast | 0.25 | WCAG ratio of the overlay text (``quality.images``) | ≥ 7 (AAA); 0 at ≤ 3 |
| faces | 0.20 | frontal faces (Haar cascade), size of the largest | a face ≥ 5% of the frame |
| text area | 0.15 | the text box's share of the frame | 8%–30%; 0 at 0 and at ≥ 60% |
| saturation | 0.15 | mean HSV saturation | 0.35–0.70; 0 at ≤ 0.05, 0.6 at 1 |
| word count | 0.15 | words of overlay text | 2–5 words; 1 word 0.6, 6: 0.8, 7: 0.6, more 0.4 |
| image contrast | 0.10 | RMS contrast of luma | ≥ 0.25 |

Why these: text must be read at a glance on a phone (contrast, enough size, few words);
faces with expression draw the eye; saturated, contrasty images stand out in a grid of
other thumbnails, while garish saturation and text covering the picture do not help.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from pydantic import BaseModel, Field

from ytempire.models import Thumbnail
from ytempire.quality.images import ThumbnailMetrics, measure_thumbnail
from ytempire.voice.words import split_words
from ytempire.workspace import write_json

WEIGHTS: dict[str, float] = {
    "text_contrast": 0.25,
    "faces": 0.20,
    "text_area": 0.15,
    "saturation": 0.15,
    "word_count": 0.15,
    "image_contrast": 0.10,
}
# Predicted CTR = BASE_CTR + CTR_SPAN × score: the 2%–10% band YouTube describes.
BASE_CTR = 0.02
CTR_SPAN = 0.08
_WORD = re.compile(r"[\w'’&+-]+")


class CtrEstimate(BaseModel):
    """The heuristic's verdict on one image."""

    score: float = Field(ge=0, le=1, description="weighted sum of the factors")
    predicted_ctr: float = Field(ge=0, le=1)
    factors: dict[str, float]


def _ramp(value: float, low: float, high: float) -> float:
    """0 at or below ``low``, 1 at or above ``high``, linear between."""
    if high <= low:
        return 1.0 if value >= high else 0.0
    return max(0.0, min(1.0, (value - low) / (high - low)))


def _plateau(value: float, zero_at: float, full_from: float, full_to: float, end: float) -> float:
    """Rises from 0 at ``zero_at`` to 1 at ``full_from``, stays 1 to ``full_to``, then falls
    linearly to ``end`` (the score at 1.0 and beyond for saturation-like inputs)."""
    if value <= full_from:
        return _ramp(value, zero_at, full_from)
    if value <= full_to:
        return 1.0
    return max(0.0, 1.0 - (1.0 - end) * _ramp(value, full_to, 1.0))


def overlay_words(text: str) -> int:
    """The words of a thumbnail's text: its spaced words, and a run of Japanese or Chinese
    (written without spaces) as many words as BudouX cuts it into phrases
    (``ブラックホールの蒸発``: 2)."""
    count = 0
    for token in text.split():
        phrases = split_words(token)
        count += len(_WORD.findall(token)) if phrases == [token] else len(phrases)
    return count


def word_count_score(words: int) -> float:
    """Few words are read at a glance: 2–5 best, a single word says too little."""
    if words <= 0:
        return 0.0
    return {1: 0.6, 2: 1.0, 3: 1.0, 4: 1.0, 5: 1.0, 6: 0.8, 7: 0.6}.get(words, 0.4)


def text_area_score(share: float | None) -> float:
    """Text big enough to read on a phone, without burying the picture."""
    if share is None or share <= 0:
        return 0.0
    if share < 0.08:
        return share / 0.08
    if share <= 0.30:
        return 1.0
    return max(0.0, 1.0 - (share - 0.30) / 0.30)


def faces_score(faces: int, largest_share: float) -> float:
    """No face 0; any face 0.5, rising to 1 as the largest reaches 5% of the frame."""
    if faces <= 0:
        return 0.0
    return 0.5 + 0.5 * _ramp(largest_share, 0.0, 0.05)


def factor_scores(metrics: ThumbnailMetrics, overlay_text: str) -> dict[str, float]:
    """Each factor's score in 0..1 (see the module's table)."""
    ratio = metrics.text_contrast_ratio
    return {
        "text_contrast": _ramp(ratio, 3.0, 7.0) if ratio is not None else 0.0,
        "faces": faces_score(metrics.faces, metrics.face_share),
        "text_area": text_area_score(metrics.text_area_share),
        "saturation": _plateau(metrics.saturation, 0.05, 0.35, 0.70, 0.6),
        "word_count": word_count_score(overlay_words(overlay_text)),
        "image_contrast": _ramp(metrics.rms_contrast, 0.0, 0.25),
    }


def estimate(
    metrics: ThumbnailMetrics, overlay_text: str, weights: Mapping[str, float] | None = None
) -> CtrEstimate:
    """The heuristic's score and predicted CTR for an image with these metrics and text,
    weighed by ``weights`` (fitted ones) or ``WEIGHTS``."""
    factors = {k: round(v, 4) for k, v in factor_scores(metrics, overlay_text).items()}
    weighs = weights or WEIGHTS
    score = sum(weighs.get(k, 0.0) * v for k, v in factors.items())
    return CtrEstimate(
        score=round(score, 4), predicted_ctr=round(BASE_CTR + CTR_SPAN * score, 4), factors=factors
    )


def rank(
    thumbnails: list[Thumbnail], weights: Mapping[str, float] | None = None
) -> list[Thumbnail]:
    """``thumbnails`` measured, scored (by ``weights``, or ``WEIGHTS``) and sorted by
    predicted CTR, best first (ties keep their order). Each comes back with
    ``predicted_ctr``, ``ctr_factors``, ``faces`` and ``text_contrast_ratio`` filled in."""
    scored: list[Thumbnail] = []
    for thumb in thumbnails:
        metrics = measure_thumbnail(thumb.path, thumb.text_box)
        verdict = estimate(metrics, thumb.title_text, weights)
        scored.append(
            thumb.model_copy(
                update={
                    "predicted_ctr": verdict.predicted_ctr,
                    "ctr_factors": verdict.factors,
                    "faces": metrics.faces,
                    "text_contrast_ratio": metrics.text_contrast_ratio,
                }
            )
        )
    return sorted(scored, key=lambda t: -(t.predicted_ctr or 0.0))


def put_first(ranked: list[Thumbnail], template: str | None) -> list[Thumbnail]:
    """``ranked`` with ``template``'s variant first (the one uploaded), the others in their
    order; unchanged for no template. ``ValueError`` (one line) for a template none has."""
    if template is None:
        return ranked
    chosen = [t for t in ranked if t.template == template]
    if not chosen:
        made = ", ".join(sorted({t.template for t in ranked}))
        raise ValueError(f"thumbnail template {template!r} is not one of {made}")
    return [*chosen, *(t for t in ranked if t.template != template)]


def write_ranking(
    destination: Path,
    ranked: list[Thumbnail],
    weights_version: int | None = None,
    template: str | None = None,
) -> Path:
    """``ranking.json``: the variants best first, ``primary`` naming the one to upload, which
    weights ranked them (a fitted version, or the hand-set ones) and, where an experiment's
    arm chose the uploaded template, that template."""
    return write_json(
        destination,
        {
            "primary": ranked[0].path.name if ranked else None,
            "primary_chosen_by": f"thumbnail_template arm ({template})" if template else "ctr",
            "heuristic": "ytempire.quality.ctr (documented in docs/thumbnails.md)",
            "weights": f"fitted v{weights_version}" if weights_version else "hand-set",
            "variants": [t.model_dump(mode="json") for t in ranked],
        },
    )
