"""eSpeak NG: the last-resort offline voice, for any of its hundred-odd languages. Robotic.

The library and its data come as a wheel (``espeakng-loader``: ``libespeak-ng.so`` and
``espeak-ng-data``); this module is a small ctypes binding to its synchronous API. Speech
is collected from the synthesis callback, and every ``espeakEVENT_WORD`` event says at which
sample a word of the text starts, so word timings are exact: a word runs from its first
event to the last sound before the next word's. The library keeps process-wide state (one
voice, one callback): one synthesis at a time per process.

Its sound is formant synthesis, intelligible but plainly a machine; the engine's name says
so (``espeak-ng:es+m3 (robotic last resort)``), and so does every stage table that shows it.
"""

from __future__ import annotations

import ctypes
import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from ytempire.voice.assemble import Span, frame_rms
from ytempire.voice.local_engine import LocalEngine
from ytempire.voice.words import split_words

ROBOTIC = "robotic last resort"
# eSpeak's rate at speed 1.0, in its words per minute: with our pauses, 145-165 words a
# minute measured on the one-minute scripts of benchmarks/voices.py (the pipeline writes 150).
BASE_RATE_WPM = 150
# eSpeak's pitch parameter (0-100, 50 its default) per semitone of a profile's pitch.
PITCH_PER_SEMITONE = 4
_SILENCE_DBFS = -50.0

# espeak_AUDIO_OUTPUT, options, espeak_PARAMETER, espeak_POSITION_TYPE, flags, event types
# (speak_lib.h).
_AUDIO_OUTPUT_SYNCHRONOUS = 2
_INITIALIZE_DONT_EXIT = 0x8000
_RATE, _PITCH = 1, 3
_POS_CHARACTER = 1
_CHARS_UTF8 = 1
_EVENT_LIST_TERMINATED, _EVENT_WORD = 0, 1


class _Event(ctypes.Structure):
    _fields_ = [
        ("type", ctypes.c_int),
        ("unique_identifier", ctypes.c_uint),
        ("text_position", ctypes.c_int),  # characters, from 1
        ("length", ctypes.c_int),
        ("audio_position", ctypes.c_int),  # milliseconds
        ("sample", ctypes.c_int),  # samples from the start of this synthesis
        ("user_data", ctypes.c_void_p),
        ("id", ctypes.c_char * 8),
    ]


class _Voice(ctypes.Structure):
    _fields_ = [
        ("name", ctypes.c_char_p),
        ("languages", ctypes.c_void_p),
        ("identifier", ctypes.c_char_p),
        ("gender", ctypes.c_ubyte),
        ("age", ctypes.c_ubyte),
        ("variant", ctypes.c_ubyte),
        ("xx1", ctypes.c_ubyte),
        ("score", ctypes.c_int),
        ("spare", ctypes.c_void_p),
    ]


_Callback = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.POINTER(_Event)
)


class EspeakError(RuntimeError):
    """eSpeak NG refused a call (no such voice, library not loaded)."""


@dataclass
class _Library:
    lib: ctypes.CDLL
    rate: int
    callback: object  # kept referenced: the library calls it
    samples: list[np.ndarray]
    words: list[tuple[int, int]]  # (text position from 1, sample)


_lock = threading.Lock()


@cache
def _library() -> _Library:
    import espeakng_loader

    lib = ctypes.CDLL(espeakng_loader.get_library_path())
    lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
    lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
    lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
    lib.espeak_Synth.argtypes = [
        ctypes.c_char_p,
        ctypes.c_size_t,
        ctypes.c_uint,
        ctypes.c_int,
        ctypes.c_uint,
        ctypes.c_uint,
        ctypes.c_void_p,
        ctypes.c_void_p,
    ]
    lib.espeak_ListVoices.argtypes = [ctypes.c_void_p]
    lib.espeak_ListVoices.restype = ctypes.POINTER(ctypes.POINTER(_Voice))
    # The path is the folder that holds espeak-ng-data.
    home = str(Path(espeakng_loader.get_data_path()).parent).encode()
    rate = lib.espeak_Initialize(_AUDIO_OUTPUT_SYNCHRONOUS, 0, home, _INITIALIZE_DONT_EXIT)
    if rate <= 0:
        raise EspeakError("eSpeak NG did not start (espeak_Initialize failed)")
    state = _Library(lib, rate, None, [], [])

    def collect(wav: ctypes._Pointer[ctypes.c_short], count: int, events: object) -> int:
        if count > 0:
            state.samples.append(np.ctypeslib.as_array(wav, (count,)).copy())
        index = 0
        while (event := events[index]).type != _EVENT_LIST_TERMINATED:  # type: ignore[index]
            if event.type == _EVENT_WORD:
                state.words.append((event.text_position, event.sample))
            index += 1
        return 0

    state.callback = _Callback(collect)
    lib.espeak_SetSynthCallback(state.callback)
    return state


@cache
def languages() -> dict[str, str]:
    """Every language eSpeak NG speaks, lower-case (``es``, ``es-419``, ``en-gb``, ``zh``),
    with the voice file that speaks it best (``es``, ``es-419``, ``en``, ``cmn``)."""
    with _lock:
        table = _library().lib.espeak_ListVoices(None)
    best: dict[str, tuple[int, str]] = {}
    index = 0
    while table[index]:
        voice = table[index].contents
        file = (voice.identifier or b"").decode().rsplit("/", 1)[-1]
        # ``languages``: (priority byte, NUL-terminated name) pairs, ended by a zero byte;
        # the lower the priority, the better the voice speaks that language.
        at = voice.languages
        while (priority := ctypes.string_at(at, 1)) != b"\0":
            name = ctypes.string_at(at + 1).decode().lower()
            if name not in best or priority[0] < best[name][0]:
                best[name] = (priority[0], file)
            at += len(name) + 2
        index += 1
    return {name: file for name, (_, file) in best.items()}


def voice_for(tag: str) -> tuple[str, str] | None:
    """The eSpeak language that speaks BCP-47 ``tag`` and its voice file, its region first
    (``es-MX`` → ``es-mx``, ``es-AR`` → ``es-419``, ``en-GB`` → ``en-gb`` spoken by ``en``,
    ``en-AU`` → ``en``); None if eSpeak speaks no form of it."""
    known = languages()
    wanted = tag.lower()
    code, _, region = wanted.partition("-")
    # Spanish of the Americas is one eSpeak voice: es-419 (Latin America).
    american = {"mx", "ar", "co", "cl", "pe", "ve", "us", "419"}
    candidates = [wanted, f"{code}-419" if code == "es" and region in american else "", code]
    found = next((c for c in candidates if c and c in known), None)
    return None if found is None else (found, known[found])


class EspeakEngine(LocalEngine):
    """eSpeak NG speaking ``language`` (as :func:`voice_for` found it) in a variant (``m3``,
    ``f2``: eSpeak's own voices) at a rate and pitch; named robotic."""

    def __init__(
        self, language: str, variant: str, speed: float = 1.0, pitch_semitones: float = 0.0
    ) -> None:
        super().__init__()
        found = voice_for(language)
        if found is None:
            raise EspeakError(f"eSpeak NG speaks no {language!r}")
        spoken, file = found
        self.voice = f"{file}+{variant}"
        self.words_per_minute = round(BASE_RATE_WPM * speed)
        self.pitch = round(50 + PITCH_PER_SEMITONE * pitch_semitones)
        self.pause_scale = 1.0 / speed
        self.name = f"espeak-ng:{spoken}+{variant} ({ROBOTIC})"

    @property
    def rate(self) -> int:
        return _library().rate

    def cache_key(self) -> str:
        return f"{self.name}|{self.voice}|{self.words_per_minute}|{self.pitch}"

    def speak(self, sentence: str) -> tuple[np.ndarray, list[Span]]:
        words = split_words(sentence)
        if not words:
            return np.zeros(0, dtype=np.int16), []
        # eSpeak reads abbreviations and numbers itself; the text stays as written so that
        # its word events point into the words.
        text = " ".join(sentence.split())
        with _lock:
            state = _library()
            state.samples.clear()
            state.words.clear()
            lib = state.lib
            if lib.espeak_SetVoiceByName(self.voice.encode()) != 0:
                raise EspeakError(f"eSpeak NG has no voice {self.voice!r}")
            lib.espeak_SetParameter(_RATE, self.words_per_minute, 0)
            lib.espeak_SetParameter(_PITCH, self.pitch, 0)
            data = text.encode()
            lib.espeak_Synth(data, len(data) + 1, 0, _POS_CHARACTER, 0, _CHARS_UTF8, None, None)
            lib.espeak_Synchronize()
            audio = np.concatenate(state.samples) if state.samples else np.zeros(0, np.int16)
            events = list(state.words)
        return _timed(audio, self.rate, text, words, events)


def _timed(
    audio: np.ndarray, rate: int, text: str, words: list[str], events: list[tuple[int, int]]
) -> tuple[np.ndarray, list[Span]]:
    """``audio`` cut to its sound, and each of ``words`` timed from eSpeak's word events
    (character position in ``text`` from 1, sample): a word runs from the first sound at or
    after its first event (the event may fall a few milliseconds into the pause before it)
    to the last sound before the next word's event."""
    frame = max(1, round(0.005 * rate))
    loud = frame_rms(audio, rate) > 32768 * 10 ** (_SILENCE_DBFS / 20)
    sounding = np.flatnonzero(loud)
    if not sounding.size:
        return np.zeros(0, dtype=np.int16), []
    first, end = int(sounding[0]) * frame, min(len(audio), (int(sounding[-1]) + 1) * frame)
    # Where each word starts in ``text``.
    starts, at = [], 0
    for word in words:
        found = text.find(word, at)
        starts.append(found if found >= 0 else at)
        at = max(at, found + len(word)) if found >= 0 else at
    bounds = [*starts[1:], len(text) + 1]
    begun: list[int | None] = []
    for start, stop in zip(starts, bounds, strict=True):
        inside = [sample for position, sample in events if start < position <= stop]
        begun.append(min(inside) if inside else None)
    spans: list[Span] = []
    for index, began in enumerate(begun):
        after = next((b for b in begun[index + 1 :] if b is not None), end)
        start = max(first, began if began is not None else after)
        heard = sounding[(sounding * frame >= start - frame + 1) & (sounding * frame < after)]
        if heard.size:
            start = max(start, int(heard[0]) * frame)
        stop = min(after, (int(heard[-1]) + 1) * frame) if heard.size else start
        spans.append(((start - first) / rate, (max(start, stop) - first) / rate))
    return audio[first:end].astype(np.int16), spans
