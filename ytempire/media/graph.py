"""FFmpeg filtergraphs as named nodes, compiled to text: pure, so tests can read them.

The one way the project builds filtergraphs, video and audio alike. Nodes are added in order
(a node's inputs always come before it), and a stream used by more than one node is split
automatically (``split`` for video, ``asplit`` for audio). A graph that also knows its input
files (:meth:`Graph.file`) compiles to a whole FFmpeg command line (:meth:`Graph.command`).
Option values are numbers or plain words; a value
that FFmpeg's two-level escaping would need to protect (a ``:``, ``'`` or ``\\``) is refused
rather than escaped, so callers pass file names relative to FFmpeg's working folder.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

_PLAIN = re.compile(r"^[A-Za-z0-9_.+\-/*()<>=,%&@ ]*$")
_NEEDS_QUOTES = re.compile(r"[,;\[\]= ()]")


@dataclass(frozen=True)
class Stream:
    """One output pad of a node (``node`` -1 with ``label`` set: an FFmpeg input)."""

    node: int
    pad: int = 0
    label: str = ""


@dataclass
class _Node:
    name: str
    inputs: list[Stream]
    args: list[str]
    outputs: int
    audio: bool


@dataclass(frozen=True)
class Output:
    """One output file of a command: ``stream`` written to ``target`` with ``options``
    (``{"f": "null"}`` and target ``-`` to discard it)."""

    stream: Stream
    target: str
    options: Mapping[str, object] = field(default_factory=dict)


@dataclass
class Graph:
    """A filtergraph under construction."""

    _nodes: list[_Node] = field(default_factory=list)
    _files: list[list[str]] = field(default_factory=list)

    @staticmethod
    def input(index: int, kind: str = "v") -> Stream:
        """Stream ``kind`` of FFmpeg input ``index`` (``[index:kind]``)."""
        return Stream(-1, 0, f"{index}:{kind}")

    def file(self, path: Path | str, kind: str = "v", **options: object) -> Stream:
        """Stream ``kind`` of ``path``, the command's next input; ``options`` are its input
        options (``f="f32le"``, ``stream_loop=-1``), given before its ``-i``."""
        self._files.append([*_flags(options), "-i", str(path)])
        return self.input(len(self._files) - 1, kind)

    def source(self, name: str, *args: object, **options: object) -> Stream:
        """A source filter (``movie``, ``color``) with no inputs."""
        return self._add(name, [], args, options, 1)[0]

    def filter(self, stream: Stream, name: str, *args: object, **options: object) -> Stream:
        """``name`` applied to one stream; its single output."""
        return self._add(name, [stream], args, options, 1)[0]

    def join(
        self, streams: Sequence[Stream], name: str, *args: object, **options: object
    ) -> Stream:
        """A filter of several inputs (``concat``, ``xfade``, ``overlay``) with one output."""
        return self._add(name, list(streams), args, options, 1)[0]

    def chain(self, stream: Stream, *steps: tuple[str, dict[str, object]]) -> Stream:
        """``stream`` through each (name, options) step in turn."""
        for name, options in steps:
            stream = self.filter(stream, name, **options)
        return stream

    def _add(
        self,
        name: str,
        inputs: list[Stream],
        args: Sequence[object],
        options: dict[str, object],
        outputs: int,
    ) -> list[Stream]:
        if not re.fullmatch(r"[a-z0-9_]+", name):
            raise ValueError(f"bad filter name {name!r}")
        for stream in inputs:
            if stream.node >= len(self._nodes):
                raise ValueError("stream from another graph")
        rendered = [_value(a) for a in args]
        rendered += [f"{key}={_value(value)}" for key, value in options.items()]
        # A filter's output is of its first input's kind; audio sources are named a... .
        audio = self._is_audio(inputs[0]) if inputs else name.startswith("a")
        self._nodes.append(_Node(name, inputs, rendered, outputs, audio))
        index = len(self._nodes) - 1
        return [Stream(index, pad) for pad in range(outputs)]

    def compile(self, outputs: Sequence[Stream]) -> tuple[str, list[str]]:
        """The graph as FFmpeg text, and the labels of ``outputs`` (for ``-map [label]``)."""
        uses: dict[Stream, int] = {}
        for node in self._nodes:
            for stream in node.inputs:
                uses[stream] = uses.get(stream, 0) + 1
        for stream in outputs:
            uses[stream] = uses.get(stream, 0) + 1
        pending: dict[Stream, list[str]] = {}
        lines: list[str] = []

        def label(stream: Stream) -> str:
            return stream.label if stream.node < 0 else f"n{stream.node}p{stream.pad}"

        def take(stream: Stream) -> str:
            queue = pending.get(stream)
            if queue is None:
                count = uses[stream]
                if count == 1:
                    queue = [label(stream)]
                else:
                    # "[0:a]" split into "[i0as0]", "[i0as1]": a plain name for each copy.
                    base = label(stream) if stream.node >= 0 else "i" + label(stream)
                    queue = [f"{base.replace(':', '')}s{i}" for i in range(count)]
                    outs = "".join(f"[{q}]" for q in queue)
                    split = "asplit" if self._is_audio(stream) else "split"
                    lines.append(f"[{label(stream)}]{split}={count}{outs}")
                pending[stream] = queue
            return queue.pop(0)

        for index, node in enumerate(self._nodes):
            ins = "".join(f"[{take(s)}]" for s in node.inputs)
            body = node.name + (("=" + ":".join(node.args)) if node.args else "")
            outs = "".join(f"[{label(Stream(index, p))}]" for p in range(node.outputs))
            lines.append(f"{ins}{body}{outs}")
        labels = [take(s) for s in outputs]
        return ";\n".join(lines), labels

    def command(self, *outputs: Output, overwrite: bool = True) -> list[str]:
        """The FFmpeg arguments (after the executable) that read the graph's :meth:`file`
        inputs, run the graph and write ``outputs``; ``overwrite`` adds ``-y``."""
        text, labels = self.compile([o.stream for o in outputs])
        args = [arg for file in self._files for arg in file]
        args += ["-filter_complex", text.replace("\n", "")]
        for out, label in zip(outputs, labels, strict=True):
            args += ["-map", f"[{label}]"]
            args += [*_flags(out.options), out.target]
        return [*args, "-y"] if overwrite else args

    def _is_audio(self, stream: Stream) -> bool:
        if stream.node < 0:
            return stream.label.split(":")[-1].startswith("a")
        return self._nodes[stream.node].audio


def _flags(options: Mapping[str, object]) -> list[str]:
    """``{"f": "null"}`` as ``["-f", "null"]``."""
    return [text for key, value in options.items() for text in (f"-{key}", str(value))]


def _value(value: object) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        text = f"{value:.6f}".rstrip("0").rstrip(".")
        return text or "0"
    text = str(value)
    if not _PLAIN.match(text):
        raise ValueError(f"filter option {text!r} has characters FFmpeg would need escaped")
    return f"'{text}'" if _NEEDS_QUOTES.search(text) else text
