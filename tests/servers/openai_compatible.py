"""A real HTTP server on 127.0.0.1 that speaks OpenAI's chat completions API, on a script.

Tests drive the real ``openai`` SDK against it: ``server.queue("429", "ok")`` makes the next
two requests a rate limit and a good answer; with the queue empty, ``server.default`` answers.
Every request is recorded (body and Authorization header) in ``server.requests``.

Behaviours:

- ``ok``: a script in the prompt's JSON format, sized to the word count the prompt asks for,
  using its primary keyword at about 2%, with a question hook, an audience question and a
  subscribe CTA; usage computed from the lengths of the messages and the answer.
- ``low_quality``: valid script JSON that fails every quality check.
- ``garbage``: prose, no JSON.
- ``429``: rate limited, with ``retry-after`` (``server.retry_after``, "1") and OpenAI's body.
- ``quota``: 429 with OpenAI's ``insufficient_quota`` body.
- ``500``: OpenAI's server error body.
- ``401``: OpenAI's invalid key body, quoting the key it was sent (worse than OpenAI, which
  masks it), so tests can check it never reaches our messages.
- ``timeout``: no answer for ``server.hang_s`` seconds; stopping the server ends the wait.
- ``no_usage``: a good answer without the ``usage`` field.
- ``small_model``: what a small local model does: asked with a ``json_schema``
  ``response_format`` (grammar-constrained decoding), a good script; asked without one, the
  prompt's example copied without its ``summary``, and a repair call's input returned word
  for word.

A request for one section's narration (a script written section by section: ``Write the
narration of section``) is answered with that section, sized to its ``(N words)``.

The ``ok`` script is in the language the prompt names (``- Language: Spanish``, or a repair's
``language (Spanish)``; English and
Spanish are known, ``SCRIPT_TEXTS``); a prompt naming speakers (``- Speakers: Ana, Leo``)
gets every section as their alternating ``turns``. A translation request (``Translate this
YouTube video script from … into Spanish``) is answered with the quoted script in that
language: the same sections, cues and turns, Spanish sentences of about the same length, and
its ``keywords``.

A request from the judge of substance (its instructions start ``You judge the substance``)
is answered ``server.verdict`` (a dict) by the ``ok`` behaviour.

``server.models`` is what ``GET /v1/models`` lists; ``server.schema_forms`` are the ways of
sending a JSON schema it honours (``json_schema`` as OpenAI does; ``json_object`` with a
``schema`` as llama-cpp-python's server does); a schema in another form is refused with
``server.schema_refusal`` (400; llama-cpp-python answers 500), so capability probes can be
tested.

Images (``POST /v1/images/generations``) have their own queue, default and fault rates
(``server.queue_images(...)``, ``server.images_default``, ``server.fail_images_at_rates(...)``)
and their own record (``server.image_requests``), so a test can script chat and images
independently:

- ``ok``: one real PNG of the requested size (a vivid picture; with ``server.image_face`` set,
  a face the Haar cascade finds in its left half) as ``b64_json``, with a ``revised_prompt``.
- ``429``, ``quota``, ``500``, ``401``, ``timeout``: as for chat.
- ``content_policy``: OpenAI's 400 ``content_policy_violation`` body.
- ``not_image``: ``b64_json`` that decodes to bytes that are no picture.
- ``no_data``: a 200 answer with an empty ``data`` list.
"""

from __future__ import annotations

import base64
import itertools
import json
import math
import random
import re
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.pictures import draw_face, png_bytes, vivid_picture
from tests.servers.base import ProviderServer, QuietHandler, check_rates, draw

BEHAVIOURS = frozenset(
    {
        "ok",
        "low_quality",
        "garbage",
        "429",
        "quota",
        "500",
        "401",
        "timeout",
        "no_usage",
        "small_model",
    }
)
IMAGE_BEHAVIOURS = frozenset(
    {"ok", "429", "quota", "500", "401", "timeout", "content_policy", "not_image", "no_data"}
)
DEFAULT_WORDS = 150
_WORD = re.compile(r"[\w'’-]+")
_TARGET_WORDS = re.compile(r"\((\d+) words\)")
_KEYWORD = re.compile(r'Primary keyword: "([^"]+)"')
# The language a request names: the script request's context, or a repair's instruction.
_LANGUAGE = re.compile(r"^- Language: (\w+)|wording and language \((\w+)", re.M)
_SPEAKERS = re.compile(r"^- Speakers: ([^,\n]+), ([^\n]+?) \(a dialogue\)", re.M)
_TRANSLATION = re.compile(r"^Translate this YouTube video script from .+? into (\w+)", re.M)
_QUOTED_SCRIPT = re.compile(r"\nScript:\n(\{.*\})\n\nReturn only", re.S)

FILLER = [
    "It starts with a simple idea.",
    "Most people never stop to think about it.",
    "But the small details are what matter here.",
    "Think of it like water moving through a pipe.",
    "Small steps add up over time.",
    "That is why the end result can surprise us.",
    "Here is a clear way to see it.",
    "The numbers tell the same story.",
    "Each part does one job and does it well.",
    "Then the next step follows on its own.",
    "It is easy to miss at first.",
    "Once you see it, you cannot unsee it.",
]


@dataclass
class RecordedRequest:
    """One request as the server saw it."""

    method: str
    path: str
    authorization: str | None
    body: dict[str, Any] = field(default_factory=dict)

    @property
    def model(self) -> str | None:
        return self.body.get("model")

    @property
    def messages(self) -> list[dict[str, Any]]:
        return list(self.body.get("messages", []))

    @property
    def schema_form(self) -> str | None:
        """How the request carries a JSON schema (``json_schema`` or ``json_object``), if it
        carries one."""
        form = self.body.get("response_format")  # images send a string ("b64_json")
        if not isinstance(form, dict):
            return None
        if form.get("type") == "json_schema" or "schema" in form:
            return str(form.get("type"))
        return None

    @property
    def schema(self) -> dict[str, Any] | None:
        """The JSON schema of the response format, if the request has one, in either form."""
        carried = self.schema_form
        if carried is None:
            return None
        form = self.body["response_format"]
        if carried == "json_schema":
            return dict(form.get("json_schema", {}).get("schema", {}))
        return dict(form["schema"])

    @property
    def text(self) -> str:
        """Every message's content, joined: what tests search for prompts and feedback."""
        return "\n".join(str(m.get("content", "")) for m in self.messages)


# The fixed texts of a good script, per language the prompt names ({keyword}, {n} filled).
SCRIPT_TEXTS: dict[str, dict[str, Any]] = {
    "English": {
        "hook": "Have you ever wondered how this really works? The answer is simpler than it "
        "looks.",
        "question": "Have you seen this happen in your own life?",
        "summary": "So that is the whole idea. Keep these few points in mind.",
        "cta": "If this helped, subscribe for more, and tell us in the comments what to cover "
        "next.",
        "keyword": "This is where {keyword} comes in.",
        "heading": "Part {n}",
        "title": "How {keyword} Really Works",
        "description": "A short, clear look at {keyword}.",
        "filler": FILLER,
    },
    "Spanish": {
        "hook": "¿Alguna vez te has preguntado cómo funciona esto? La respuesta es más simple de "
        "lo que parece.",
        "question": "¿Has visto pasar esto en tu propia vida?",
        "summary": "Esa es la idea completa. Recuerda estos pocos puntos.",
        "cta": "Si te ha servido, suscríbete y cuéntanos en los comentarios qué quieres ver.",
        "keyword": "Aquí entra {keyword}.",
        "heading": "Parte {n}",
        "title": "Cómo funciona {keyword}",
        "description": "Una mirada breve y clara a {keyword}.",
        "filler": [
            "Todo empieza con una idea simple.",
            "Casi nadie se para a pensarlo.",
            "Pero los pequeños detalles son los que cuentan.",
            "Piensa en el agua que corre por un tubo.",
            "Los pasos pequeños se suman con el tiempo.",
            "Por eso el resultado nos puede sorprender.",
            "Aquí tienes una forma clara de verlo.",
            "Los datos cuentan la misma historia.",
            "Cada parte hace un trabajo y lo hace bien.",
            "Luego el siguiente paso llega solo.",
            "Es fácil no verlo al principio.",
            "Cuando lo ves, ya no lo puedes dejar de ver.",
        ],
    },
}


def count_words(text: str) -> int:
    return len(_WORD.findall(text))


def good_body(words: int, keyword: str, language: str = "English", fixed: int = 0) -> list[str]:
    """Sentences that bring ``fixed`` words (said elsewhere) to about ``words``, with the
    keyword at about 2% of ``words``, spread evenly."""
    texts = SCRIPT_TEXTS[language]
    keyword_sentence = texts["keyword"].format(keyword=keyword)
    hits = max(1, round(0.02 * words / max(1, count_words(keyword))))
    fixed += hits * count_words(keyword_sentence)
    body: list[str] = []
    filler = itertools.cycle(texts["filler"])
    while fixed + sum(count_words(s) for s in body) < words - 3:
        body.append(next(filler))
    for i in range(hits):
        body.insert(round((i + 0.5) * len(body) / hits) + i, keyword_sentence)
    return body


def good_script(
    words: int,
    keyword: str,
    language: str = "English",
    speakers: tuple[str, str] | None = None,
) -> dict[str, Any]:
    """A script that passes every quality check at ``words`` words (150 and up), in
    ``language`` (a key of ``SCRIPT_TEXTS``), each section as ``speakers``' turns if given.

    Below that, one use of a three-word keyword is already over 3% of the words.
    """
    texts = SCRIPT_TEXTS[language]
    fixed = sum(count_words(texts[part]) for part in ("hook", "question", "summary", "cta"))
    body = good_body(words, keyword, language, fixed)
    body.insert(1, texts["question"])
    n_sections = 3 if len(body) >= 6 else 1
    size = math.ceil(len(body) / n_sections)
    sections = [
        {
            "heading": texts["heading"].format(n=i + 1),
            **_said(body[i * size : (i + 1) * size], speakers),
            "visual_cues": [
                {"kind": "stock_footage", "keywords": [keyword, "close up"]},
                {"kind": "text_overlay", "text": texts["heading"].format(n=i + 1)},
                {"kind": "chart", "chart_type": "bar", "data": {"before": 1.0, "after": 2.5}},
            ],
        }
        for i in range(n_sections)
        if body[i * size : (i + 1) * size]
    ]
    return {
        "title": texts["title"].format(keyword=keyword),
        "hook": texts["hook"],
        "sections": sections,
        "summary": texts["summary"],
        "cta": texts["cta"],
        "tags": [keyword, "explainer"],
        "description": texts["description"].format(keyword=keyword),
    }


def _said(sentences: list[str], speakers: tuple[str, str] | None) -> dict[str, Any]:
    """A section's spoken part: its narration, or ``speakers`` taking turns sentence by
    sentence (the second one in an excited voice)."""
    if speakers is None:
        return {"narration": " ".join(sentences)}
    turns = [
        {"speaker": speakers[i % 2], "text": s} | ({"delivery": "excited"} if i % 2 else {})
        for i, s in enumerate(sentences)
    ]
    return {"turns": turns}


def translated_script(source: dict[str, Any], language: str) -> dict[str, Any]:
    """``source`` (a script's JSON) told in ``language``: the same sections, cues and turns,
    each text replaced by sentences of about its length, the keywords as they were."""
    texts = SCRIPT_TEXTS[language]
    keywords = list(source.get("keywords") or ["the topic"])
    sections = []
    for n, section in enumerate(source["sections"], start=1):
        turns = section.get("turns") or []
        said = [t["text"] for t in turns] or [section["narration"]]
        words = [count_words(s) for s in said]
        body = good_body(sum(words) + 3, keywords[0], language)
        if n == 1:
            body.insert(1, texts["question"])
        parts = [body[i :: len(said)] or body[:1] for i in range(len(said))]
        cues = [
            cue | ({"text": f"{texts['heading'].format(n=n)}"} if cue.get("text") else {})
            for cue in section.get("visual_cues", [])
        ]
        spoken: dict[str, Any] = (
            {"turns": [t | {"text": " ".join(p)} for t, p in zip(turns, parts, strict=True)]}
            if turns
            else {"narration": " ".join(parts[0])}
        )
        sections.append({"heading": texts["heading"].format(n=n), **spoken, "visual_cues": cues})
    return {
        **good_script(DEFAULT_WORDS, keywords[0], language),
        "sections": sections,
        "keywords": keywords,
    }


def good_section(words: int, keyword: str) -> dict[str, Any]:
    """One section of about ``words`` words: an audience question, the keyword at about 2%,
    filler for the rest."""
    sentences = ["Have you seen this happen in your own life?"]
    keyword_sentence = f"This is where {keyword} comes in."
    filler = itertools.cycle(FILLER)
    while sum(count_words(s) for s in sentences) < words - 3:
        every = max(1, round(0.02 * words / max(1, count_words(keyword))))
        if len(sentences) % max(1, len(FILLER) // every) == 1:
            sentences.append(keyword_sentence)
        else:
            sentences.append(next(filler))
    return {
        "narration": " ".join(sentences),
        "visual_cues": [{"kind": "stock_footage", "keywords": [keyword]}],
    }


LOW_QUALITY = {
    "title": "Notes",
    "hook": "Welcome back to the channel, everyone, and thanks for joining us again today.",
    "sections": [
        {
            "heading": "Overview",
            "narration": "The multifaceted institutional considerations characterizing "
            "contemporary organizational decision-making processes necessitate comprehensive "
            "evaluation methodologies incorporating heterogeneous stakeholder perspectives.",
        }
    ],
    "summary": "Considerations were enumerated.",
    "cta": "Thanks for watching.",
    "tags": [],
    "description": "",
}

GARBAGE = (
    "Sure! Here is a great script about your topic. Once upon a time there was a video "
    "that everybody loved, and it went on and on without any structure at all."
)


def _small_model_text(request: RecordedRequest) -> str:
    """A small model without a grammar: a repair request's broken input echoed back word for
    word, else a script that lacks its ``summary`` (the shape failure issue 21 saw)."""
    marker = "Answer to repair:\n"
    if marker in request.text:
        return request.text.split(marker, 1)[1].strip()
    script = good_script(DEFAULT_WORDS, "the topic")
    del script["summary"]
    return json.dumps(script)


def _error(message: str, type_: str, code: str | None) -> dict[str, Any]:
    return {"error": {"message": message, "type": type_, "param": None, "code": code}}


class OpenAICompatibleServer(ProviderServer):
    """A programmable OpenAI-compatible server on a free 127.0.0.1 port; a context manager."""

    behaviours = BEHAVIOURS

    def __init__(self, *, hang_s: float = 10.0) -> None:
        super().__init__(_handler_for(self), hang_s=hang_s)
        self.retry_after = "1"
        self.reported_model: str | None = None
        self.requests: list[RecordedRequest] = []
        self.usages: list[dict[str, int]] = []  # the usage of every answer that had one
        self.models = ["gpt-4", "gpt-4-turbo", "gpt-4o", "gpt-4o-mini", "gpt-3.5-turbo"]
        self.schema_forms = {"json_schema"}
        self.schema_refusal = 400
        self.verdict: dict[str, Any] = {
            "facts": ["Hawking radiation was predicted in 1974"],
            "claims_needing_source": [],
            "promise": "how black holes evaporate",
            "promise_delivered": 0.8,
            "reasons": ["The sections explain the mechanism the title promises."],
        }
        self._last_words = DEFAULT_WORDS
        self._last_keyword = "the topic"
        self._ids = itertools.count(1)
        self.images_default = "ok"
        self.image_face = False
        self.image_requests: list[RecordedRequest] = []
        self._image_queue: deque[str] = deque()
        self._image_rates: list[tuple[str, float]] = []
        self._image_rng = random.Random(0)
        self._pngs: dict[tuple[int, int, bool], bytes] = {}  # drawing one takes a while

    @property
    def url(self) -> str:
        """The base URL to give the SDK (``.../v1``)."""
        return f"{self.address}/v1"

    def queue_images(self, *behaviours: str) -> None:
        """Answer the next image requests with these behaviours, in order."""
        unknown = set(behaviours) - IMAGE_BEHAVIOURS
        if unknown:
            raise ValueError(f"unknown image behaviours: {sorted(unknown)}")
        with self._lock:
            self._image_queue.extend(behaviours)

    # -- used by the handler ---------------------------------------------------------------

    def _next(self, request: RecordedRequest) -> str:
        behaviour = self.next_behaviour()
        with self._lock:
            self.requests.append(request)
            text = request.text
            if match := _TARGET_WORDS.search(text):
                self._last_words = int(match.group(1))
            if match := _KEYWORD.search(text):
                self._last_keyword = match.group(1)
        return behaviour

    def fail_images_at_rates(self, rates: dict[str, float], *, seed: int = 0) -> None:
        """Fault injection for images, as ``fail_at_rates`` is for chat."""
        unknown = set(rates) - IMAGE_BEHAVIOURS
        if unknown:
            raise ValueError(f"unknown image behaviours: {sorted(unknown)}")
        check_rates(rates)
        with self._lock:
            self._image_rates = list(rates.items())
            self._image_rng = random.Random(seed)

    def _next_image(self, request: RecordedRequest) -> str:
        with self._lock:
            self.image_requests.append(request)
            if self._image_queue:
                return self._image_queue.popleft()
            return draw(self._image_rates, self._image_rng, self.images_default)

    def _image_answer(
        self, request: RecordedRequest, behaviour: str
    ) -> tuple[int, dict[str, str], Any]:
        """(status, headers, JSON body) for an images request; None body: send nothing."""
        if behaviour == "timeout":
            if self.hang():
                return 0, {}, None
            behaviour = "ok"
        if behaviour == "content_policy":
            body = _error(
                "Your request was rejected as a result of our safety system. Your prompt may "
                "contain text that is not allowed by our safety system.",
                "invalid_request_error",
                "content_policy_violation",
            )
            return 400, {}, body
        if behaviour == "no_data":
            return 200, {}, {"created": int(time.time()), "data": []}
        if behaviour in ("ok", "not_image"):
            if behaviour == "ok":
                width, height = (
                    int(v) for v in str(request.body.get("size", "1024x1024")).split("x")
                )
                data = self._png(width, height, self.image_face)
            else:
                data = b"this is not a picture at all"
            item = {
                "b64_json": base64.b64encode(data).decode("ascii"),
                "revised_prompt": f"A vivid picture: {request.body.get('prompt', '')}"[:200],
            }
            return 200, {}, {"created": int(time.time()), "data": [item]}
        # The error behaviours answer as they do for chat.
        return self._respond(request, behaviour)

    def _png(self, width: int, height: int, face: bool) -> bytes:
        key = (width, height, face)
        if key not in self._pngs:
            picture = vivid_picture(width, height, seed=5)
            if face:
                side, top = height // 2, height // 4
                picture = draw_face(picture, (width // 8, top, width // 8 + side, top + side))
            self._pngs[key] = png_bytes(picture)
        return self._pngs[key]

    def _completion(self, request: RecordedRequest, content: str, usage: bool) -> dict[str, Any]:
        prompt_tokens = 3 + sum(
            4 + math.ceil(len(str(m.get("content", ""))) / 4) for m in request.messages
        )
        completion_tokens = math.ceil(len(content) / 4)
        answer: dict[str, Any] = {
            "id": f"chatcmpl-test{next(self._ids)}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": self.reported_model or request.model or "unknown",
            "system_fingerprint": "fp_test",
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": content, "refusal": None},
                    "logprobs": None,
                    "finish_reason": "stop",
                }
            ],
        }
        if usage:
            answer["usage"] = {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
            }
            with self._lock:
                self.usages.append(answer["usage"])
        return answer

    def _respond(self, request: RecordedRequest, behaviour: str) -> tuple[int, dict[str, str], Any]:
        """(status, headers, JSON body) for ``behaviour``; None body: send nothing."""
        if behaviour == "timeout":
            if self.hang():
                return 0, {}, None
            behaviour = "ok"
        if request.schema_form is not None and request.schema_form not in self.schema_forms:
            message = f"a schema in response_format {request.schema_form} is not supported"
            return self.schema_refusal, {}, _error(message, "invalid_request", None)
        if behaviour == "small_model":
            if request.schema is not None:
                behaviour = "ok"
            else:
                return 200, {}, self._completion(request, _small_model_text(request), usage=True)
        if behaviour in ("ok", "no_usage"):
            named_language = _LANGUAGE.search(request.text)
            language = (named_language[1] or named_language[2]) if named_language else "English"
            language = language if language in SCRIPT_TEXTS else "English"
            speakers = _SPEAKERS.search(request.text)
            named = (speakers[1].strip(), speakers[2].strip()) if speakers else None
            script = good_script(self._last_words, self._last_keyword, language, named)
            if translation := _TRANSLATION.search(request.text):
                quoted = _QUOTED_SCRIPT.search(request.text)
                source = json.loads(quoted[1]) if quoted else script
                script = translated_script(source, translation[1])
            content = json.dumps(script)
            if request.text.startswith("You judge the substance"):
                content = json.dumps(self.verdict)
            elif "Write the narration of section" in request.text:
                content = json.dumps(good_section(self._last_words, self._last_keyword))
            return 200, {}, self._completion(request, content, usage=behaviour == "ok")
        if behaviour == "low_quality":
            return 200, {}, self._completion(request, json.dumps(LOW_QUALITY), usage=True)
        if behaviour == "garbage":
            return 200, {}, self._completion(request, GARBAGE, usage=True)
        if behaviour == "429":
            body = _error(
                f"Rate limit reached for {request.model} on requests per min (RPM): "
                "Limit 3, Used 3, Requested 1.",
                "requests",
                "rate_limit_exceeded",
            )
            return 429, {"retry-after": self.retry_after}, body
        if behaviour == "quota":
            body = _error(
                "You exceeded your current quota, please check your plan and billing details.",
                "insufficient_quota",
                "insufficient_quota",
            )
            return 429, {}, body
        if behaviour == "500":
            body = _error(
                "The server had an error while processing your request. Sorry about that!",
                "server_error",
                None,
            )
            return 500, {}, body
        if behaviour == "401":
            key = (request.authorization or "").removeprefix("Bearer ").strip()
            body = _error(
                f"Incorrect API key provided: {key}. You can find your API key at "
                "https://platform.openai.com/account/api-keys.",
                "invalid_request_error",
                "invalid_api_key",
            )
            return 401, {}, body
        raise AssertionError(f"unhandled behaviour {behaviour}")


def _handler_for(server: OpenAICompatibleServer) -> type[QuietHandler]:
    class Handler(QuietHandler):
        def do_GET(self) -> None:
            if self.path.rstrip("/") != "/v1/models":
                self.send_json(404, _error("Not found", "invalid_request_error", None))
                return
            with server._lock:
                server.requests.append(
                    RecordedRequest("GET", self.path, self.headers.get("Authorization"))
                )
            data = [
                {"id": m, "object": "model", "created": 0, "owned_by": "test"}
                for m in server.models
            ]
            self.send_json(200, {"object": "list", "data": data})

        def do_POST(self) -> None:
            raw = self.read_body()
            if self.path.rstrip("/") == "/v1/images/generations":
                self._images(raw)
                return
            if self.path.rstrip("/") != "/v1/chat/completions":
                self.send_json(404, _error("Not found", "invalid_request_error", None))
                return
            try:
                body = json.loads(raw or b"{}")
            except ValueError:
                self.send_json(400, _error("Invalid JSON body", "invalid_request_error", None))
                return
            request = RecordedRequest("POST", self.path, self.headers.get("Authorization"), body)
            status, headers, answer = server._respond(request, server._next(request))
            if answer is not None:
                self.send_json(status, answer, headers)

        def _images(self, raw: bytes) -> None:
            try:
                body = json.loads(raw or b"{}")
            except ValueError:
                self.send_json(400, _error("Invalid JSON body", "invalid_request_error", None))
                return
            request = RecordedRequest("POST", self.path, self.headers.get("Authorization"), body)
            status, headers, answer = server._image_answer(request, server._next_image(request))
            if answer is not None:
                self.send_json(status, answer, headers)

    return Handler


@pytest.fixture
def openai_server() -> Iterator[OpenAICompatibleServer]:
    """A running ``OpenAICompatibleServer``, stopped after the test."""
    with OpenAICompatibleServer() as server:
        yield server
