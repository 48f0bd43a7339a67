"""The metrics queue (seed §6.2): observations batched through Redis into the store.

With ``YTEMPIRE_REDIS_URL`` set, ``record_metric`` appends the observation to a Redis list and
returns; a background thread writes batches of ``batch_size`` (100) to the store as soon as
that many are waiting, and every ``flush_interval_s`` (5 s) otherwise. Without Redis, each
observation goes straight to the store (``DirectQueue``).

Nothing is lost when a process stops mid-batch:

- an observation is in Redis before ``record_metric`` returns;
- a flush first *moves* up to ``batch_size`` items, atomically (one Lua script), from the
  shared ``<prefix>:pending`` list to this consumer's ``<prefix>:processing:<id>`` list and
  sets its lease key ``<prefix>:alive:<id>``; only after the store has committed the batch is
  the processing list deleted. A failed write leaves the batch there for the next flush;
- a consumer that died holding a batch stops renewing its lease; the next flush anywhere
  moves its processing list back to pending once the lease has expired;
- every observation carries an id that is the store's primary key and the store skips ids it
  already has, so a batch written twice (a crash between commit and delete, or a lease that
  expired under a very slow write) is stored once;
- the process flushes what is waiting on exit (``atexit``); items still waiting after a
  ``SIGKILL`` are flushed by the next process that uses the queue.
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import threading
import uuid
from collections.abc import Mapping
from typing import Any, Protocol

import redis

from ytempire.analytics.store import AnalyticsStore
from ytempire.settings import Settings

log = logging.getLogger(__name__)

DEFAULT_PREFIX = "ytempire:metrics"

# KEYS: pending, processing, alive, consumers. ARGV: batch size, lease seconds, consumer id.
_CLAIM = """
redis.call('SET', KEYS[3], '1', 'EX', ARGV[2])
redis.call('SADD', KEYS[4], ARGV[3])
local items = redis.call('LRANGE', KEYS[1], 0, tonumber(ARGV[1]) - 1)
if #items > 0 then
  redis.call('LTRIM', KEYS[1], #items, -1)
  redis.call('RPUSH', KEYS[2], unpack(items))
end
return items
"""

# KEYS: another consumer's processing list, its alive key, pending, consumers. ARGV: its id.
# Only once its lease has ended.
_RECOVER = """
if redis.call('EXISTS', KEYS[2]) == 1 then return -1 end
local items = redis.call('LRANGE', KEYS[1], 0, -1)
if #items > 0 then
  redis.call('RPUSH', KEYS[3], unpack(items))
end
redis.call('DEL', KEYS[1])
redis.call('SREM', KEYS[4], ARGV[1])
return #items
"""


class MetricsQueue(Protocol):
    def record_metric(self, item: Mapping[str, Any]) -> None:
        """Queue one observation (``metrics.sample(...)``) for the store."""

    def flush(self) -> int:
        """Write what is waiting to the store now; return how many were written."""

    def pending(self) -> int:
        """How many observations are not in the store yet."""

    def close(self) -> None:
        """Flush and stop; the queue may not be used afterwards."""


def _as_sample(item: Mapping[str, Any]) -> dict[str, Any]:
    if item.get("type") != "sample":
        raise ValueError(f"unknown metric type {item.get('type')!r}; expected 'sample'")
    data = item["data"]
    return {
        "id": item["id"],
        "name": data["name"],
        "labels": data["labels"],
        "value": data["value"],
        "timestamp": item["timestamp"],
    }


class DirectQueue:
    """No Redis configured: every observation is written to the store at once."""

    def __init__(self, store: AnalyticsStore) -> None:
        self.store = store

    def record_metric(self, item: Mapping[str, Any]) -> None:
        self.store.record_samples([_as_sample(item)])

    def flush(self) -> int:
        return 0

    def pending(self) -> int:
        return 0

    def close(self) -> None:
        return None


class RedisQueue:
    """Observations batched through Redis lists; see the module docstring for the protocol."""

    def __init__(
        self,
        store: AnalyticsStore,
        url: str,
        prefix: str = DEFAULT_PREFIX,
        batch_size: int = 100,
        flush_interval_s: float = 5.0,
        lease_s: float = 60.0,
    ) -> None:
        if not 1 <= batch_size <= 5000:
            raise ValueError(f"batch_size must be between 1 and 5000, got {batch_size}")
        self.store = store
        self.prefix = prefix
        self.batch_size = batch_size
        self.flush_interval_s = flush_interval_s
        self.lease_s = max(1, round(lease_s))
        self.redis = redis.Redis.from_url(url)
        self._claim_script = self.redis.register_script(_CLAIM)
        self._recover = self.redis.register_script(_RECOVER)
        self.pending_key = f"{prefix}:pending"
        self.dead_key = f"{prefix}:dead"
        # Consumers that may hold a batch: recovery looks only at these, never SCANs.
        self.consumers_key = f"{prefix}:consumers"
        self._flush_lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._new_consumer()

    def _new_consumer(self) -> None:
        self.consumer = uuid.uuid4().hex
        self._pid = os.getpid()
        self.processing_key = f"{self.prefix}:processing:{self.consumer}"
        self.alive_key = f"{self.prefix}:alive:{self.consumer}"

    def record_metric(self, item: Mapping[str, Any]) -> None:
        _as_sample(item)  # refuse what the store could never take, before it is queued
        waiting = self.redis.rpush(self.pending_key, json.dumps(dict(item)))
        self._ensure_flusher()
        if int(waiting) >= self.batch_size:  # type: ignore[arg-type]
            self._wake.set()

    def pending(self) -> int:
        waiting = int(self.redis.llen(self.pending_key))  # type: ignore[arg-type]
        for consumer in self._consumers():
            waiting += int(self.redis.llen(f"{self.prefix}:processing:{consumer}"))  # type: ignore[arg-type]
        return waiting

    def _consumers(self) -> list[str]:
        members = self.redis.smembers(self.consumers_key)
        return sorted(m.decode() if isinstance(m, bytes) else str(m) for m in members)  # type: ignore[union-attr]

    def flush(self) -> int:
        """Recover batches of dead consumers, then write batches until pending is short."""
        with self._flush_lock:
            if os.getpid() != self._pid:  # a forked child is a consumer of its own
                self._new_consumer()
            self.recover()
            written = 0
            while True:
                self.redis.set(self.alive_key, "1", ex=self.lease_s)
                batch: list[bytes] = self.redis.lrange(self.processing_key, 0, -1)  # type: ignore[assignment]
                if not batch:
                    batch = self.claim()
                if not batch:
                    break
                self.write_batch(batch)
                self.redis.delete(self.processing_key)
                written += len(batch)
                if len(batch) < self.batch_size:
                    break
            self.redis.srem(self.consumers_key, self.consumer)
            self.redis.delete(self.alive_key)
            return written

    def claim(self) -> list[bytes]:
        """Move up to ``batch_size`` waiting items to this consumer's processing list (atomic,
        lease renewed) and return them: the first half of a flush."""
        keys = [self.pending_key, self.processing_key, self.alive_key, self.consumers_key]
        items = self._claim_script(keys=keys, args=[self.batch_size, self.lease_s, self.consumer])
        return list(items)  # type: ignore[arg-type]

    def recover(self) -> int:
        """Move the batches of consumers whose lease expired back to pending."""
        moved = 0
        for consumer in self._consumers():
            if consumer == self.consumer:
                continue
            keys = [
                f"{self.prefix}:processing:{consumer}",
                f"{self.prefix}:alive:{consumer}",
                self.pending_key,
                self.consumers_key,
            ]
            count = int(self._recover(keys=keys, args=[consumer]))  # type: ignore[arg-type]
            if count > 0:
                log.warning("recovered %d metrics from stopped consumer %s", count, consumer)
                moved += count
        return moved

    def write_batch(self, batch: list[bytes]) -> None:
        """Store a claimed batch (the second half of a flush); unreadable items set aside."""
        samples, dead = [], []
        for raw in batch:
            try:
                samples.append(_as_sample(json.loads(raw)))
            except (ValueError, KeyError, TypeError):
                dead.append(raw)
        if dead:  # kept for a person to look at, never retried forever
            self.redis.rpush(self.dead_key, *dead)
            log.warning("moved %d unreadable metrics to %s", len(dead), self.dead_key)
        self.store.record_samples(samples)

    def _ensure_flusher(self) -> None:
        if self._thread is not None and self._thread.is_alive() and os.getpid() == self._pid:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="metrics-flusher", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.flush_interval_s)
            self._wake.clear()
            if self._stop.is_set():
                break
            try:
                self.flush()
            except Exception as exc:  # the items stay in Redis; the next tick retries
                log.warning("metrics flush failed, will retry: %s", exc)

    def close(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=30)
        try:
            self.flush()
        except Exception as exc:
            log.warning("metrics left in Redis for the next flush: %s", exc)
        self.redis.close()


_queues: dict[tuple[str, str | None, str], MetricsQueue] = {}
_queues_lock = threading.Lock()


def queue_for(
    analytics_url: str,
    redis_url: str | None = None,
    prefix: str = DEFAULT_PREFIX,
    batch_size: int = 100,
    flush_interval_s: float = 5.0,
) -> MetricsQueue:
    """This process's queue into the store at ``analytics_url`` (flushed at exit)."""
    key = (analytics_url, redis_url, prefix)
    with _queues_lock:
        if key not in _queues:
            store = AnalyticsStore(analytics_url)
            _queues[key] = (
                RedisQueue(store, redis_url, prefix, batch_size, flush_interval_s)
                if redis_url
                else DirectQueue(store)
            )
        return _queues[key]


def for_settings(settings: Settings) -> MetricsQueue:
    """The queue the settings describe: Redis when ``YTEMPIRE_REDIS_URL`` is set."""
    return queue_for(
        settings.analytics_url,
        settings.redis_url.get_secret_value() if settings.redis_url else None,
        settings.metrics_prefix,
        settings.metrics_batch_size,
        settings.metrics_flush_interval_s,
    )


@atexit.register
def close_all() -> None:
    """Flush and close every queue this process opened."""
    with _queues_lock:
        queues = list(_queues.values())
        _queues.clear()
    for queue in queues:
        queue.close()
