"""Time the thumbnails stage's parts on a rendered video (offline: no DALL·E).

    .venv/bin/python benchmarks/thumbnails.py VIDEO.mp4 [--title TITLE] [--runs 3]
                                              [--workdir /tmp/ytempire-bench-thumbnails]

Make a video first, e.g. ``ytempire video --topic "How black holes evaporate" --minutes 1``
(the 1-minute demo). Prints one line, best of ``--runs``:

    thumbnails: <t> s (key frames <k> s, draw <d> s, rank <r> s), video <v> s, key frames <n> of <m>

The recorded stage time (``ai_pipeline_events``) adds Prefect's task overhead and the
analytics rows. Not a test: figures depend on the machine.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import av

from ytempire.quality import ctr
from ytempire.visuals.keyframes import pick_key_frames
from ytempire.visuals.thumbnails import make_thumbnails


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("video", type=Path)
    parser.add_argument("--title", default="How Black Holes Evaporate")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/ytempire-bench-thumbnails"))
    args = parser.parse_args()

    with av.open(str(args.video)) as container:
        stream = container.streams.video[0]
        keys = sum(1 for packet in container.demux(stream) if packet.is_keyframe)
        seconds = float(stream.duration * stream.time_base) if stream.duration else 0.0

    best: tuple[float, float, float] | None = None
    picked = 0
    for _ in range(args.runs):
        started = time.perf_counter()
        frames = pick_key_frames(args.video, args.workdir / "key_frames")
        framed = time.perf_counter()
        made = make_thumbnails(args.title, [f.path for f in frames], args.workdir / "out")
        drawn = time.perf_counter()
        ctr.rank(made)
        ranked = time.perf_counter()
        times = (framed - started, drawn - framed, ranked - drawn)
        if best is None or sum(times) < sum(best):
            best, picked = times, len(frames)
    assert best is not None
    k, d, r = best
    print(
        f"thumbnails: {k + d + r:.2f} s (key frames {k:.2f} s, draw {d:.2f} s, rank {r:.2f} s), "
        f"video {seconds:.1f} s, key frames {picked} of {keys}"
    )


if __name__ == "__main__":
    main()
