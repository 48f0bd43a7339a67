"""One run per video: a lease per video id in the analytics store (``video_leases``).

A run takes the video's lease before its first stage and gives it back when it ends, also
when it fails. While it runs, a background thread renews the lease (``VideoLease``), so the
lease expires only when its holder stopped renewing: a crashed or killed run's lease is taken
over once it has expired. Taking a lease is one statement (an upsert whose update applies only
to an expired lease or the same owner), so of concurrent runs exactly one gets it, on SQLite
and on PostgreSQL alike.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import TracebackType

from sqlalchemy import delete, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from ytempire.analytics.store import AnalyticsStore, utc
from ytempire.analytics.tables import VideoLease as Row
from ytempire.errors import one_line

log = logging.getLogger(__name__)


class LeaseHeld(RuntimeError):
    """Another run holds the video's lease; the message is one line naming that run."""


class LeaseLost(RuntimeError):
    """The lease this run held expired and another run took it over."""


@dataclass(frozen=True)
class Lease:
    """Who holds a video's lease, since when, until when, and when it was last renewed."""

    video_id: str
    owner: str
    acquired_at: datetime
    expires_at: datetime
    heartbeat: datetime

    def line(self) -> str:
        """``video … is being made by …`` in one line, for whoever was refused."""
        return (
            f"video {self.video_id} is already being made by {self.owner} "
            f"(since {self.acquired_at:%Y-%m-%d %H:%M:%S} UTC, last renewed "
            f"{self.heartbeat:%H:%M:%S}, lease expires {self.expires_at:%Y-%m-%d %H:%M:%S} UTC)"
        )


def acquire(
    store: AnalyticsStore, video_id: str, owner: str, ttl_s: float, now: datetime | None = None
) -> bool:
    """Take the video's lease for ``owner`` until ``now + ttl_s``; True when it is ours.

    Succeeds when nobody holds it, when its holder's lease has expired (taken over), or when
    ``owner`` holds it already (renewed). Atomic across processes.
    """
    now = utc(now or datetime.now(UTC))
    values = {
        "video_id": uuid.UUID(video_id),
        "owner": owner,
        "acquired_at": now,
        "expires_at": now + timedelta(seconds=ttl_s),
        "heartbeat": now,
    }
    free = or_(Row.expires_at <= now, Row.owner == owner)
    dialect = store.engine.dialect.name
    with store.session() as s:
        if dialect in ("postgresql", "sqlite"):
            upsert = postgresql.insert if dialect == "postgresql" else sqlite.insert
            statement = (
                upsert(Row)
                .values(values)
                .on_conflict_do_update(
                    index_elements=["video_id"],
                    set_={k: v for k, v in values.items() if k != "video_id"},
                    where=free,
                )
                .returning(Row.owner)
            )
            return s.execute(statement).first() is not None
        # Elsewhere: a conditional update of an expired lease, else an insert that a
        # concurrent insert makes fail.
        taken = s.connection().execute(
            update(Row).where(Row.video_id == values["video_id"], free).values(values)
        )
        if taken.rowcount == 1:
            return True
        try:
            with s.begin_nested():
                s.execute(insert(Row).values(values))
        except IntegrityError:
            return False
        return True


def holder(store: AnalyticsStore, video_id: str) -> Lease | None:
    """The video's lease as stored (expired or not), or None."""
    with store.session() as s:
        row = s.scalars(select(Row).where(Row.video_id == uuid.UUID(video_id))).first()
    if row is None:
        return None
    return Lease(
        video_id=video_id,
        owner=row.owner,
        acquired_at=utc(row.acquired_at),
        expires_at=utc(row.expires_at),
        heartbeat=utc(row.heartbeat),
    )


def renew(
    store: AnalyticsStore, video_id: str, owner: str, ttl_s: float, now: datetime | None = None
) -> bool:
    """Push ``owner``'s lease to ``now + ttl_s``; False when it is no longer ``owner``'s."""
    now = utc(now or datetime.now(UTC))
    with store.session() as s:
        renewed = s.connection().execute(
            update(Row)
            .where(Row.video_id == uuid.UUID(video_id), Row.owner == owner)
            .values(expires_at=now + timedelta(seconds=ttl_s), heartbeat=now)
        )
        return renewed.rowcount == 1


def release(store: AnalyticsStore, video_id: str, owner: str) -> bool:
    """Give ``owner``'s lease back; False when it was not (or no longer) ``owner``'s."""
    with store.session() as s:
        released = s.connection().execute(
            delete(Row).where(Row.video_id == uuid.UUID(video_id), Row.owner == owner)
        )
        return released.rowcount == 1


class VideoLease:
    """The video's lease held for a ``with`` block, renewed every ``ttl_s / 3`` seconds by a
    daemon thread, and given back on the way out (also on an exception).

    Entering waits up to ``wait_s`` seconds for another run's lease to be given back or to
    expire, then raises ``LeaseHeld`` naming that run. ``ensure()`` renews at once and raises
    ``LeaseLost`` when the lease was taken over: call it before a side effect.
    """

    def __init__(
        self,
        store: AnalyticsStore,
        video_id: str,
        owner: str,
        *,
        ttl_s: float,
        wait_s: float = 0.0,
        poll_s: float = 1.0,
    ) -> None:
        if ttl_s <= 0:
            raise ValueError(f"a lease needs a positive time to live; got {ttl_s}")
        self.store, self.video_id, self.owner = store, video_id, owner
        self.ttl_s, self.wait_s, self.poll_s = ttl_s, wait_s, poll_s
        self.lost = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> VideoLease:
        deadline = time.monotonic() + self.wait_s
        while not acquire(self.store, self.video_id, self.owner, self.ttl_s):
            if time.monotonic() >= deadline:
                current = holder(self.store, self.video_id)
                raise LeaseHeld(
                    current.line()
                    if current
                    else f"video {self.video_id} is already being made by another run"
                )
            time.sleep(min(self.poll_s, max(deadline - time.monotonic(), 0.01)))
        self._thread = threading.Thread(
            target=self._renew_until_stopped, name=f"lease-{self.video_id}", daemon=True
        )
        self._thread.start()
        return self

    def ensure(self) -> None:
        """Renew now; ``LeaseLost`` when another run holds the lease."""
        if self.lost or not renew(self.store, self.video_id, self.owner, self.ttl_s):
            self.lost = True
            current = holder(self.store, self.video_id)
            taken = f": {current.owner} holds it" if current else ""
            raise LeaseLost(f"the lease on video {self.video_id} expired{taken}")

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self.ttl_s)
        try:
            release(self.store, self.video_id, self.owner)
        except Exception as error:  # the lease expires by itself: never mask the run's outcome
            log.warning("lease on video %s not released: %s", self.video_id, one_line(error))

    def _renew_until_stopped(self) -> None:
        while not self._stop.wait(self.ttl_s / 3):
            try:
                if not renew(self.store, self.video_id, self.owner, self.ttl_s):
                    self.lost = True
                    log.warning("lease on video %s was taken over", self.video_id)
                    return
            except Exception as error:  # a database hiccup: try again at the next beat
                log.warning("lease on video %s not renewed: %s", self.video_id, one_line(error))
