"""The metrics queue: batches through the local Redis, straight to the store without it, and
nothing lost when a process stops mid-batch. On SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import redis

from ytempire.analytics import metrics, queue
from ytempire.analytics.store import AnalyticsStore
from ytempire.settings import Settings

REPO = Path(__file__).resolve().parents[2]
LABELS = {"model": "gpt-4o", "content_type": "educational"}


def _item(value: float = 1.0) -> dict[str, object]:
    return metrics.sample("script_generation_time_seconds", LABELS, value)


def _count(store: AnalyticsStore) -> int:
    return len(store.samples("script_generation_time_seconds"))


def _eventually(check: Callable[[], bool], seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return check()


def test_without_redis_each_metric_goes_straight_to_the_store(store: AnalyticsStore) -> None:
    direct = queue.DirectQueue(store)
    direct.record_metric(_item(2.5))
    (row,) = store.samples()
    assert (row.name, json.loads(row.labels), row.value) == (
        "script_generation_time_seconds",
        LABELS,
        2.5,
    )
    assert direct.pending() == 0


def test_a_full_batch_is_written_without_waiting_for_the_interval(
    store: AnalyticsStore, redis_server: str, redis_prefix: str
) -> None:
    q = queue.RedisQueue(store, redis_server, redis_prefix, batch_size=10, flush_interval_s=3600)
    for _ in range(25):
        q.record_metric(_item())
    assert _eventually(lambda: _count(store) >= 10)  # the 10th item woke the flusher
    q.close()  # and the rest on close
    assert _count(store) == 25
    assert q.pending() == 0


def test_a_short_batch_is_written_after_the_interval(
    store: AnalyticsStore, redis_server: str, redis_prefix: str
) -> None:
    q = queue.RedisQueue(store, redis_server, redis_prefix, batch_size=100, flush_interval_s=0.2)
    for _ in range(5):
        q.record_metric(_item())
    assert q.pending() + _count(store) == 5
    assert _eventually(lambda: _count(store) == 5, 5)
    q.close()


def _run_child(code: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


CLAIM_THEN_DIE = """
import os, sys
from ytempire.analytics import metrics, queue
from ytempire.analytics.store import AnalyticsStore
url, redis_url, prefix = sys.argv[1:]
q = queue.RedisQueue(AnalyticsStore(url), redis_url, prefix, batch_size=1000, lease_s=5)
labels = {"model": "m", "content_type": "c"}
for i in range(150):
    q.record_metric(metrics.sample("script_generation_time_seconds", labels, i))
# What a flush does first, then the process dies before the store has the batch.
q.batch_size = 100
q.claim()
print(q.processing_key, flush=True)
os._exit(9)
"""


def test_a_batch_claimed_by_a_process_that_died_is_recovered_after_its_lease(
    store_url: str, redis_server: str, redis_prefix: str
) -> None:
    child = _run_child(CLAIM_THEN_DIE, store_url, redis_server, redis_prefix)
    out, err = child.communicate(timeout=60)
    assert child.returncode == 9, err
    orphan = out.strip()
    client = redis.Redis.from_url(redis_server)
    assert client.llen(orphan) == 100

    store = AnalyticsStore(store_url)
    q = queue.RedisQueue(store, redis_server, redis_prefix, batch_size=100, flush_interval_s=3600)
    assert q.flush() == 50  # the lease still holds: only what was never claimed
    assert client.llen(orphan) == 100
    time.sleep(5.2)
    assert q.flush() == 100  # the lease expired: moved back to pending, then written
    assert not client.exists(orphan)
    assert sorted(s.value for s in store.samples()) == [float(i) for i in range(150)]
    q.close()
    client.close()


KILLED_WHILE_PUSHING = """
import sys
from ytempire.analytics import metrics, queue
from ytempire.analytics.store import AnalyticsStore
url, redis_url, prefix = sys.argv[1:]
q = queue.RedisQueue(AnalyticsStore(url), redis_url, prefix, batch_size=100,
                     flush_interval_s=0.05, lease_s=1)
for i in range(100000):
    item = metrics.sample("script_generation_time_seconds", {"model": "m", "content_type": "c"}, i)
    q.record_metric(item)
    print(item["id"], flush=True)  # acknowledged: in Redis
"""


def test_no_acknowledged_metric_is_lost_when_the_process_is_killed(
    store_url: str, redis_server: str, redis_prefix: str
) -> None:
    child = _run_child(KILLED_WHILE_PUSHING, store_url, redis_server, redis_prefix)
    assert child.stdout is not None
    store = AnalyticsStore(store_url)
    acknowledged: list[str] = []
    # Kill it only once it has written batches, however slow the machine: keep reading (so
    # it never blocks on a full pipe) until the store holds rows, then a little more.
    deadline = time.monotonic() + 60
    while _count(store) == 0:
        assert time.monotonic() < deadline, "the child wrote no batch in 60 s"
        acknowledged += [child.stdout.readline().strip() for _ in range(100)]
    acknowledged += [child.stdout.readline().strip() for _ in range(150)]
    os.kill(child.pid, signal.SIGKILL)  # no atexit, no final flush, maybe mid-batch
    # Read on through the same buffered file: readline() may already hold lines read ahead.
    rest = child.stdout.read()
    child.wait(timeout=30)
    acknowledged += [line for line in rest.splitlines() if len(line) == 32]

    time.sleep(1.2)  # the dead consumer's lease runs out
    q = queue.RedisQueue(store, redis_server, redis_prefix, batch_size=100, flush_interval_s=3600)
    q.flush()
    stored = {s.sample_id.hex for s in store.samples()}
    assert set(acknowledged) <= stored
    assert len(stored) == _count(store) <= len(acknowledged) + 1  # at most the unacknowledged one
    assert q.pending() == 0
    q.close()


def test_a_batch_delivered_twice_is_stored_once(
    store: AnalyticsStore, redis_server: str, redis_prefix: str
) -> None:
    q = queue.RedisQueue(store, redis_server, redis_prefix, batch_size=100, flush_interval_s=3600)
    for i in range(5):
        q.record_metric(_item(i))
    q.write_batch(q.claim())  # committed, then the process "crashed" before deleting the batch
    assert q.flush() == 5  # the leftover batch is written again...
    assert _count(store) == 5  # ...and stored once
    q.close()


def test_unreadable_items_are_set_aside_not_retried_forever(
    store: AnalyticsStore, redis_server: str, redis_prefix: str
) -> None:
    q = queue.RedisQueue(store, redis_server, redis_prefix, batch_size=100, flush_interval_s=3600)
    q.redis.rpush(q.pending_key, b"not json", json.dumps({"type": "sample"}))
    q.record_metric(_item())
    q.flush()
    assert _count(store) == 1
    assert q.redis.llen(q.dead_key) == 2
    with pytest.raises(ValueError, match="unknown metric type"):
        q.record_metric({"type": "gauge", "data": {}})
    q.close()


def test_eight_concurrent_writers_lose_nothing_through_redis(
    store: AnalyticsStore, redis_server: str, redis_prefix: str
) -> None:
    writers = [
        queue.RedisQueue(store, redis_server, redis_prefix, batch_size=100, flush_interval_s=0.1)
        for _ in range(8)
    ]

    def write(q: queue.RedisQueue) -> None:
        for i in range(250):
            q.record_metric(_item(i))

    threads = [threading.Thread(target=write, args=(q,)) for q in writers]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for q in writers:
        q.close()
    seconds = time.perf_counter() - started
    assert _count(store) == 2000
    assert writers[0].pending() == 0
    print(f"8 writers × 250 metrics through Redis: {2000 / seconds:.0f} metrics/s")


def test_eight_concurrent_writers_lose_nothing_straight_to_the_store(store: AnalyticsStore) -> None:
    direct = queue.DirectQueue(store)

    def write() -> None:
        for i in range(50):
            direct.record_metric(_item(i))

    threads = [threading.Thread(target=write) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert _count(store) == 400


def test_the_settings_choose_the_queue(
    tmp_path: Path, redis_server: str, redis_prefix: str
) -> None:
    plain = Settings(workspace=tmp_path / "runs")
    assert isinstance(queue.for_settings(plain), queue.DirectQueue)
    with_redis = Settings(
        workspace=tmp_path / "runs", redis_url=redis_server, metrics_prefix=redis_prefix
    )
    chosen = queue.for_settings(with_redis)
    assert isinstance(chosen, queue.RedisQueue) and chosen.prefix == redis_prefix
    assert queue.for_settings(with_redis) is chosen  # one per process
    queue.close_all()
