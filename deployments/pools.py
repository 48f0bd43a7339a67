"""The two work pools, as Prefect process pools with ytempire's environment in their template.

- ``cpu``: any machine. Renders that run here use libx264 (no trial encode needed); the
  daily batch fans its videos out as ``make-video`` runs.
- ``gpu``: CUDA nodes. Renders pick ``h264_nvenc`` by a one-frame trial encode where the GPU
  really has NVENC (H100/H200 have none: they fall back to libx264), and the NVIDIA container
  runtime is asked for the video (NVENC) capability.

Both tell their runs which global concurrency limit a render holds a slot of. The pools'
environment wins over the worker's own, so what may differ per node (``CUDA_VISIBLE_DEVICES``)
is left to the worker's shell.
"""

from __future__ import annotations

import copy
from typing import Any

from prefect.client.schemas.actions import WorkPoolCreate
from prefect.workers.process import ProcessWorker

CPU_POOL = "cpu"
GPU_POOL = "gpu"
RENDER_LIMIT = "render"
RENDER_DEPLOYMENT = "render-video/render-video"
VIDEO_DEPLOYMENT = "make-video/make-video"


def cpu_pool(*, gpu_renders: bool, results_block: str | None = None) -> WorkPoolCreate:
    """The ``cpu`` pool; with ``gpu_renders`` its videos send their renders to the gpu pool."""
    env = {
        "YTEMPIRE_RENDER_ENCODER": "libx264",
        "YTEMPIRE_RENDER_CONCURRENCY_LIMIT": RENDER_LIMIT,
        # The daily batch fans its videos out as make-video runs, shared by every cpu worker.
        "YTEMPIRE_VIDEO_DEPLOYMENT": VIDEO_DEPLOYMENT,
    }
    if gpu_renders:
        env["YTEMPIRE_RENDER_DEPLOYMENT"] = RENDER_DEPLOYMENT
    return _process_pool(
        CPU_POOL, "Any machine: videos, batches, reports, tracking.", env, results_block
    )


def gpu_pool(results_block: str | None = None) -> WorkPoolCreate:
    """The ``gpu`` pool, for workers on CUDA nodes (they run the ``render-video`` deployment)."""
    env = {
        "YTEMPIRE_RENDER_ENCODER": "auto",
        "YTEMPIRE_RENDER_CONCURRENCY_LIMIT": RENDER_LIMIT,
        "NVIDIA_VISIBLE_DEVICES": "all",
        "NVIDIA_DRIVER_CAPABILITIES": "compute,video,utility",
    }
    return _process_pool(
        GPU_POOL, "CUDA nodes: renders, NVENC where the GPU has it.", env, results_block
    )


def _process_pool(
    name: str, description: str, env: dict[str, str], results_block: str | None
) -> WorkPoolCreate:
    if results_block is not None:
        # Every run's results in the shared storage (deployments/setup.py --results): a render
        # on the gpu pool returns through it, and cached tasks are found by every worker.
        env = {
            **env,
            "PREFECT_RESULTS_DEFAULT_STORAGE_BLOCK": results_block,
            "PREFECT_RESULTS_PERSIST_BY_DEFAULT": "true",
        }
    template: dict[str, Any] = copy.deepcopy(ProcessWorker.get_default_base_job_template())
    template["variables"]["properties"]["env"]["default"] = env
    return WorkPoolCreate(
        name=name, type=ProcessWorker.type, description=description, base_job_template=template
    )
