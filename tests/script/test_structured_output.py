"""Structured output: the script asked with its JSON schema where the endpoint honours it.

The local test server plays a small model (``small_model``): without a schema it copies the
prompt's example without a ``summary`` and echoes repairs word for word; with a schema
(grammar-constrained decoding) it answers the script's shape.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import jsonschema
import pytest

from tests.script.test_llm_writer import JOB, TOPIC
from tests.servers.openai_compatible import OpenAICompatibleServer
from ytempire.models import VideoJob
from ytempire.providers import endpoints
from ytempire.providers.catalog import local_spec
from ytempire.providers.endpoints import Endpoint, SchemaForm
from ytempire.providers.openai_chat import make_client
from ytempire.quality.suites import Suite
from ytempire.resilience.errors import InvalidOutput, QualityFailure
from ytempire.script.llm_writer import LLMScript, write_with_model
from ytempire.script.parse import SCRIPT_SCHEMA, SECTION_SCHEMA
from ytempire.script.prompts import PromptParams
from ytempire.settings import Settings

SPEC = local_spec("gemma-3-270m-it")


@pytest.fixture
def server() -> Iterator[OpenAICompatibleServer]:
    with OpenAICompatibleServer() as running:
        running.default = "small_model"
        running.models = [SPEC.name]
        yield running


def _write(
    server: OpenAICompatibleServer, suite: Suite, *, structured: SchemaForm | None
) -> LLMScript:
    client = make_client(None, server.url, timeout_s=5)
    return write_with_model(
        client, SPEC, JOB, TOPIC, PromptParams(), script_suite=suite, structured=structured
    )


def test_a_schema_constrained_answer_validates_without_a_repair(
    server: OpenAICompatibleServer, script_suite: Suite
) -> None:
    result = _write(server, script_suite, structured="json_schema")
    (request,) = server.requests  # no repair call
    assert request.body["response_format"]["type"] == "json_schema"
    assert request.schema == SCRIPT_SCHEMA
    answer = json.loads(result.calls[0].text)
    jsonschema.validate(answer, SCRIPT_SCHEMA)
    assert result.calls[0].structured and result.draft.summary


def test_the_same_model_without_a_schema_fails_its_shape(
    server: OpenAICompatibleServer, script_suite: Suite
) -> None:
    with pytest.raises(InvalidOutput, match="summary"):
        _write(server, script_suite, structured=None)
    draft, repair = server.requests
    assert draft.body["response_format"] == {"type": "json_object"}
    assert repair.schema is None


def test_a_repair_that_echoes_its_input_is_not_asked_again(
    server: OpenAICompatibleServer, script_suite: Suite
) -> None:
    # A weak first draft, then two unreadable regenerations: the first one's repair echoes
    # it word for word, so the second gets none (4 calls, not 5).
    server.queue("low_quality")
    with pytest.raises(QualityFailure):
        _write(server, script_suite, structured=None)
    assert len(server.requests) == 4
    assert sum("Answer to repair" in r.text for r in server.requests) == 1


def test_the_probe_detects_json_schema_and_measures_speed(
    server: OpenAICompatibleServer,
) -> None:
    local = Endpoint(name="llama", base_url=server.url, kind="local")
    settings = endpoints.register(Settings(), local)
    resolved, unreachable = endpoints.resolve_chat(settings, timeout_s=5)
    (checked,) = endpoints.of_capability(resolved, "chat")
    assert unreachable == [] and checked.models == [SPEC.name]
    assert checked.structured_output is True and checked.tokens_per_s is not None
    assert endpoints.timeout_s(checked, 10**9, 60) > 60  # a long answer waits longer

    server.schema_forms = set()  # a server without grammar support answers 400
    refused = endpoints.probe_structured_output(local, SPEC.name, timeout_s=5)
    assert refused.structured_output is False


def test_a_llama_cpp_server_gets_its_schema_as_json_object(
    server: OpenAICompatibleServer, script_suite: Suite
) -> None:
    # llama-cpp-python's server answers 500 to json_schema and takes a json_object schema.
    server.schema_forms, server.schema_refusal = {"json_object"}, 500
    local = Endpoint(name="llama", base_url=server.url, kind="local")
    checked = endpoints.probe_structured_output(local, SPEC.name, timeout_s=5)
    assert (checked.structured_output, checked.schema_form) == (True, "json_object")

    server.requests.clear()
    server.default = "small_model"
    client = make_client(None, server.url, timeout_s=5)
    written = write_with_model(
        client,
        SPEC,
        VideoJob(minutes=1),
        TOPIC,
        PromptParams(),
        script_suite=script_suite,
        structured=endpoints.constrained(checked),
    )
    assert written.draft.title
    assert [r.schema_form for r in server.requests] == ["json_object"]  # no repair needed


def test_a_small_output_cap_writes_the_script_section_by_section(
    server: OpenAICompatibleServer, script_suite: Suite
) -> None:
    server.default = "ok"
    job = VideoJob(minutes=3)
    client = make_client(None, server.url, timeout_s=5)
    result = write_with_model(
        client,
        SPEC,
        job,
        TOPIC,
        PromptParams(),
        script_suite=script_suite,
        structured="json_schema",
        output_cap=400,
    )
    outline, *sections = server.requests[: 1 + len(result.draft.sections)]
    assert "outline only" in outline.text and outline.schema == SCRIPT_SCHEMA
    assert [r.schema for r in sections] == [SECTION_SCHEMA] * len(result.draft.sections)
    assert all(r.body["max_tokens"] <= 400 for r in server.requests)
    heads = [s.heading for s in result.draft.sections]
    assert all(f'"{h}"' in r.text for h, r in zip(heads, sections, strict=True))
    assert result.quality_score == 1.0
