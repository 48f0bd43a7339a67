"""The straightforward render, as an oracle: every frame of a timeline through one filtergraph.

Nothing is collapsed, split or spliced; frames are never encoded. :func:`vmaf` scores a
finished render against these frames with libvmaf, which is how the benchmark (and a test)
proves that holding pictures with skip frames and joining parts loses nothing but what the
encoder's quantiser takes.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from ytempire.media.ffmpeg import ffmpeg_exe, run
from ytempire.media.plan import plan
from ytempire.media.render import (
    RenderOptions,
    _link_sources,
    _Sources,
    _usable,
    burned_cues,
    caption_script,
    part_graph,
)
from ytempire.models import Timeline
from ytempire.workspace import write_text


def vmaf(
    timeline: Timeline,
    rendered: Path,
    work_dir: Path,
    *,
    options: RenderOptions | None = None,
    subsample: int = 1,
    threads: int = 2,
) -> float:
    """Mean VMAF (v0.6.1 model) of ``rendered`` against every frame of ``timeline`` drawn
    straightforwardly. ``subsample`` scores every n-th frame only."""
    options = options or RenderOptions()
    timeline, _ = _usable(timeline)
    folder = work_dir / "reference"
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    try:
        sources = _link_sources(timeline, folder, options.fonts_dir)
        cues = burned_cues(timeline, options)
        laid = plan(timeline, cues, collapse=False)
        ass = None
        if cues:
            script = caption_script(laid, laid.pieces, timeline, options)
            ass = write_text(folder / "ref.ass", script)
        ref_sources = _Sources(sources.names, sources.overlays, [])
        graph, label = part_graph(laid, laid.pieces, ref_sources, ass.name if ass else None)
        distorted = len(ref_sources.inputs)
        log = folder / "vmaf.json"
        graph += (
            f";\n[{distorted}:v]settb=1/{laid.fps},setpts=N[dist]"
            f";\n[{label}]settb=1/{laid.fps},setpts=N[ref]"
            f";\n[dist][ref]libvmaf=log_fmt=json:log_path={log.name}"
            f":n_threads={threads}:n_subsample={subsample}"
        )
        write_text(folder / "vmaf.graph", graph + "\n")
        command = [ffmpeg_exe()]
        for args in ref_sources.inputs:
            command += args
        command += ["-i", str(rendered.absolute()), "-/filter_complex", "vmaf.graph"]
        command += ["-f", "null", "-"]
        run(command, timeout=600 + 4 * timeline.duration_s, cwd=folder)
        result = json.loads(log.read_text())
        return float(result["pooled_metrics"]["vmaf"]["mean"])
    finally:
        shutil.rmtree(folder, ignore_errors=True)
