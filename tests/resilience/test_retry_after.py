"""Retry-After, read in one place from whatever each SDK keeps its response headers in."""

from __future__ import annotations

from datetime import UTC, datetime

import httplib2
import httpx
import requests
from elevenlabs.core.api_error import ApiError
from googleapiclient.errors import HttpError

from ytempire.resilience.retry_after import of_error, seconds

NOW = datetime(2030, 1, 1, 12, 0, 0, tzinfo=UTC)


def test_seconds_milliseconds_and_http_dates() -> None:
    assert seconds({"retry-after": "7"}, now=NOW) == 7.0
    assert seconds({"Retry-After": " 2.5 "}, now=NOW) == 2.5
    assert seconds({"retry-after-ms": "1500", "retry-after": "9"}, now=NOW) == 1.5
    assert seconds({"retry-after": "Tue, 01 Jan 2030 12:00:30 GMT"}, now=NOW) == 30.0
    assert seconds({"retry-after": "Tue, 01 Jan 2030 11:00:00 GMT"}, now=NOW) == 0.0


def test_unreadable_or_absent_is_none_and_never_negative() -> None:
    assert seconds({"retry-after": "soon"}, now=NOW) is None
    assert seconds({"retry-after": "nan"}, now=NOW) is None
    assert seconds({"retry-after": "-5"}, now=NOW) == 0.0
    assert seconds({}, now=NOW) is None
    assert seconds(None, now=NOW) is None


def test_headers_of_every_sdk_are_read() -> None:
    # httpx (and the openai SDK, whose errors hold an httpx response).
    request = httpx.Request("GET", "https://api.example.com/x")
    response = httpx.Response(429, headers={"Retry-After": "3"}, request=request)
    assert of_error(httpx.HTTPStatusError("busy", request=request, response=response)) == 3.0
    # requests (google-cloud-texttospeech's REST transport).
    answer = requests.Response()
    answer.status_code = 503
    answer.headers["RETRY-AFTER"] = "4"
    assert of_error(requests.HTTPError(response=answer)) == 4.0
    # googleapiclient: an httplib2.Response of lower-cased headers.
    resp = httplib2.Response({"status": "429", "retry-after": "Tue, 01 Jan 2030 12:00:05 GMT"})
    assert of_error(HttpError(resp, b"{}"), now=NOW) == 5.0
    # elevenlabs: a plain dict on the error.
    assert of_error(ApiError(status_code=429, headers={"retry-after": "6"}, body={})) == 6.0
    # An error without a response says nothing.
    assert of_error(ValueError("x")) is None
