"""Prepare a Prefect server for ytempire: work pools, the render limit, block types, alerts.

    PREFECT_API_URL=http://127.0.0.1:4200/api python -m deployments.setup \
        [--gpu-renders] [--notify BLOCK_TYPE/NAME]

Idempotent: a re-run updates what exists to match this file and creates nothing twice.
``--results s3://bucket/prefix`` (the default when ``YTEMPIRE_WORKSPACE`` is a bucket) keeps
every run's Prefect results there, so the pools' workers share them (docs/operations.md).
``--gpu-renders`` sends make-video's renders to the ``gpu`` pool (run it without the flag to
render in-process again). ``--notify`` sends every alert to a saved notification block
(deployments/automations.py). Then ``prefect --no-prompt deploy --all`` (docs/operations.md).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from types import ModuleType

from prefect.blocks.core import Block, InvalidBlockRegistration
from prefect.client.orchestration import SyncPrefectClient, get_client
from prefect.filesystems import RemoteFileSystem
from prefect.settings import PREFECT_API_URL

from deployments import server_check
from deployments.automations import NotifyError, NotifyTarget, ensure_alerts_automation
from deployments.pools import RENDER_LIMIT, cpu_pool, gpu_pool
from deployments.server_check import ALLOW_OPEN_FLAG
from ytempire.errors import one_line
from ytempire.settings import Settings

BLOCK_MODULES = ("blocks.credentials", "blocks.channel", "blocks.endpoints")
RESULTS_BLOCK = "ytempire-results"


def ensure_pools(
    client: SyncPrefectClient, *, gpu_renders: bool, results_block: str | None = None
) -> list[str]:
    """Create or update the ``cpu`` and ``gpu`` pools (their runs' results in
    ``results_block`` when one is named); return their names."""
    pools = [
        cpu_pool(gpu_renders=gpu_renders, results_block=results_block),
        gpu_pool(results_block),
    ]
    return [client.create_work_pool(pool, overwrite=True).name for pool in pools]


def ensure_render_limit(client: SyncPrefectClient, slots: int) -> None:
    """Create the global ``render`` limit with ``slots`` slots, or set an existing one's."""
    client.upsert_global_concurrency_limit_by_name(RENDER_LIMIT, slots)


def ensure_results_storage(bucket_url: str) -> str:
    """Save the storage block Prefect keeps results in, ``<bucket_url>/prefect-results``;
    return its slug for ``PREFECT_RESULTS_DEFAULT_STORAGE_BLOCK``. It holds no credential:
    each worker reaches the bucket with its own AWS_* variables, as for the workspace."""
    RemoteFileSystem(basepath=f"{bucket_url.rstrip('/')}/prefect-results").save(
        RESULTS_BLOCK, overwrite=True
    )
    return f"{RemoteFileSystem.get_block_type_slug()}/{RESULTS_BLOCK}"


def register_blocks(modules: Sequence[str] = BLOCK_MODULES) -> list[str]:
    """Register the block types defined in ``modules`` (what ``prefect block register -m``
    does, without also registering block types those modules merely import)."""
    return [block.get_block_type_slug() for name in modules for block in _blocks_of(name)]


def _blocks_of(module_name: str) -> list[type[Block]]:
    module: ModuleType = importlib.import_module(module_name)
    registered = []
    for cls in vars(module).values():
        if not (Block.is_block_class(cls) and cls.__module__ == module_name):
            continue
        try:
            cls.register_type_and_schema()
        except InvalidBlockRegistration:
            continue  # an abstract base (a shared interface), not a block type of its own
        registered.append(cls)
    return registered


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deployments.setup", description=__doc__)
    parser.add_argument(
        "--render-slots", type=int, default=2, help="renders at once across all workers"
    )
    parser.add_argument(
        "--notify",
        metavar="BLOCK_TYPE/NAME",
        help="send every ytempire alert to this saved notification block (custom-webhook/ops)",
    )
    parser.add_argument(
        "--gpu-renders",
        action=argparse.BooleanOptionalAction,
        default=False,
        help="make-video renders on the gpu pool (its workers must be running)",
    )
    parser.add_argument(
        ALLOW_OPEN_FLAG,
        action="store_true",
        help="use a server that answers without credentials (a private network only)",
    )
    parser.add_argument(
        "--results",
        metavar="URL",
        default=Settings().workspace_url,
        help="keep Prefect results in this bucket (s3://bucket/prefix; default: "
        "YTEMPIRE_WORKSPACE when it is a bucket)",
    )
    args = parser.parse_args(argv)
    if args.render_slots < 1:
        parser.error(f"--render-slots must be at least 1, got {args.render_slots}")
    try:
        notify = NotifyTarget.parse(args.notify) if args.notify else None
    except NotifyError as exc:
        parser.error(f"--notify: {exc}")
    api_url = PREFECT_API_URL.value()
    if not api_url:
        print(
            "deployments.setup: PREFECT_API_URL is not set: point it at the server "
            "(prefect config set PREFECT_API_URL=http://HOST:4200/api)",
            file=sys.stderr,
        )
        return 2
    if not server_check.gate("deployments.setup", allow_open=args.allow_open_server):
        return 1
    try:
        with get_client(sync_client=True) as client:
            results = ensure_results_storage(args.results) if args.results else None
            pools = ensure_pools(client, gpu_renders=args.gpu_renders, results_block=results)
            ensure_render_limit(client, args.render_slots)
            alerts = ensure_alerts_automation(client, notify)
        blocks = register_blocks()
    except Exception as exc:
        print(f"deployments.setup: {api_url}: {one_line(exc)}", file=sys.stderr)
        return 1
    route = "gpu pool" if args.gpu_renders else "in-process"
    print(f"work pools: {', '.join(pools)} (make-video renders: {route})")
    print(f"concurrency limit: {RENDER_LIMIT} ({args.render_slots} slots)")
    print(f"block types: {', '.join(blocks) or 'none'}")
    print(f"alerts: {alerts}")
    print(f"results: {results or 'on each worker (no bucket named)'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
