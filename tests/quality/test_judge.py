"""The judge of substance: a chat model's verdict (over real HTTP to the local test server)
checked by the substance suite, and the template writer scored for what it is."""

from __future__ import annotations

import pytest

from tests.script.test_llm_writer import TOPIC
from tests.servers.openai_compatible import OpenAICompatibleServer
from ytempire.models import Script, VideoJob
from ytempire.providers.catalog import local_spec
from ytempire.providers.openai_chat import make_client
from ytempire.quality import judge, report
from ytempire.quality.suites import Suite, load_suite, suite_path
from ytempire.resilience.errors import InvalidOutput
from ytempire.script import compose
from ytempire.script.template_writer import ENGINE as TEMPLATE_ENGINE
from ytempire.settings import Settings
from ytempire.workspace import VideoFolder

SPEC = local_spec("gemma-3-270m-it")
JOB = VideoJob(topic=TOPIC.title, minutes=1)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Script:
    folder = VideoFolder(tmp_path_factory.mktemp("ws"), JOB.video_id).create()
    return compose.write_template_script(JOB, TOPIC, folder)


@pytest.fixture(scope="module")
def suites() -> dict[str, Suite]:
    folder = Settings().quality_suites_dir
    return {name: load_suite(suite_path(folder, name)) for name in ("script", "substance")}


def test_the_judges_verdict_is_checked_and_its_reasons_kept(
    template: Script, suites: dict[str, Suite], openai_server: OpenAICompatibleServer
) -> None:
    written = template.model_copy(update={"engine": "a-model"})
    client = make_client(None, openai_server.url, timeout_s=5)
    verdict, call = judge.judge(client, SPEC, written, structured="json_schema")
    (request,) = openai_server.requests
    assert request.schema == judge.VERDICT_SCHEMA and call.structured
    assert "Title: " in request.text and written.hook in request.text
    assert verdict.promise_delivered == 0.8 and len(verdict.facts) == 1
    # One fact in about a minute: under 2 a minute, so that check fails and says why.
    row = judge.substance_row(written, verdict, SPEC.name)
    checks = {c.name: c for c in report.run_suite(suites["substance"], ["script"], [row])}
    assert checks["promise_delivered"].passed and checks["unsourced_claims_per_minute"].passed
    failed = checks["facts_per_minute"]
    assert not failed.passed and failed.recommendation is not None
    assert "The sections explain the mechanism" in failed.recommendation
    assert SPEC.name in failed.recommendation


def test_an_answer_that_is_no_verdict_is_one_line(
    template: Script, openai_server: OpenAICompatibleServer
) -> None:
    openai_server.verdict = {"facts": "not a list"}
    client = make_client(None, openai_server.url, timeout_s=5)
    with pytest.raises(InvalidOutput, match="no verdict") as bad:
        judge.judge(client, SPEC, template)
    assert "\n" not in str(bad.value)


def test_a_template_script_never_passes(template: Script, suites: dict[str, Suite]) -> None:
    assert template.engine == TEMPLATE_ENGINE
    substance = judge.substance_row(template, judge.template_verdict(), "template")
    checks = [
        *report.run_suite(suites["script"], ["script"], [report.script_row(template, 150)]),
        *report.run_suite(suites["substance"], ["script"], [substance]),
    ]
    failed = {c.name for c in checks if not c.passed}
    assert {"engagement", "facts_per_minute", "promise_delivered"} <= failed
    assert judge.TEMPLATE_REASON in substance["judge_reasons"]
    # The same words from another writer pass engagement: the cap is the engine's.
    other = template.model_copy(update={"engine": "a-model"})
    assert report.script_row(other, 150)["engagement"] >= 0.75
    assert report.script_row(template, 150)["engagement"] <= report.TEMPLATE_ENGAGEMENT


def test_the_substance_suite_loads_every_expectation(suites: dict[str, Suite]) -> None:
    assert [c.check for c in suites["substance"].checks] == [
        "facts_per_minute",
        "unsourced_claims_per_minute",
        "promise_delivered",
    ]
