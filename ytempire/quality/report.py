"""The quality stage's core: measure every output, compare with thresholds, write quality.json.

Thresholds follow the seed's QUALITY_THRESHOLDS (§4.1) where they fit offline output. Two
deliberate departures, both documented in docs/quality.md: readability is Flesch / 100 ≥ 0.6
("plain English"), and video bitrate has only an upper bound, because static slides need far
less than the seed's 4–6 Mbps and padding them would only waste upload time.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

from ytempire.models import (
    Narration,
    QualityCheck,
    QualityReport,
    RenderedVideo,
    Script,
    ThumbnailSet,
    Timeline,
)
from ytempire.quality.audio import measure_speech
from ytempire.quality.images import measure_thumbnail
from ytempire.quality.script_metrics import measure_script
from ytempire.workspace import write_json

ENGINE = "ytempire-metrics"

Value = float | bool | str | None


class Rule(NamedTuple):
    item: str
    metric: str
    low: float | None
    high: float | None

    def describe(self) -> str:
        if self.low is not None and self.high is not None:
            return f"{self.low} ≤ {self.metric} ≤ {self.high}"
        if self.low is not None:
            return f"{self.metric} ≥ {self.low}"
        return f"{self.metric} ≤ {self.high}"

    def check(self, value: Value) -> QualityCheck:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        if ok and self.low is not None:
            ok = float(value) >= self.low  # type: ignore[arg-type]
        if ok and self.high is not None:
            ok = float(value) <= self.high  # type: ignore[arg-type]
        return QualityCheck(
            item=self.item, name=self.metric, value=value, passed=ok, expectation=self.describe()
        )


RULES = [
    Rule("script", "readability", 0.6, None),
    Rule("script", "length_ratio", 0.9, 1.1),
    Rule("script", "keyword_density", 0.005, 0.05),
    Rule("voice", "words_per_minute", 130, 175),
    Rule("voice", "silence_ratio", None, 0.25),
    Rule("voice", "noise_floor_dbfs", None, -40),
    Rule("voice", "integrated_loudness_lufs", -15, -13),
    Rule("voice", "true_peak_dbtp", None, -1),
    Rule("voice", "clipping_ratio", None, 0),
    Rule("video", "fps", 29.99, 30.01),
    Rule("video", "duration_error_s", None, 0.1),
    Rule("video", "av_offset_ms", None, 50),
    Rule("video", "bitrate_mbps", None, 8),
    Rule("thumbnail", "size_mb", None, 2),
    Rule("thumbnail", "text_contrast_ratio", 4.5, None),
    Rule("thumbnail", "text_visibility", 0.9, None),
]


def _equal(item: str, name: str, value: Value, wanted: Value) -> QualityCheck:
    return QualityCheck(
        item=item, name=name, value=value, passed=value == wanted, expectation=f"= {wanted}"
    )


def assess(
    script: Script,
    target_words: int,
    narration: Narration,
    timeline: Timeline,
    video: RenderedVideo,
    thumbnails: ThumbnailSet,
    destination: Path,
) -> QualityReport:
    """Measure the outputs, check them, and write the report to ``destination``."""
    info = video.info
    metrics: dict[str, Mapping[str, Value]] = {
        "script": measure_script(script, target_words).model_dump(),
        # Pace, silence and noise are the voice's (music would hide them); loudness and
        # peaks are the delivered mix's.
        "voice": measure_speech(
            narration.voice_path or narration.audio_path,
            script.word_count(),
            delivered_path=narration.audio_path,
        ).model_dump(),
        "video": {
            "fps": info.fps,
            "duration_error_s": round(abs(info.video_duration_s - narration.duration_s), 4),
            "av_offset_ms": round(info.av_offset_ms, 2),
            "bitrate_mbps": round(info.bitrate_bps / 1e6, 3),
        },
    }
    checks = [
        rule.check(metrics[rule.item].get(rule.metric)) for rule in RULES if rule.item in metrics
    ]
    checks += [
        _equal("video", "codec", info.video_codec, "h264"),
        _equal(
            "video",
            "resolution",
            f"{info.width}x{info.height}",
            f"{timeline.width}x{timeline.height}",
        ),
        _equal("video", "pixel_format", info.pixel_format, "yuv420p"),
    ]
    recorded: dict[str, dict[str, float | int | str | None]] = {}
    for thumb in thumbnails.variants:
        m = measure_thumbnail(thumb.path, thumb.text_box)
        item = f"thumbnail:{thumb.variant}"
        checks.append(_equal(item, "resolution", f"{m.width}x{m.height}", "1280x720"))
        for rule in RULES:
            if rule.item == "thumbnail":
                value = m.size_bytes / 1e6 if rule.metric == "size_mb" else getattr(m, rule.metric)
                checks.append(rule.check(value).model_copy(update={"item": item}))
        # Seed §4.1 "face_detection": detection runs and is recorded, not gated: a faceless
        # channel's thumbnail rightly has none.
        recorded[item] = {
            "faces": m.faces,
            "face_share": m.face_share,
            "text_area_share": m.text_area_share,
            "predicted_ctr": thumb.predicted_ctr,
        }
    passed = sum(c.passed for c in checks)
    report = QualityReport(
        engine=ENGINE,
        quality_score=round(passed / len(checks), 4),
        path=destination,
        passed=passed == len(checks),
        checks=checks,
        recorded=recorded,
    )
    write_json(destination, report)
    return report
