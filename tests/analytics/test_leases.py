"""Video leases on SQLite and PostgreSQL: one holder at a time, taken over once expired,
renewed while held, given back at the end, and exactly one winner among concurrent runs."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ytempire.analytics import leases
from ytempire.analytics.store import AnalyticsStore

REPO = Path(__file__).resolve().parents[2]
T0 = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)


def test_one_holder_until_it_expires(store: AnalyticsStore) -> None:
    video = uuid.uuid4().hex
    assert leases.acquire(store, video, "run A", ttl_s=60, now=T0)
    assert not leases.acquire(store, video, "run B", ttl_s=60, now=T0 + timedelta(seconds=59))
    # The holder may take it again (a retry of the same run) and renews it.
    assert leases.acquire(store, video, "run A", ttl_s=60, now=T0 + timedelta(seconds=30))
    assert leases.renew(store, video, "run A", ttl_s=60, now=T0 + timedelta(seconds=50))
    assert not leases.acquire(store, video, "run B", ttl_s=60, now=T0 + timedelta(seconds=100))
    held = leases.holder(store, video)
    assert held is not None and held.owner == "run A"
    assert held.expires_at == T0 + timedelta(seconds=110)
    # Expired (its holder crashed): taken over, and the old holder can no longer renew it.
    assert leases.acquire(store, video, "run B", ttl_s=60, now=T0 + timedelta(seconds=111))
    assert not leases.renew(store, video, "run A", ttl_s=60, now=T0 + timedelta(seconds=112))
    assert not leases.release(store, video, "run A")
    assert leases.holder(store, video).owner == "run B"  # type: ignore[union-attr]
    assert leases.release(store, video, "run B")
    assert leases.holder(store, video) is None


def test_leases_are_per_video(store: AnalyticsStore) -> None:
    one, two = uuid.uuid4().hex, uuid.uuid4().hex
    assert leases.acquire(store, one, "run A", ttl_s=60)
    assert leases.acquire(store, two, "run B", ttl_s=60)


def test_a_second_run_is_refused_in_one_line_naming_the_holder(store: AnalyticsStore) -> None:
    video = uuid.uuid4().hex
    with (
        leases.VideoLease(store, video, "flow run 1234 on host pid 7", ttl_s=60),
        pytest.raises(leases.LeaseHeld) as refused,
        leases.VideoLease(store, video, "flow run 5678", ttl_s=60),
    ):
        pytest.fail("two runs held one video")
    message = str(refused.value)
    assert "\n" not in message
    assert f"video {video} is already being made by flow run 1234 on host pid 7" in message
    assert "since" in message and "expires" in message
    assert leases.holder(store, video) is None  # given back at the end


def test_the_lease_is_given_back_when_the_run_fails(store: AnalyticsStore) -> None:
    video = uuid.uuid4().hex
    with pytest.raises(ZeroDivisionError), leases.VideoLease(store, video, "run A", ttl_s=60):
        _ = 1 / 0
    assert leases.holder(store, video) is None


def test_a_waiting_run_gets_the_lease_when_the_holder_ends(store: AnalyticsStore) -> None:
    video = uuid.uuid4().hex
    first = leases.VideoLease(store, video, "run A", ttl_s=60)
    first.__enter__()
    threading.Timer(0.5, first.__exit__, args=(None, None, None)).start()
    started = time.monotonic()
    with leases.VideoLease(store, video, "run B", ttl_s=60, wait_s=30, poll_s=0.1):
        assert leases.holder(store, video).owner == "run B"  # type: ignore[union-attr]
    assert 0.4 <= time.monotonic() - started < 10


def test_the_heartbeat_keeps_a_long_run_s_lease(store: AnalyticsStore) -> None:
    video = uuid.uuid4().hex
    with leases.VideoLease(store, video, "run A", ttl_s=0.6) as lease:
        time.sleep(1.5)  # two and a half times the lease's life: renewed meanwhile
        assert not leases.acquire(store, video, "run B", ttl_s=60)
        lease.ensure()
    assert not lease.lost


def test_ensure_says_when_the_lease_was_taken_over(store: AnalyticsStore) -> None:
    video = uuid.uuid4().hex
    with leases.VideoLease(store, video, "run A", ttl_s=60) as lease:
        later = datetime.now(UTC) + timedelta(seconds=120)
        assert leases.acquire(store, video, "run B", ttl_s=60, now=later)
        with pytest.raises(leases.LeaseLost, match="run B holds it"):
            lease.ensure()
    assert leases.holder(store, video).owner == "run B"  # type: ignore[union-attr]


def contend(url: str, video: str, owner: str, start_at: float) -> None:
    """Wait for the common start, then try once for the lease; print whether it was won."""
    store = AnalyticsStore(url)
    time.sleep(max(start_at - time.time(), 0))
    print("won" if leases.acquire(store, video, owner, ttl_s=60) else "lost")


def test_eight_concurrent_threads_one_winner(store: AnalyticsStore, store_url: str) -> None:
    video = uuid.uuid4().hex
    barrier = threading.Barrier(8)
    won: list[str] = []

    def contend_in_thread(owner: str) -> None:
        barrier.wait()
        if leases.acquire(AnalyticsStore(store_url), video, owner, ttl_s=60):
            won.append(owner)

    threads = [threading.Thread(target=contend_in_thread, args=(f"t{i}",)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(won) == 1
    assert leases.holder(store, video).owner == won[0]  # type: ignore[union-attr]


def test_eight_concurrent_processes_one_winner(store: AnalyticsStore, store_url: str) -> None:
    video = uuid.uuid4().hex
    store.engine.dispose()  # the schema exists before the processes start
    start_at = time.time() + 6  # after every process has imported and connected
    code = (
        "import sys; from tests.analytics.test_leases import contend as c; "
        "c(sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4]))"
    )
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", code, store_url, video, f"p{i}", str(start_at)],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for i in range(8)
    ]
    outcomes = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0] * 8, [err.decode() for _, err in outcomes]
    said = [out.decode().strip() for out, _ in outcomes]
    assert sorted(said) == ["lost"] * 7 + ["won"]
