"""The thumbnails stage under Prefect: key frames from a real video, DALL·E pictures from a
local images server (the real ``openai`` SDK over HTTP), retries, fallbacks and ranking."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from PIL import Image
from prefect import flow

from tasks.thumbnails import make_thumbnails
from tests.pictures import draw_face, encode_stills, vivid_picture
from tests.servers.openai_compatible import OpenAICompatibleServer
from ytempire.analytics.store import AnalyticsStore
from ytempire.media.probe import probe
from ytempire.models import RenderedVideo, Script, Section, ThumbnailSet, VideoJob
from ytempire.quality.brand import brand_consistency
from ytempire.settings import Settings
from ytempire.visuals.palette import DEFAULT_PALETTE, Palette
from ytempire.visuals.thumbnails import BRAND_ART, GENERATED, KEY_FRAME
from ytempire.workspace import VideoFolder

KEY = "sk-test-THUMBNAILKEYMUSTNEVERLEAK012345"


@flow
def thumbnails_only(job: VideoJob, script: Script, video: RenderedVideo, run_id: uuid.UUID):  # type: ignore[no-untyped-def]
    settings = Settings()
    VideoFolder(settings.workspace, job.video_id).create()
    return make_thumbnails(job, script, video, settings, run_id)


@pytest.fixture
def script(tmp_path: Path) -> Script:
    return Script(
        engine="test",
        title="How Black Holes Evaporate",
        hook="What if black holes slowly disappear?",
        sections=[Section(heading="Hawking radiation", narration="Black holes glow faintly.")],
        summary="Black holes are not forever.",
        cta="Subscribe for more.",
        markdown_path=tmp_path / "script.md",
    )


@pytest.fixture(scope="module")
def video(tmp_path_factory: pytest.TempPathFactory) -> RenderedVideo:
    """6 s: a photo with a face, then a textured picture, then a plain colour card."""
    stills = [
        (draw_face(vivid_picture(1280, 720, 4), (120, 120, 420, 420)), 2.0),
        (vivid_picture(1280, 720, 6), 2.0),
        (Image.new("RGB", (1280, 720), (30, 60, 160)), 2.0),
    ]
    folder = tmp_path_factory.mktemp("video")
    path = encode_stills(stills, folder / "video.mp4", size=(1280, 720))
    return RenderedVideo(
        engine="test", path=path, encoder="libx264", seconds_to_render=0, info=probe(path)
    )


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("YTEMPIRE_WORKSPACE", str(tmp_path / "runs"))
    monkeypatch.setenv("YTEMPIRE_RETRY_DELAY_SCALE", "0.01")
    # These tests are about pictures' prices: compute (tests/flows/test_costs.py) costs 0 here.
    monkeypatch.setenv("YTEMPIRE_COMPUTE_USD_PER_CPU_HOUR", "0")
    # Room for both pictures' worst case (4 attempts × $0.08 each).
    monkeypatch.setenv("YTEMPIRE_VIDEO_BUDGET_USD", "5")
    return tmp_path / "runs"


@pytest.fixture
def images(
    workspace: Path, monkeypatch: pytest.MonkeyPatch, openai_server: OpenAICompatibleServer
) -> OpenAICompatibleServer:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    monkeypatch.setenv("OPENAI_BASE_URL", openai_server.url)
    monkeypatch.setenv("YTEMPIRE_THUMBNAIL_TIMEOUT_S", "30")
    return openai_server


def run(
    script: Script, video: RenderedVideo
) -> tuple[ThumbnailSet, VideoJob, AnalyticsStore, uuid.UUID]:
    job, run_id = VideoJob(topic=script.title), uuid.uuid4()
    result = thumbnails_only(job, script, video, run_id)
    return result, job, AnalyticsStore(Settings().analytics_url), run_id


def check_ranked(result: ThumbnailSet, folder: Path) -> None:
    predicted = [t.predicted_ctr for t in result.variants]
    assert all(p is not None for p in predicted)
    assert predicted == sorted(predicted, reverse=True)  # type: ignore[type-var]
    assert sorted(t.variant for t in result.variants) == ["variant_1", "variant_2", "variant_3"]
    assert result.primary == result.variants[0]
    ranking = json.loads((folder / "thumbnails" / "ranking.json").read_text())
    assert ranking["primary"] == result.primary.path.name
    assert [v["variant"] for v in ranking["variants"]] == [t.variant for t in result.variants]
    for thumb in result.variants:
        with Image.open(thumb.path) as image:
            assert image.size == (1280, 720)
        assert thumb.path.stat().st_size < 2_000_000
        assert thumb.text_contrast_ratio is not None and thumb.text_contrast_ratio >= 4.5


def test_offline_variants_are_built_on_key_frames_and_ranked(
    workspace: Path, script: Script, video: RenderedVideo
) -> None:
    result, job, store, run_id = run(script, video)
    folder = workspace / job.video_id
    check_ranked(result, folder)
    assert (result.engine, result.cost_usd, result.fallbacks) == ("pillow-templates", 0, [])
    by_template = {t.template: t for t in result.variants}
    # The blank colour card is no candidate; the two pictures fill frames, the face photo
    # (key frame 1, the best) in the hero.
    frames = folder / "work" / "key_frames"
    assert sorted(p.name for p in frames.iterdir()) == ["key_frame_1.png", "key_frame_2.png"]
    assert by_template["style_1"].background == KEY_FRAME
    assert by_template["style_1"].key_frame == frames / "key_frame_1.png"
    assert by_template["style_3"].background == KEY_FRAME
    assert by_template["style_3"].key_frame == frames / "key_frame_2.png"
    assert all(t.key_frame is not None for t in result.variants)
    (event,) = store.events(run_id)
    assert (event.stage, event.status) == ("thumbnails", "completed")
    assert event.model_used == "pillow-templates"
    assert store.model_calls("thumbnail_generation") == []


def test_dalle_pictures_for_hero_and_split_cost_their_list_price(
    images: OpenAICompatibleServer, script: Script, video: RenderedVideo
) -> None:
    images.image_face = True
    result, job, store, run_id = run(script, video)
    check_ranked(result, Settings().workspace / job.video_id)
    sizes = sorted(r.body["size"] for r in images.image_requests)
    assert sizes == ["1792x1024", "1792x1024"]
    assert all(r.authorization == f"Bearer {KEY}" for r in images.image_requests)
    prompts = sorted(r.body["prompt"] for r in images.image_requests)
    assert all("How Black Holes Evaporate" in p and "No text" in p for p in prompts)
    assert images.requests == []  # no chat calls
    by_template = {t.template: t for t in result.variants}
    assert by_template["style_1"].background == GENERATED
    assert by_template["style_2"].background == GENERATED
    assert by_template["style_3"].background == KEY_FRAME
    # The generated hero has a face, and the heuristic counts it.
    assert (by_template["style_1"].faces or 0) >= 1
    assert result.engine == "dall-e-3+pillow-templates"
    assert result.cost_usd == pytest.approx(0.16)
    calls = store.model_calls("thumbnail_generation")
    assert [c.model_name for c in calls] == ["dall-e-3", "dall-e-3"]
    assert [c.cost_cents for c in calls] == [8, 8]
    (event,) = store.events(run_id)
    assert (event.model_used, event.cost_cents, event.error_message) == (
        "dall-e-3+pillow-templates",
        16,
        None,
    )


def test_a_rate_limit_is_retried_and_costs_nothing_extra(
    images: OpenAICompatibleServer, script: Script, video: RenderedVideo
) -> None:
    images.queue_images("429", "500")
    result, _, store, _ = run(script, video)
    assert len(images.image_requests) == 4  # two failures, each retried once, then two pictures
    assert result.fallbacks == []
    assert result.cost_usd == pytest.approx(0.16)
    assert len(store.model_calls("thumbnail_generation")) == 2


def test_a_refused_prompt_falls_back_to_pillow_at_once(
    images: OpenAICompatibleServer, script: Script, video: RenderedVideo
) -> None:
    images.images_default = "content_policy"
    result, job, store, run_id = run(script, video)
    check_ranked(result, Settings().workspace / job.video_id)
    assert len(images.image_requests) == 2  # not retried
    assert result.engine == "pillow-templates" and result.cost_usd == 0
    assert sorted(result.fallbacks) == [
        f"dall-e-3 ({layout}) failed: dalle: dall-e-3: HTTP 400 (content_policy_violation): "
        "Your request was rejected as a result of our safety system. Your prompt may contain "
        "text that is not allowed by our safety system. [rejected]"
        for layout in ("hero_image_with_text", "split_screen")
    ]
    assert all(t.background != GENERATED for t in result.variants)
    (event,) = store.events(run_id)
    assert event.status == "completed"
    assert "content_policy_violation" in (event.error_message or "")


def test_a_server_that_keeps_failing_is_tried_until_its_breaker_opens(
    images: OpenAICompatibleServer, script: Script, video: RenderedVideo
) -> None:
    images.images_default = "401"
    result, _, _, _ = run(script, video)
    assert len(images.image_requests) == 2
    assert all(KEY not in f for f in result.fallbacks) and len(result.fallbacks) == 2
    images.image_requests.clear()
    images.images_default = "500"
    result, _, store, _ = run(script, video)
    # Up to four attempts per layout, but the third failure in a row opens the dalle circuit
    # breaker (a request already in flight may make a fourth).
    assert 3 <= len(images.image_requests) <= 4
    assert [f.split(" failed:")[0] for f in sorted(result.fallbacks)] == [
        "dall-e-3 (hero_image_with_text)",
        "dall-e-3 (split_screen)",
    ]
    assert store.model_calls("thumbnail_generation") == []


def test_an_unreadable_video_still_gets_thumbnails(
    workspace: Path, script: Script, video: RenderedVideo, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"not a video")
    result, job, _, _ = run(script, video.model_copy(update={"path": broken}))
    check_ranked(result, workspace / job.video_id)
    (fallback,) = result.fallbacks
    assert fallback.startswith("key frames failed, brand art used: cannot read key frames")
    assert all(t.background == BRAND_ART and t.key_frame is None for t in result.variants)


@pytest.mark.slow
def test_generated_pictures_are_drawn_in_the_jobs_brand_colours(
    images: OpenAICompatibleServer, script: Script, video: RenderedVideo
) -> None:
    brand = ("#1b5e20", "#fafafa")
    job = VideoJob(topic=script.title, brand_colours=brand)
    result = thumbnails_only(job, script, video, uuid.uuid4())
    prompts = [request.body["prompt"] for request in images.image_requests]
    assert len(prompts) == 2 and all("#1b5e20" in prompt for prompt in prompts)
    palette = Palette.from_brand(brand)
    generated = [t for t in result.variants if t.background == GENERATED]
    assert len(generated) == 2
    for thumb in generated:
        assert brand_consistency(thumb.path, palette) >= 0.8, thumb.template
        assert brand_consistency(thumb.path, DEFAULT_PALETTE) < 0.6, thumb.template


def test_a_local_chat_server_gets_no_image_request(
    workspace: Path,
    openai_server: OpenAICompatibleServer,
    monkeypatch: pytest.MonkeyPatch,
    script: Script,
    video: RenderedVideo,
) -> None:
    # OPENAI_BASE_URL alone names a local chat server (issue 21): thumbnails are drawn by
    # Pillow, and the server never sees a DALL·E request (it used to answer two 404s a run).
    monkeypatch.setenv("OPENAI_BASE_URL", openai_server.url)
    result, _, _, _ = run(script, video)
    assert openai_server.image_requests == [] and openai_server.requests == []
    assert all(t.template != GENERATED for t in result.variants)
