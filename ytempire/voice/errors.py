"""What goes wrong in the voice stage, and how provider messages are made fit to show.

Engines translate their SDK's exceptions into ``ytempire.resilience.errors``; ``clean`` turns a
provider's error body into the one-line, secret-free message those exceptions carry (the
Retry-After comes from ``ytempire.resilience.retry_after``).
"""

from __future__ import annotations

from ytempire import redact


class NarrationError(ValueError):
    """The script cannot be narrated: a block has nothing to say, or no speech came back.
    Retrying the same engine cannot help (it is a ValueError: see ``tasks/policy.py``)."""


class MasteringError(RuntimeError):
    """The narration could not be brought to the delivery loudness and peak level."""


def clean(text: str, secret: str = "") -> str:
    """``text`` on one line, without ``secret`` or anything else that looks like a credential,
    at most 300 characters long (``ytempire.redact.line``)."""
    return redact.line(text, [secret])
