"""The sentence splitter decides where narration pauses and subtitles break."""

from __future__ import annotations

import pytest

from ytempire.voice.sentences import split_sentences, spoken_form


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("One. Two! Three? Four…", ["One.", "Two!", "Three?", "Four…"]),
        ("It costs 3.5 dollars. Then it rose.", ["It costs 3.5 dollars.", "Then it rose."]),
        ("Use salt, e.g. Maldon, and stir.", ["Use salt, e.g. Maldon, and stir."]),
        ("Ask Dr. Smith. She knows.", ["Ask Dr. Smith.", "She knows."]),
        ("The U.S. economy grew. Prices fell.", ["The U.S. economy grew.", "Prices fell."]),
        ("It ends in the U.S.", ["It ends in the U.S."]),
        ("John F. Kennedy spoke at 9 a.m. today.", ["John F. Kennedy spoke at 9 a.m. today."]),
        ("It is big, i.e. huge. Yes.", ["It is big, i.e. huge.", "Yes."]),
        ("Apples vs. Pears. Go.", ["Apples vs. Pears.", "Go."]),
        ("See Fig. 3 and No. 5 here.", ["See Fig. 3 and No. 5 here."]),
        ("No. It isn't.", ["No.", "It isn't."]),
        ("Really?! Yes.", ["Really?!", "Yes."]),
        ("Wait... what happened? Nothing.", ["Wait... what happened?", "Nothing."]),
        ('He said "Stop." Then he left.', ['He said "Stop."', "Then he left."]),
        ("(A bracketed one.) Next", ["(A bracketed one.)", "Next"]),
        ("Pears, apples, etc. Then more.", ["Pears, apples, etc.", "Then more."]),
        ("In 20 ms. Then Ms. Lee spoke.", ["In 20 ms.", "Then Ms. Lee spoke."]),
        ("Version 2.0.1 shipped. Good.", ["Version 2.0.1 shipped.", "Good."]),
        ("No final stop", ["No final stop"]),
        ("A heading\n\nA paragraph. More", ["A heading", "A paragraph.", "More"]),
    ],
)
def test_split_sentences(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


def test_whitespace_is_normalised_and_nothing_is_lost() -> None:
    text = "  First   line\nwraps here.\tSecond\r\nsentence!   \n\n\n  Third?  "
    sentences = split_sentences(text)
    assert sentences == ["First line wraps here.", "Second sentence!", "Third?"]
    assert " ".join(sentences) == " ".join(text.split())


@pytest.mark.parametrize("text", ["", "   ", "\n\n\n", "\t"])
def test_blank_text_has_no_sentences(text: str) -> None:
    assert split_sentences(text) == []


@pytest.mark.parametrize(
    ("sentence", "spoken"),
    [
        ("Dr. Smith met Mr. Jones.", "Doctor Smith met Mister Jones."),
        ("Use salt, e.g. Maldon, i.e. flakes.", "Use salt, for example Maldon, that is flakes."),
        ("E.g. this one.", "For example this one."),
        ("The U.S. President spoke.", "The U.S President spoke."),
        ("John F. Kennedy spoke.", "John F Kennedy spoke."),
        ("See Fig. 3 vs. No. 5.", "See Figure 3 versus Number 5."),
        ("Pears, apples, etc.", "Pears, apples, et cetera."),
        ("Wait... what? Fine… go.", "Wait, what? Fine, go."),
        ("It ends in the U.S.", "It ends in the U.S."),
        ("The answer is no.", "The answer is no."),
        ("In 20 ms. it was over.", "In 20 ms. it was over."),
        ("It costs 3.5 dollars!", "It costs 3.5 dollars!"),
    ],
)
def test_spoken_form(sentence: str, spoken: str) -> None:
    assert spoken_form(sentence) == spoken


def test_japanese_sentences_end_at_full_stops_without_spaces() -> None:
    text = "ブラックホールは蒸発します。「本当？」と思うでしょう！今日はその話です。"
    assert split_sentences(text) == [
        "ブラックホールは蒸発します。",
        "「本当？」と思うでしょう！",
        "今日はその話です。",
    ]
