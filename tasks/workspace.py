"""The video folder around a run: scratch opened and pruned, pushed and removed at the end.

With a local workspace the folder is the video's home and stays; with a bucket workspace it
is this worker's scratch copy (``ytempire.workspace.Bucket``): removed once the video has
completed and everything is in the bucket, kept after a failure for inspection (and removed
by a later run once ``YTEMPIRE_SCRATCH_KEEP_FAILED_HOURS`` have passed).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from ytempire import summary
from ytempire.models import VideoResult
from ytempire.settings import Settings
from ytempire.workspace import VideoFolder, prune_scratch, remove_scratch, workspace_bucket


def open_folder(settings: Settings, video_id: str) -> VideoFolder:
    """The video's folder, created; with a bucket, old failed scratch folders pruned first."""
    if settings.workspace_url:
        prune_scratch(settings.workspace, settings.scratch_keep_failed_hours)
    return VideoFolder(settings.workspace, video_id).create()


def file_links(result: VideoResult, settings: Settings) -> dict[str, str] | None:
    """With a bucket: whatever the run wrote outside its stages pushed, and each output's URL
    for the artifact. None for a local workspace (the artifact gives the folder)."""
    bucket = workspace_bucket(settings.workspace_url)
    if bucket is None:
        return None
    bucket.push(VideoFolder(settings.workspace, result.job.video_id))
    return summary.output_links(
        result, bucket, settings.artifact_link_ttl_s, settings.artifact_base_url
    )


def close_folder(folder: VideoFolder, settings: Settings) -> None:
    """A completed video's scratch copy removed (a local workspace is left as it is)."""
    if settings.workspace_url:
        remove_scratch(folder)


@contextmanager
def video_files(settings: Settings, video_id: str) -> Iterator[tuple[VideoFolder, str | None]]:
    """A video's folder to read, and a link to its video for people: the folder itself and no
    link; with a bucket, a scratch copy pulled for the while (removed after) and the video's
    URL (pre-signed, or under ``artifact_base_url``)."""
    folder = VideoFolder(settings.workspace, video_id)
    bucket = workspace_bucket(settings.workspace_url)
    if bucket is None:
        yield folder, None
        return
    try:
        bucket.pull(folder)
        link = bucket.link(
            video_id, "video.mp4", settings.artifact_link_ttl_s, settings.artifact_base_url
        )
        yield folder, link
    finally:
        remove_scratch(folder)
