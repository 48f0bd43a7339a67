"""Videos in other languages, offline, end to end, with no keys.

``ytempire video --languages es,ja`` on a Spanish topic makes the Spanish video, then the
Japanese translation (offline: the Japanese template writer on the same topic, so its title
stays the topic as given), each uploaded to the YouTube-like server with its language and
linked to the other in ``metadata.json``. A Japanese job on a Japanese topic is made too:
each video is complete in its language (script, narration by the language's offline voice,
subtitles, thumbnails, no missing glyph). Two runs serve every test here (short videos)."""

from __future__ import annotations

import contextlib
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from flows.video import make_video
from tests.servers.youtube_upload import (
    CHANNEL_ID,
    CLIENT_SECRET,
    REFRESH_TOKEN,
    YouTubeUploadServer,
)
from ytempire import cli
from ytempire.models import VideoJob
from ytempire.workspace import VideoFolder

pytestmark = pytest.mark.slow

TOPIC = "Cómo se evaporan los agujeros negros"
JAPANESE_TOPIC = "ブラックホールはどのように蒸発するのか"
MINUTES = 0.2
CHANNEL = "agujeros"
# Hiragana, katakana and the CJK ideographs.
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
SPANISH_WORDS = {"los", "las", "el", "la", "de", "que", "es", "un", "una", "y"}


@dataclass
class Made:
    code: int
    out: str
    workspace: Path
    server: YouTubeUploadServer | None = None

    def folder(self, language: str) -> VideoFolder:
        """The folder of the video in ``language`` (its metadata says which it is)."""
        for path in self.workspace.glob("[0-9a-f]*/metadata.json"):
            if json.loads(path.read_text(encoding="utf-8"))["language"] == language:
                return VideoFolder(self.workspace, path.parent.name)
        raise AssertionError(f"no video in {language} under {self.workspace}")

    def subtitle_text(self, language: str) -> str:
        srt = (self.folder(language) / "subtitles.srt").read_text(encoding="utf-8")
        return " ".join(line for line in srt.splitlines() if line and not line[0].isdigit())

    def thumbnail_text(self, language: str) -> str:
        return " ".join(v["title_text"] for v in self.stage(language, "thumbnails")["variants"])

    def metadata(self, language: str) -> dict[str, Any]:
        return json.loads((self.folder(language) / "metadata.json").read_text(encoding="utf-8"))

    def stage(self, language: str, stage: str) -> dict[str, Any]:
        path = self.folder(language) / "stages" / f"{stage}.json"
        return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def languages(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Made]:
    root = tmp_path_factory.mktemp("languages")
    channels = root / "channels.yaml"
    channels.write_text(
        f"{CHANNEL}:\n  niche: ciencia\n  minutes: {MINUTES}\n  publish_template_scripts: true\n"
        f"  youtube_channel_id: {CHANNEL_ID}\n",
        encoding="utf-8",
    )
    with YouTubeUploadServer(root / "tls") as server, pytest.MonkeyPatch.context() as env:
        env.setenv("YTEMPIRE_WORKSPACE", str(root / "runs"))
        env.setenv("YTEMPIRE_CHANNELS_FILE", str(channels))
        slug = CHANNEL.upper()
        for name, value in {
            f"{slug}_CLIENT_ID": server.client_id,
            f"{slug}_CLIENT_SECRET": CLIENT_SECRET,
            f"{slug}_REFRESH_TOKEN": REFRESH_TOKEN,
            "TOKEN_URI": server.token_uri,
            "UPLOAD_ENDPOINT": server.url,
            "CA_CERTS": str(server.ca_certs),
            "UPLOAD_CHUNK_BYTES": str(256 * 1024),
        }.items():
            env.setenv(f"YTEMPIRE_YOUTUBE_{name}", value)
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            code = cli.main(
                ["video", "--topic", TOPIC, "--languages", "es,ja", "--channel", CHANNEL]
            )
        yield Made(code, printed.getvalue(), root / "runs", server)


@pytest.fixture(scope="module")
def japanese(tmp_path_factory: pytest.TempPathFactory) -> Made:
    workspace = tmp_path_factory.mktemp("japanese")
    job = VideoJob(topic=JAPANESE_TOPIC, language="ja", minutes=MINUTES)
    make_video(job, workspace=str(workspace))
    return Made(0, "", workspace)


def test_the_run_makes_both_videos_and_names_their_languages(languages: Made) -> None:
    assert languages.code == 0, languages.out
    spanish, japanese = languages.metadata("es"), languages.metadata("ja")
    assert f"video {spanish['video_id']} in Spanish (es)" in languages.out
    assert (
        f"video {japanese['video_id']} in Japanese (ja), translated from video "
        f"{spanish['video_id']}"
    ) in languages.out


def test_each_metadata_links_the_other(languages: Made) -> None:
    spanish, japanese = languages.metadata("es"), languages.metadata("ja")
    assert spanish["video_id"] != japanese["video_id"]
    assert spanish["translations"] == {"ja": japanese["video_id"]}
    assert japanese["translations"] == {"es": spanish["video_id"]}
    assert (spanish["translation_of"], japanese["translation_of"]) == (None, spanish["video_id"])


def test_the_spanish_video_is_in_spanish(languages: Made) -> None:
    assert languages.stage("es", "script")["language"] == "es"
    text, thumbnails = languages.subtitle_text("es"), languages.thumbnail_text("es")
    assert len(SPANISH_WORDS & set(re.findall(r"\w+", text.lower()))) >= 4, text
    assert not JAPANESE.search(text + thumbnails)
    assert "agujeros negros" in thumbnails.lower()
    assert "Narrado con una voz sintética." in languages.metadata("es")["description"]


def japanese_share(text: str) -> float:
    letters = [ch for ch in text if ch.isalpha()]
    return sum(bool(JAPANESE.match(ch)) for ch in letters) / len(letters)


def test_the_japanese_video_is_in_japanese(japanese: Made) -> None:
    assert japanese.stage("ja", "script")["language"] == "ja"
    assert japanese_share(japanese.subtitle_text("ja")) > 0.9, japanese.subtitle_text("ja")
    assert japanese_share(japanese.thumbnail_text("ja")) > 0.9, japanese.thumbnail_text("ja")
    assert "ナレーションは合成音声です。" in japanese.metadata("ja")["description"]


def test_the_japanese_translation_narrates_in_japanese_under_the_topic_as_given(
    languages: Made,
) -> None:
    assert languages.stage("ja", "script")["language"] == "ja"
    assert japanese_share(languages.subtitle_text("ja")) > 0.7, languages.subtitle_text("ja")
    assert languages.metadata("ja")["title"] == TOPIC


@pytest.mark.parametrize(("language", "engine"), [("es", "espeak-ng:es"), ("ja", "kokoro:")])
def test_the_narration_is_the_languages_offline_voice(
    languages: Made, language: str, engine: str
) -> None:
    assert languages.stage(language, "voice")["engine"].startswith(engine)


def assert_no_missing_glyph(made: Made, language: str) -> None:
    glyphs = [c for c in made.stage(language, "quality")["checks"] if c["name"] == "missing_glyphs"]
    assert {c["item"] for c in glyphs} >= {"video", "thumbnail:variant_1"}
    assert all(c["passed"] for c in glyphs), glyphs


def test_no_glyph_is_missing_in_the_videos_or_their_thumbnails(
    languages: Made, japanese: Made
) -> None:
    assert_no_missing_glyph(languages, "es")
    assert_no_missing_glyph(languages, "ja")
    assert_no_missing_glyph(japanese, "ja")


def test_youtube_gets_each_videos_language(languages: Made) -> None:
    assert languages.server is not None
    uploaded = {
        v["snippet"]["defaultLanguage"]: v["snippet"] for v in languages.server.videos.values()
    }
    assert set(uploaded) == {"es", "ja"}
    assert uploaded["es"]["defaultAudioLanguage"] == "es"
    assert uploaded["es"]["title"] == languages.metadata("es")["title"]
    captions = languages.server.captions.values()
    assert sorted(c["resource"]["snippet"]["language"] for c in captions) == ["es", "ja"]


def test_a_language_with_no_offline_writer_and_no_llm_is_refused_before_anything_is_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("YTEMPIRE_WORKSPACE", str(tmp_path / "runs"))
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    assert cli.main(["video", "--topic", "Wie Sterne sterben", "--language", "de"]) == 1
    out = capsys.readouterr().out
    assert "error: no offline script writer for 'de'" in out and "to write in German" in out
    assert not list((tmp_path / "runs").glob("[0-9a-f]*"))
