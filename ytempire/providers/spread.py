"""Spreading calls over several endpoints that serve the same model (the seed's load
balancing): used by the script stage when more than one local server serves its model.

Each call goes to the endpoint with the fewest requests outstanding from this process; among
equals, the one measured fastest (completion tokens per second of its recent answers, an
exponential average; one not measured yet comes first, to be measured), then the one picked
longest ago, so equal servers take turns (round robin, never random). An endpoint that fails
(no answer, 5xx, a timeout) is skipped for a while through its own circuit breaker,
``local:<name>`` (``breakers.LIMITS["local"]``: 2 failures in a row skip it for 60 s;
``YTEMPIRE_CIRCUIT_BREAKERS`` overrides per name or for ``local``), whose state the analytics
store shares with every worker. With every endpoint skipped, the call is refused with
``CircuitOpen`` naming them, and the stage falls back.

``pick`` chooses (the turn is taken then); the lease counts as outstanding while it is
entered, around the call. Outstanding requests and speeds are this process's own counts:
workers on other machines keep theirs (the breakers are what they share). A model served
only by cloud endpoints is not spread: its first endpoint is called as it is.
"""

from __future__ import annotations

import itertools
import math
import threading
from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from types import TracebackType
from typing import Self

from ytempire.providers.endpoints import Endpoint
from ytempire.resilience.breakers import Breakers
from ytempire.resilience.errors import CircuitOpen

# How much a new speed measurement weighs against the average so far.
SPEED_WEIGHT = 0.3


def breaker_name(endpoint: Endpoint) -> str:
    """The circuit breaker that skips ``endpoint`` while it fails."""
    return f"local:{endpoint.name}"


@dataclass
class Load:
    """What this process knows of one endpoint."""

    outstanding: int = 0
    tokens_per_s: float | None = None
    last_pick: int = -1

    def measured(self, tokens: int, seconds: float) -> None:
        if tokens <= 0 or seconds <= 0:
            return
        speed = tokens / seconds
        old = self.tokens_per_s
        self.tokens_per_s = speed if old is None else old + SPEED_WEIGHT * (speed - old)


class Loads:
    """Every endpoint's ``Load`` in this process, by endpoint name; safe across threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_name: dict[str, Load] = {}
        self._picks = itertools.count()

    def of(self, name: str) -> Load:
        with self._lock:
            return self._by_name.setdefault(name, Load())

    def pick(self, candidates: Sequence[Endpoint]) -> Endpoint:
        """The least loaded of ``candidates`` (see module); its turn is taken now."""
        with self._lock:
            loads = [self._by_name.setdefault(e.name, Load()) for e in candidates]
            best = min(
                range(len(candidates)),
                key=lambda i: (loads[i].outstanding, -_speed(loads[i]), loads[i].last_pick),
            )
            loads[best].last_pick = next(self._picks)
            return candidates[best]

    def hold(self, name: str) -> None:
        with self._lock:
            self._by_name.setdefault(name, Load()).outstanding += 1

    def release(self, name: str) -> None:
        with self._lock:
            self._by_name[name].outstanding -= 1


def _speed(load: Load) -> float:
    # Not measured yet: tried before the measured ones, so every server gets measured.
    return math.inf if load.tokens_per_s is None else load.tokens_per_s


# The process's loads: every stage run in this process spreads over the same counts.
LOADS = Loads()


class Lease:
    """One call's endpoint, used as a context manager around the call: entered, it counts as
    outstanding and goes through the endpoint's breaker (a ``ProviderError`` inside counts
    as ``breakers.COUNTED`` says); ``measured`` records how fast it answered."""

    def __init__(self, endpoint: Endpoint, loads: Loads, guard: AbstractContextManager[None]):
        self.endpoint = endpoint
        self._loads = loads
        self._guard = guard

    def measured(self, tokens: int, seconds: float) -> None:
        """Record an answer of ``tokens`` completion tokens in ``seconds``."""
        self._loads.of(self.endpoint.name).measured(tokens, seconds)

    def __enter__(self) -> Self:
        self._guard.__enter__()
        self._loads.hold(self.endpoint.name)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> bool | None:
        try:
            return self._guard.__exit__(kind, error, trace)
        finally:
            self._loads.release(self.endpoint.name)


class Spread:
    """Calls spread over ``endpoints`` (all serving one model), skipping failing ones."""

    def __init__(
        self, endpoints: Sequence[Endpoint], breakers: Breakers, loads: Loads = LOADS
    ) -> None:
        if not endpoints:
            raise ValueError("a spread needs at least one endpoint")
        self.endpoints = list(endpoints)
        self.breakers = breakers
        self.loads = loads

    def available(self) -> list[Endpoint]:
        """The endpoints whose breakers let a call through now (in configured order)."""
        return [e for e in self.endpoints if self.breakers.verdict(breaker_name(e)).refusal is None]

    def pick(self) -> Lease:
        """The lease of the least loaded available endpoint (see module); ``CircuitOpen``
        when every endpoint is skipped."""
        candidates = self.available()
        if not candidates:
            names = ", ".join(e.name for e in self.endpoints)
            raise CircuitOpen("local", f"every server is skipped after failures: {names}")
        endpoint = self.loads.pick(candidates)
        return Lease(endpoint, self.loads, self.breakers.guard(breaker_name(endpoint)))


def pick(serving: Sequence[Endpoint], breakers: Breakers, loads: Loads = LOADS) -> Lease:
    """The lease for a call to a model ``serving`` lists: spread over its local endpoints,
    or the first (cloud) endpoint as it is (its provider's own breaker guards it)."""
    local = [e for e in serving if e.kind == "local"]
    if local:
        return Spread(local, breakers, loads).pick()
    return Lease(serving[0], loads, nullcontext())
