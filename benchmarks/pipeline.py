"""Time one offline video end to end: per-stage seconds, orchestration overhead, peak memory.

    .venv/bin/python benchmarks/pipeline.py [--minutes 1] [--workspace /tmp/bench]

Prints one line per stage (with the peak RSS seen while it ran), then a summary line:

    pipeline: wall=<s> stages=<s> overhead=<s> render=<x>x realtime
              end_to_end=<x>x realtime peak_rss_mb=<self>/<children> max_process_rss_mb=<mb>

"overhead" is wall time not spent inside a stage: Prefect's ephemeral API start, flow and
task run bookkeeping, imports. ``end_to_end`` is the video's length over the wall time.
``max_process_rss_mb`` is the peak RSS of the largest single process: this one (Piper runs
in it) or any child (FFmpeg, Prefect's ephemeral API), from ``getrusage`` and the samples.
``getrusage``'s children figure counts a forked child before it runs FFmpeg, a copy of this
process, so it reads about as this process's peak; the per-stage figures come from sampling
``/proc`` every ``SAMPLE_S`` (this process and all its descendants, each on its own), so a
child that lives less than that may be missed there. Not a test: figures depend on the
machine.
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import threading
import time
from pathlib import Path

from ytempire import progress
from ytempire.cli import quiet_prefect
from ytempire.models import Stage, StageRecord

SAMPLE_S = 0.2
_PAGE_MB = os.sysconf("SC_PAGE_SIZE") / 2**20


def _rss_mb(pid: int) -> float:
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * _PAGE_MB
    except (OSError, IndexError, ValueError):
        return 0.0


def _descendants(root: int) -> list[int]:
    """``root``'s children, grandchildren and so on, from /proc (Linux)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = [], [root]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent]
        found.extend(children)
        frontier.extend(children)
    return found


class StageMemory:
    """Peak RSS of the largest single process (this one or a descendant) per stage."""

    def __init__(self) -> None:
        self.current: str = "start"
        self.peaks: dict[str, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def stage_started(self, stage: Stage) -> None:
        self.current = stage.value

    def stage_finished(self, record: StageRecord) -> None:
        self.current = "between"

    def _sample(self) -> None:
        me = os.getpid()
        while not self._stop.wait(SAMPLE_S):
            largest = max([_rss_mb(me), *(_rss_mb(pid) for pid in _descendants(me))])
            self.peaks[self.current] = max(self.peaks.get(self.current, 0.0), largest)

    def __enter__(self) -> StageMemory:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=1.0)
    parser.add_argument("--topic", default="How black holes evaporate")
    parser.add_argument("--workspace", default=None)
    args = parser.parse_args()
    quiet_prefect()

    started = time.perf_counter()
    from flows.video import make_video
    from ytempire.media.probe import probe
    from ytempire.models import VideoJob

    imported = time.perf_counter()
    workspace = args.workspace or tempfile.mkdtemp(prefix="ytempire-bench-")
    with StageMemory() as memory, progress.listening(memory):
        result = make_video(VideoJob(topic=args.topic, minutes=args.minutes), workspace=workspace)
    wall = time.perf_counter() - started

    stage_seconds = 0.0
    for record in result.stages:
        seconds = record.duration_ms / 1000
        stage_seconds += seconds
        peak = memory.peaks.get(record.stage.value, 0.0)
        print(f"{record.stage.value:<11} {seconds:7.2f} s  {peak:6.0f} MB  {record.engine}")
    render = next(r for r in result.stages if r.stage is Stage.render)
    video_s = probe(result.outputs["video"]).duration_s
    self_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    child_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(
        f"pipeline: wall={wall:.1f}s imports={imported - started:.1f}s stages={stage_seconds:.1f}s "
        f"overhead={wall - stage_seconds:.1f}s "
        f"render={video_s / (render.duration_ms / 1000):.1f}x realtime "
        f"end_to_end={video_s / wall:.2f}x realtime "
        f"video={video_s:.1f}s peak_rss_mb={self_mb:.0f}/{child_mb:.0f} "
        f"max_process_rss_mb={max(self_mb, child_mb, *memory.peaks.values()):.0f}"
    )


if __name__ == "__main__":
    main()
