from ytempire.voice.words import split_words


def test_spaced_words_are_what_whitespace_separates() -> None:
    assert split_words("  El año   pasado, 1.200 manzanas. ") == [
        "El",
        "año",
        "pasado,",
        "1.200",
        "manzanas.",
    ]


def test_japanese_is_cut_into_phrases_that_join_back() -> None:
    text = "ブラックホールは、ゆっくりと蒸発していきます。"
    words = split_words(text)
    assert words == ["ブラックホールは、", "ゆっくりと", "蒸発していきます。"]
    assert "".join(words) == text


def test_no_phrase_ends_inside_a_number() -> None:
    assert split_words("1974年、ホーキングは発表しました。")[0] == "1974年、"
