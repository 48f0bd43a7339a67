"""The voice stage's core: raw speech becomes the delivered narration and its subtitles.

Files in the video folder:

- ``work/voice_raw.wav``: the engine's speech, 16-bit mono at the engine's rate;
- ``work/voice_paced.wav``: the same with its long pauses shortened (when any were);
- ``narration.wav``: the master the renderer muxes (48 kHz stereo, -14 LUFS, music mixed
  under it when a music folder is set); ``work/voice_master.wav`` is the voice alone then;
- ``subtitles.srt``, ``subtitles.vtt``: cues timed on ``narration.wav``.
"""

from __future__ import annotations

from pathlib import Path

from ytempire.models import TIMED_TEXTS, Narration, Script, Synthesis, TimedText, VoiceProfile
from ytempire.voice.assemble import TURN_PAUSE_S
from ytempire.voice.master import SAMPLE_RATE, master
from ytempire.voice.pauses import shorten_pauses
from ytempire.voice.piper_engine import PiperEngine
from ytempire.voice.subtitles import cues_from_sentences, to_srt, to_vtt
from ytempire.voice.synthesis import synthesize
from ytempire.workspace import VideoFolder, write_text

RAW_NAME = "voice_raw.wav"
NARRATION_NAME = "narration.wav"
PACED_NAME = "voice_paced.wav"
WORDS_NAME = "words.json"


def narrate(
    script: Script,
    profile: VoiceProfile,
    folder: VideoFolder,
    *,
    music_dir: Path | None = None,
    music_below_speech_db: float = 20.0,
    max_pause_s: float | None = None,
) -> Narration:
    """Speak ``script`` with the offline Piper voice and finish it (see :func:`finish`).

    Offline narration costs nothing. Raises ``NarrationError`` if a block of the script has
    no speakable text.
    """
    synthesis = synthesize(PiperEngine(profile), script.blocks(), folder.work / RAW_NAME)
    return finish(
        synthesis,
        folder,
        music_dir=music_dir,
        music_below_speech_db=music_below_speech_db,
        max_pause_s=max_pause_s,
    )


def finish(
    synthesis: Synthesis,
    folder: VideoFolder,
    *,
    music_dir: Path | None = None,
    music_below_speech_db: float = 20.0,
    max_pause_s: float | None = None,
) -> Narration:
    """Master ``synthesis`` into ``narration.wav`` and write its subtitles, each atomically.

    With ``max_pause_s``, pauses longer than that are first shortened in the raw speech
    (:func:`ytempire.voice.pauses.shorten_pauses`), so every timing follows the cut audio;
    a dialogue keeps its gaps between turns (``TURN_PAUSE_S``) even under a tighter limit.

    Every timing (sentences, words, subtitles) is moved by the silence mastering cut from
    the start, so it is seconds into ``narration.wav``; the duration is that file's. The
    engine, cost and fallbacks carry over; what mastering skipped (a music folder without
    a usable track) is added to the fallbacks.
    """
    raw_audio = synthesis.audio_path  # the engine's own, kept as it spoke
    if max_pause_s is not None:
        if any(s.speaker for s in synthesis.sentences):
            max_pause_s = max(max_pause_s, TURN_PAUSE_S)
        synthesis = shorten_pauses(synthesis, max_pause_s, folder.work / PACED_NAME)
    mastered = master(
        synthesis.audio_path,
        folder / NARRATION_NAME,
        work_dir=folder.work,
        music_dir=music_dir,
        music_key=folder.path.name,
        music_below_speech_db=music_below_speech_db,
    )
    duration = mastered.duration_s
    sentences = shifted(synthesis.sentences, mastered.offset_s, duration)
    words = shifted(synthesis.words, mastered.offset_s, duration)
    cues = cues_from_sentences(sentences, duration, words)
    srt_path = write_text(folder / "subtitles.srt", to_srt(cues))
    write_text(folder / "subtitles.vtt", to_vtt(cues))
    words_path = (
        write_text(folder / WORDS_NAME, TIMED_TEXTS.dump_json(words).decode()) if words else None
    )
    return Narration(
        engine=synthesis.engine,
        cost_usd=synthesis.cost_usd,
        fallbacks=[*synthesis.fallbacks, *mastered.notes],
        audio_path=mastered.path,
        subtitles_path=srt_path,
        duration_s=duration,
        sample_rate=SAMPLE_RATE,
        sentences=sentences,
        words=words,
        words_path=words_path,
        raw_audio_path=raw_audio,
        voice_path=mastered.voice_path if mastered.voice_path != mastered.path else None,
        music_path=mastered.music_path,
        loudness_lufs=round(mastered.loudness_lufs, 2),
        true_peak_dbtp=round(mastered.true_peak_dbtp, 2),
        characters=synthesis.characters,
    )


def shifted(items: list[TimedText], shift: float, end: float) -> list[TimedText]:
    """``items`` moved ``shift`` seconds earlier, kept inside ``[0, end]``; an item pushed
    entirely out of the audio is dropped."""
    moved = []
    for item in items:
        start = min(max(item.start - shift, 0.0), end)
        stop = min(max(item.end - shift, start), end)
        if stop > start or item.end <= item.start:
            moved.append(item.model_copy(update={"start": start, "end": stop}))
    return moved
