from __future__ import annotations

import pickle

from ytempire.errors import StageFailed, one_line, redact


def test_redact_hides_credentials() -> None:
    text = (
        "connect postgresql://app:hunter2@db/x failed; api_key=abc123 "
        "Authorization: Bearer sk-proj-ABCDEFGHIJKLMNOP1234 "
        "GET https://youtube.googleapis.com/youtube/v3/videos?key=AIzaSyXX99&alt=json"
    )
    out = redact(text)
    assert "alt=json" in out
    for secret in ("hunter2", "abc123", "ABCDEFGHIJKLMNOP1234", "AIzaSyXX99"):
        assert secret not in out


def test_one_line_takes_first_line_and_type_when_empty() -> None:
    assert one_line(ValueError("bad\nsecond line")) == "bad"
    assert one_line(KeyError()) == "KeyError"


def test_stage_failed_names_stage_and_survives_pickling() -> None:
    exc = pickle.loads(pickle.dumps(StageFailed("render", "encoder crashed")))
    assert str(exc) == "stage 'render' failed: encoder crashed"
    assert exc.stage.value == "render"
