"""Rotate one secret of a saved credential block: one command, the value read from stdin.

    printf %s "$NEW_KEY" | python -m blocks.rotate openai api_key [--name default]
    python -m blocks.rotate youtube refresh_token        # asks for it, echoing nothing

Loads the block document (``default`` unless ``--name`` says otherwise), replaces that one
field and saves it over the old one: the next flow run that loads it uses the new value
(docs/security.md, "Rotating"). The value never appears on a command line (shell history,
``ps``) nor in the output. Every failure is one line and exit 1 (2 for bad arguments).
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Sequence

from pydantic import SecretStr

from blocks.credentials import CREDENTIAL_BLOCKS, CredentialsBlock
from ytempire.errors import one_line

PROG = "python -m blocks.rotate"


def block_types() -> dict[str, type[CredentialsBlock]]:
    """``openai`` → OpenAICredentials, … (the block type slug without ``ytempire-``)."""
    return {cls.get_block_type_slug().removeprefix("ytempire-"): cls for cls in CREDENTIAL_BLOCKS}


def secret_fields(cls: type[CredentialsBlock]) -> list[str]:
    """The block's fields that hold a secret (``SecretStr``)."""
    return [
        name
        for name, info in cls.model_fields.items()
        if info.annotation is not None and "SecretStr" in str(info.annotation)
    ]


def rotate(kind: str, field: str, value: str, name: str = "default") -> str:
    """Replace ``field`` of the ``kind`` block saved as ``name`` with ``value``; return the
    line to show. Raises ValueError with a one-line message."""
    types = block_types()
    cls = types.get(kind)
    if cls is None:
        raise ValueError(f"no credential block {kind!r}: one of {', '.join(sorted(types))}")
    fields = secret_fields(cls)
    if field not in fields:
        raise ValueError(f"{kind} has no secret {field!r}: one of {', '.join(fields)}")
    if not value.strip():
        raise ValueError("the new value is empty")
    block = cls.load(name)
    assert isinstance(block, CredentialsBlock)  # sync here: no event loop runs
    # model_copy(update=) skips validation: the value goes in as the SecretStr the field is.
    updated = block.model_copy(update={field: SecretStr(value.strip())})
    updated.save(name, overwrite=True)
    return f"{cls.get_block_type_slug()}/{name}: {field} replaced; the next flow run uses it"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n\n")[0])
    parser.add_argument("kind", help=", ".join(sorted(block_types())))
    parser.add_argument("field", help="the secret to replace (api_key, refresh_token, …)")
    parser.add_argument("--name", default="default", help="the block document's name")
    args = parser.parse_args(argv)
    if sys.stdin.isatty():
        value = getpass.getpass(f"new {args.kind} {args.field}: ")
    else:
        value = sys.stdin.read()
    try:
        print(rotate(args.kind, args.field, value, args.name))
    except Exception as exc:
        print(f"{PROG}: error: {one_line(exc)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
