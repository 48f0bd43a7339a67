"""The voice stage, offline: a script becomes ``narration.wav`` and its subtitles."""

from __future__ import annotations

from ytempire.models import Narration, Script, VoiceProfile
from ytempire.voice import piper_engine
from ytempire.voice.subtitles import cues_from_sentences, to_srt, to_vtt
from ytempire.workspace import VideoFolder, write_text


def narrate(script: Script, profile: VoiceProfile, folder: VideoFolder) -> Narration:
    """Speak ``script`` with the offline Piper voice into the video folder.

    Writes ``narration.wav`` (16-bit mono at the voice's rate), ``subtitles.srt`` and
    ``subtitles.vtt``, each atomically, and returns the ``Narration``: its sentences carry
    their exact times and the index of their block in ``script.blocks()``, and its duration is
    the WAV's length. Offline narration costs nothing. Raises
    ``piper_engine.NarrationError`` if the script has no speakable text.
    """
    audio_path = folder / "narration.wav"
    sentences, duration = piper_engine.synthesize_blocks(script.blocks(), profile, audio_path)
    cues = cues_from_sentences(sentences, duration)
    srt_path = write_text(folder / "subtitles.srt", to_srt(cues))
    write_text(folder / "subtitles.vtt", to_vtt(cues))
    return Narration(
        engine=piper_engine.ENGINE,
        cost_usd=0.0,
        audio_path=audio_path,
        subtitles_path=srt_path,
        duration_s=duration,
        sample_rate=piper_engine.sample_rate(),
        sentences=sentences,
    )
