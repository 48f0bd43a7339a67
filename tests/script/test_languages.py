"""What the script writers know of each language: who writes it offline, headings, length."""

from __future__ import annotations

import pytest

from ytempire.language import known
from ytempire.script import languages, phrase_writer
from ytempire.script.languages import NoScriptWriter, require_writer


def test_the_offline_writers_are_english_spanish_and_japanese() -> None:
    assert languages.offline_languages() == ["en", "es", "ja"]
    assert languages.has_writer("es-MX") and not languages.has_writer("de")


def test_a_language_without_a_writer_is_refused_in_one_line_unless_an_llm_is_set() -> None:
    with pytest.raises(NoScriptWriter) as refused:
        require_writer("de", llm_configured=False)
    message = str(refused.value)
    assert message == (
        "no offline script writer for 'de' (have: en, es, ja); set an LLM "
        "(OPENAI_API_KEY / OPENAI_BASE_URL) to write in German"
    )
    require_writer("de", llm_configured=True)
    require_writer("ja", llm_configured=False)
    require_writer("pt-BR", llm_configured=True)
    with pytest.raises(NoScriptWriter, match="after the models failed"):
        require_writer("fr", llm_configured=False, after_models=True)


def test_every_known_language_has_its_headings() -> None:
    for code in known():
        summary, cta = languages.headings(code)
        assert summary and cta, code
    assert languages.headings("es-MX") == ("En resumen", "Suscríbete")
    assert languages.headings("ja") == ("まとめ", "チャンネル登録")


def test_length_is_words_or_characters_by_the_language() -> None:
    assert languages.unit("es") == "words" and languages.unit("ja") == "characters"
    assert languages.target_length(1, "en") == 150 == languages.target_length(1, "es")
    assert languages.target_length(2, "ja") == 660
    assert languages.spoken_length("¿Qué es esto? Es una prueba.", "es") == 6
    # Kana, kanji and the long-vowel mark count; punctuation does not.
    assert languages.spoken_length("ブラックホールとは、何ですか？", "ja") == 13


def test_prompts_name_the_language_and_its_region() -> None:
    assert languages.prompt_name("es") == "Spanish"
    assert languages.prompt_name("pt-BR") == "Portuguese as spoken in Brazil (pt-BR)"


@pytest.mark.parametrize(
    ("code", "topic", "keyword"),
    [
        ("es", "Cómo se evaporan los agujeros negros", "agujeros negros"),
        ("es", "La inflación explicada", "inflación"),
        ("ja", "ブラックホールはどうやって蒸発するのか", "ブラックホール"),
        ("ja", "量子コンピューターの仕組み", "量子コンピューター"),
    ],
)
def test_a_topics_keyword_is_its_main_phrase(code: str, topic: str, keyword: str) -> None:
    assert phrase_writer.keywords_from(topic, [], code) == [keyword]
    assert phrase_writer.keywords_from(topic, ["Hawking"], code) == ["hawking", keyword]
