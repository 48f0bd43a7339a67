"""The Pexels client over real HTTP against a local server that speaks the Pexels API."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.servers.pexels import KEY, PexelsServer, sample_jpeg, sample_mp4
from ytempire.media.probe import probe
from ytempire.providers.pexels import PexelsClient
from ytempire.resilience.errors import (
    CostExceeded,
    ErrorKind,
    InvalidOutput,
    ProviderError,
    ProviderRejected,
    ProviderTimeout,
    ProviderUnavailable,
)


def _client(server: PexelsServer, key: str = KEY, timeout_s: float = 5.0) -> PexelsClient:
    return PexelsClient(key, endpoint=server.url, timeout_s=timeout_s)


def test_video_search_picks_the_mp4_nearest_1080p_and_credits_the_author(
    pexels_server: PexelsServer, tmp_path: Path
) -> None:
    pexels_server.add_video(11, sample_mp4(), (1920, 1080), "Ada Maker")
    with _client(pexels_server) as client:
        (video,) = client.search_videos("black hole", orientation="portrait", per_page=3)
        assert video["id"] == 11
        assert video["link"].endswith("/files/video-11.mp4")
        assert video["credit"] == "Ada Maker on Pexels"
        saved = client.download(video["link"], tmp_path / "clip.mp4")
    (search, download) = pexels_server.requests
    assert search.path == "/videos/search"
    assert search.query == {
        "query": "black hole", "orientation": "portrait", "per_page": "3", "size": "medium",
    }  # fmt: skip
    assert (search.host, search.authorization) == ("api", KEY)
    assert (download.host, download.authorization) == ("files", None)
    assert saved.read_bytes() == sample_mp4()
    assert (probe(saved).width, probe(saved).height) == (320, 180)


def test_photo_search_downloads_the_large2x_source(
    pexels_server: PexelsServer, tmp_path: Path
) -> None:
    pexels_server.add_photo(5, sample_jpeg(), "Bo Lens")
    with _client(pexels_server) as client:
        (photo,) = client.search_photos("galaxy")
        assert (photo["id"], photo["credit"]) == (5, "Bo Lens on Pexels")
        saved = client.download(photo["link"], tmp_path / "photo.jpeg")
    assert pexels_server.requests[0].path == "/v1/search"
    assert saved.read_bytes() == sample_jpeg()
    assert [p.name for p in tmp_path.iterdir()] == ["photo.jpeg"]


@pytest.mark.parametrize(
    ("behaviour", "error", "kind"),
    [
        ("429", ProviderUnavailable, ErrorKind.api_error),
        ("quota", CostExceeded, ErrorKind.cost_exceeded),
        ("500", ProviderUnavailable, ErrorKind.api_error),
        ("garbage", InvalidOutput, ErrorKind.invalid_output),
    ],
)
def test_failures_use_the_error_vocabulary(
    pexels_server: PexelsServer, behaviour: str, error: type[ProviderError], kind: ErrorKind
) -> None:
    pexels_server.queue(behaviour)
    with _client(pexels_server) as client, pytest.raises(error) as caught:
        client.search_videos("anything")
    assert caught.value.kind is kind
    assert caught.value.provider == "pexels"
    assert "\n" not in str(caught.value)


def test_a_rate_limit_passes_on_how_long_to_wait(pexels_server: PexelsServer) -> None:
    pexels_server.queue("429")
    with _client(pexels_server) as client, pytest.raises(ProviderUnavailable) as caught:
        client.search_photos("anything")
    assert caught.value.retry_after_s == 1.0
    assert "HTTP 429" in str(caught.value)


def test_a_wrong_key_is_rejected_and_never_quoted(pexels_server: PexelsServer) -> None:
    wrong = "pexels-WRONGKEY-0123456789abcdef"
    with _client(pexels_server, key=wrong) as client, pytest.raises(ProviderRejected) as caught:
        client.search_videos("anything")
    assert pexels_server.requests[0].authorization == wrong  # the server did quote it back
    assert wrong not in str(caught.value) and "HTTP 401" in str(caught.value)


def test_no_key_is_rejected_before_any_call(pexels_server: PexelsServer) -> None:
    with pytest.raises(ProviderRejected, match="PEXELS_API_KEY"):
        _client(pexels_server, key="")
    assert pexels_server.requests == []


def test_a_server_that_never_answers_is_a_timeout(pexels_server: PexelsServer) -> None:
    pexels_server.queue("timeout")
    with _client(pexels_server, timeout_s=0.3) as client, pytest.raises(ProviderTimeout):
        client.search_videos("anything")


def test_a_failed_download_leaves_no_file(pexels_server: PexelsServer, tmp_path: Path) -> None:
    pexels_server.add_video(3, sample_mp4(), (1280, 720), "Cy")
    with _client(pexels_server) as client:
        (video,) = client.search_videos("x")
        pexels_server.queue("500")
        with pytest.raises(ProviderUnavailable, match="download: HTTP 500"):
            client.download(video["link"], tmp_path / "clip.mp4")
    assert list(tmp_path.iterdir()) == []


def test_the_key_goes_to_the_api_host_only(pexels_server: PexelsServer, tmp_path: Path) -> None:
    pexels_server.add_video(21, sample_mp4(), (1920, 1080), "Ada")
    pexels_server.add_photo(22, sample_jpeg(), "Bo")
    with _client(pexels_server) as client:
        (video,) = client.search_videos("x")
        (photo,) = client.search_photos("x")
        assert video["link"].startswith(pexels_server.files_address + "/")
        client.download(video["link"], tmp_path / "clip.mp4")
        client.download(photo["link"], tmp_path / "photo.jpeg")
    api, files = pexels_server.requests_to("api"), pexels_server.requests_to("files")
    assert [r.path for r in api] == ["/videos/search", "/v1/search"]
    assert all(r.authorization == KEY for r in api)
    assert len(files) == 2
    assert all("authorization" not in {h.lower() for h in r.headers} for r in files)
    assert all(KEY not in str(r.headers) for r in files)


def test_no_key_follows_a_redirect_to_another_host(
    pexels_server: PexelsServer, tmp_path: Path
) -> None:
    pexels_server.add_video(23, sample_mp4(), (1920, 1080), "Ada")
    with _client(pexels_server) as client:
        # An API answer that redirects elsewhere: the key stays behind (the other host, which
        # is no API, refuses the request as any would without a key).
        pexels_server.queue("redirect")
        with pytest.raises(ProviderRejected, match="HTTP 401"):
            client.search_videos("x")
        # A file link on the API's host that redirects to the files host.
        pexels_server.queue("redirect")
        saved = client.download(f"{pexels_server.address}/files/video-23.mp4", tmp_path / "c.mp4")
    assert saved.read_bytes() == sample_mp4()
    first, moved, link, served = pexels_server.requests
    assert (first.host, first.authorization) == ("api", KEY)
    assert (moved.host, moved.path, moved.authorization) == ("files", "/videos/search", None)
    assert (link.host, link.authorization) == ("api", None)
    assert (served.host, served.authorization) == ("files", None)
    assert served.path == "/files/video-23.mp4"
