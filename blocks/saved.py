"""Block documents by name: the one place that knows how Prefect says "no such document"."""

from __future__ import annotations

from typing import TypeVar

from prefect.blocks.core import Block
from prefect.exceptions import ObjectNotFound

B = TypeVar("B", bound=Block)


def load_saved(block_type: type[B], name: str) -> B | None:
    """The ``block_type`` document saved as ``name``; None when there is none (Prefect raises
    ValueError from ObjectNotFound). Any other ValueError (a saved block that no longer
    validates) is the operator's to see."""
    try:
        block = block_type.load(name)
    except ValueError as exc:
        if isinstance(exc.__cause__, ObjectNotFound):
            return None
        raise
    # ``load`` is sync here (no event loop running), so this is the block itself.
    assert isinstance(block, block_type)
    return block
