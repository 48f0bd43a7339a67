"""Time one offline video end to end: per-stage seconds, orchestration overhead, peak memory.

    .venv/bin/python benchmarks/pipeline.py [--minutes 1] [--workspace /tmp/bench]

Prints one line per stage, then a summary line:

    pipeline: wall=<s> stages=<s> overhead=<s> render=<x>x realtime peak_rss_mb=<self>/<ffmpeg>

"overhead" is wall time not spent inside a stage: Prefect's ephemeral API start, flow and
task run bookkeeping, imports. Not a test: figures depend on the machine.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time

from ytempire.cli import quiet_prefect


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
    from ytempire.models import Stage, VideoJob

    imported = time.perf_counter()
    workspace = args.workspace or tempfile.mkdtemp(prefix="ytempire-bench-")
    result = make_video(VideoJob(topic=args.topic, minutes=args.minutes), workspace=workspace)
    wall = time.perf_counter() - started

    stage_seconds = 0.0
    for record in result.stages:
        seconds = record.duration_ms / 1000
        stage_seconds += seconds
        print(f"{record.stage.value:<11} {seconds:7.2f} s  {record.engine}")
    render = next(r for r in result.stages if r.stage is Stage.render)
    video_s = probe(result.outputs["video"]).duration_s
    self_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    child_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(
        f"pipeline: wall={wall:.1f}s imports={imported - started:.1f}s stages={stage_seconds:.1f}s "
        f"overhead={wall - stage_seconds:.1f}s "
        f"render={video_s / (render.duration_ms / 1000):.1f}x realtime "
        f"video={video_s:.1f}s peak_rss_mb={self_mb:.0f}/{child_mb:.0f}"
    )


if __name__ == "__main__":
    main()
