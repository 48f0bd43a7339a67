"""Metadata in the video's language: the description's own lines from the language's labels
(English where the table has none, and said so), the language and its linked versions."""

from __future__ import annotations

from pathlib import Path

from tests.publish.test_outbox import make_narration
from ytempire.models import Script, Section, VideoJob
from ytempire.publish import metadata


def spanish_script(tmp_path: Path, tag: str = "es") -> Script:
    return Script(
        engine="template",
        language=tag,
        title="Cómo se evaporan los agujeros negros",
        hook="¿Puede desaparecer un agujero negro?",
        sections=[Section(heading=f"Parte {i}", narration="Texto.") for i in range(3)],
        summary="Resumen.",
        cta="Suscríbete.",
        summary_heading="En resumen",
        cta_heading="Suscríbete",
        tags=["radiación de hawking", "agujeros negros"],
        markdown_path=tmp_path / "script.md",
    )


def test_a_spanish_description_has_spanish_labels_and_links_its_versions(tmp_path: Path) -> None:
    job = VideoJob(
        topic="Cómo se evaporan los agujeros negros",
        language="es",
        translations=(("ja", "c" * 32),),
    )
    built = metadata.build(job, spanish_script(tmp_path), make_narration(tmp_path, 12.5, 6), {})
    description = built["description"]
    assert "Capítulos:\n0:00 Cómo se evaporan los agujeros negros\n0:12 Parte 0" in description
    assert "Narrado con una voz sintética." in description
    assert "Chapters" not in description and "synthetic voice" not in description
    assert "#radiacióndehawking" in description
    assert (built["language"], built["labels_language"]) == ("es", "es")
    assert built["translations"] == {"ja": "c" * 32} and built["translation_of"] is None


def test_a_language_without_labels_falls_back_to_english_and_says_so(tmp_path: Path) -> None:
    job = VideoJob(topic="Как испаряются чёрные дыры", language="ru", translation_of="d" * 32)
    built = metadata.build(
        job, spanish_script(tmp_path, "ru"), make_narration(tmp_path, 12.5, 6), {}
    )
    assert "Chapters:" in built["description"] and built["labels_language"] == "en"
    assert built["translation_of"] == "d" * 32
