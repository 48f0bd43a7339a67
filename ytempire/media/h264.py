"""Hold a coded picture on screen without encoding it again: H.264 skip frames.

A still that stays up for ten seconds is one picture for the codec, not three hundred. The
encoder is given only the pictures that differ (a new slide, a subtitle change, a pan step);
:func:`splice` then follows each of them with "P_Skip" frames: P pictures whose every
macroblock is skipped, which the H.264 standard defines as an exact copy of the reference
picture. Such a frame is about ten bytes and costs nothing to make, so a static stretch costs
what its first frame costs, whatever its length.

This works on Annex B byte streams whose parameter sets allow it, which :func:`check_spliceable`
verifies: CAVLC entropy coding (a skip run is one Exp-Golomb number), picture order type 2
(order follows ``frame_num``), one reference frame (every later picture predicts from the
picture right before it, which a skip frame reproduces exactly), no weighted prediction,
progressive frames, one slice group. libx264 gives exactly that with
:data:`SPLICEABLE_X264_PARAMS`; ``stitchable`` keeps the headers identical across separately
encoded parts, so parts encoded in parallel join by concatenation.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

# x264 settings that make its stream spliceable (see module docstring). Anything else (speed
# preset, rate control, psychovisual tuning) is free to vary between parts.
SPLICEABLE_X264_PARAMS = {
    "ref": "1",
    "bframes": "0",
    "cabac": "0",
    "weightp": "0",
    "8x8dct": "1",  # the High profile tool that makes the stream "High" rather than Baseline
    "stitchable": "1",
}

NAL_SLICE = 1
NAL_IDR = 5
NAL_SPS = 7
NAL_PPS = 8
NAL_AUD = 9

_START_CODE = re.compile(b"\x00\x00\x01")
_NEEDS_ESCAPE = re.compile(b"\x00\x00(?=[\x00-\x03])")
_HIGH_PROFILES = {100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135}


class H264Error(ValueError):
    """The byte stream is malformed or uses a feature skip frames cannot follow."""


class _Bits:
    """Reads an RBSP (emulation prevention already removed) bit by bit."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def u(self, n: int) -> int:
        value = 0
        for _ in range(n):
            byte = self.pos >> 3
            if byte >= len(self.data):
                raise H264Error("header ends early")
            value = (value << 1) | ((self.data[byte] >> (7 - (self.pos & 7))) & 1)
            self.pos += 1
        return value

    def ue(self) -> int:
        zeros = 0
        while self.u(1) == 0:
            zeros += 1
            if zeros > 31:
                raise H264Error("bad Exp-Golomb code")
        return (1 << zeros) - 1 + self.u(zeros)

    def se(self) -> int:
        k = self.ue()
        return (k + 1) // 2 if k % 2 else -(k // 2)


class _Writer:
    def __init__(self) -> None:
        self.bits: list[int] = []

    def u(self, n: int, value: int) -> None:
        self.bits += [(value >> (n - 1 - i)) & 1 for i in range(n)]

    def ue(self, value: int) -> None:
        code = value + 1
        length = code.bit_length()
        self.u(length - 1, 0)
        self.u(length, code)

    def se(self, value: int) -> None:
        self.ue(2 * value - 1 if value > 0 else -2 * value)

    def rbsp(self) -> bytes:
        """The bits with rbsp_trailing_bits (a one, then zeros to a byte boundary)."""
        bits = [*self.bits, 1]
        bits += [0] * (-len(bits) % 8)
        return bytes(int("".join(map(str, bits[i : i + 8])), 2) for i in range(0, len(bits), 8))


def unescape(payload: bytes) -> bytes:
    """RBSP from a NAL unit's payload: every emulation prevention byte (00 00 03) removed."""
    return payload.replace(b"\x00\x00\x03", b"\x00\x00")


def escape(rbsp: bytes) -> bytes:
    """A NAL payload from RBSP: 03 inserted wherever 00 00 is followed by 00..03."""
    return _NEEDS_ESCAPE.sub(b"\x00\x00\x03", rbsp)


def nal_units(stream: bytes) -> Iterator[bytes]:
    """The NAL units of an Annex B byte stream, without start codes or trailing zeros."""
    starts = [m.end() for m in _START_CODE.finditer(stream)]
    for i, start in enumerate(starts):
        end = starts[i + 1] - 3 if i + 1 < len(starts) else len(stream)
        nal = stream[start:end].rstrip(b"\x00")
        if nal:
            yield nal


def nal_type(nal: bytes) -> int:
    return nal[0] & 0x1F


@dataclass(frozen=True)
class StreamHeaders:
    """What skip frames must agree with, read from a stream's SPS and PPS."""

    log2_max_frame_num: int
    poc_type: int
    max_ref_frames: int
    frame_mbs_only: bool
    mb_count: int
    pps_id: int
    cabac: bool
    weighted_pred: bool
    deblocking_control: bool
    slice_groups: int
    separate_colour_planes: bool

    def problems(self) -> list[str]:
        """Why skip frames cannot be spliced into this stream; [] when they can."""
        found = []
        if self.cabac:
            found.append("CABAC entropy coding (need CAVLC)")
        if self.poc_type != 2:
            found.append(f"picture order count type {self.poc_type} (need 2: no B-frames)")
        if self.max_ref_frames != 1:
            found.append(f"{self.max_ref_frames} reference frames (need 1)")
        if not self.frame_mbs_only:
            found.append("interlaced coding")
        if self.weighted_pred:
            found.append("weighted prediction")
        if self.slice_groups != 1:
            found.append("slice groups")
        if self.separate_colour_planes:
            found.append("separate colour planes")
        return found


def read_headers(stream: bytes) -> StreamHeaders:
    """Parse the first SPS and PPS of ``stream``. Raises H264Error if either is missing."""
    sps = pps = None
    for nal in nal_units(stream):
        kind = nal_type(nal)
        if kind == NAL_SPS and sps is None:
            sps = unescape(nal[1:])
        elif kind == NAL_PPS and pps is None:
            pps = unescape(nal[1:])
        if sps is not None and pps is not None:
            break
    if sps is None or pps is None:
        raise H264Error("no SPS/PPS in the stream (is it H.264 Annex B?)")
    s = _Bits(sps)
    profile = s.u(8)
    s.u(16)  # constraint flags, level
    s.ue()  # seq_parameter_set_id
    separate = False
    if profile in _HIGH_PROFILES:
        if s.ue() == 3:  # chroma_format_idc
            separate = bool(s.u(1))
        s.ue()
        s.ue()  # bit depths
        s.u(1)  # qpprime_y_zero_transform_bypass_flag
        if s.u(1):
            raise H264Error("SPS scaling matrices are not supported")
    log2_max_frame_num = s.ue() + 4
    poc_type = s.ue()
    if poc_type == 0:
        s.ue()
    elif poc_type == 1:
        raise H264Error("picture order count type 1 is not supported")
    max_ref = s.ue()
    s.u(1)  # gaps_in_frame_num_value_allowed_flag
    width_mbs = s.ue() + 1
    height_units = s.ue() + 1
    frame_mbs_only = bool(s.u(1))
    p = _Bits(pps)
    pps_id = p.ue()
    p.ue()
    cabac = bool(p.u(1))
    p.u(1)
    slice_groups = p.ue() + 1
    if slice_groups != 1:
        raise H264Error("slice groups are not supported")
    p.ue()
    p.ue()
    weighted = bool(p.u(1))
    p.u(2)
    p.se()
    p.se()
    p.se()
    deblocking = bool(p.u(1))
    return StreamHeaders(
        log2_max_frame_num=log2_max_frame_num,
        poc_type=poc_type,
        max_ref_frames=max_ref,
        frame_mbs_only=frame_mbs_only,
        mb_count=width_mbs * height_units * (2 - frame_mbs_only),
        pps_id=pps_id,
        cabac=cabac,
        weighted_pred=weighted,
        deblocking_control=deblocking,
        slice_groups=slice_groups,
        separate_colour_planes=separate,
    )


def check_spliceable(headers: StreamHeaders) -> None:
    """Raise H264Error naming what stops skip frames from being spliced into the stream."""
    problems = headers.problems()
    if problems:
        raise H264Error("cannot splice skip frames into this stream: " + ", ".join(problems))


def skip_frame(headers: StreamHeaders, frame_num: int) -> bytes:
    """One P picture (a reference, like the encoder's own) in which every macroblock is
    P_Skip: an exact copy of the picture before it. Returned as an Annex B NAL unit."""
    w = _Writer()
    w.ue(0)  # first_mb_in_slice
    w.ue(5)  # slice_type: P, and every slice of the picture is P
    w.ue(headers.pps_id)
    w.u(headers.log2_max_frame_num, frame_num)
    w.u(1, 1)  # num_ref_idx_active_override_flag
    w.ue(0)  # one reference
    w.u(1, 0)  # ref_pic_list_modification_flag_l0
    w.u(1, 0)  # adaptive_ref_pic_marking_mode_flag: sliding window
    w.se(0)  # slice_qp_delta
    if headers.deblocking_control:
        w.ue(1)  # disable_deblocking_filter_idc: nothing to filter in a copy
    w.ue(headers.mb_count)  # mb_skip_run: the whole picture
    # nal_ref_idc 2, nal_unit_type 1 (non-IDR slice).
    return b"\x00\x00\x00\x01" + bytes([0x41]) + escape(w.rbsp())


def _with_frame_num(nal: bytes, headers: StreamHeaders, frame_num: int) -> bytes:
    """``nal`` (a non-IDR slice) with its frame_num field replaced."""
    rbsp = bytearray(unescape(nal[1:]))
    bits = _Bits(bytes(rbsp))
    bits.ue()
    bits.ue()
    bits.ue()
    start, width = bits.pos, headers.log2_max_frame_num
    for i in range(width):
        bit = (frame_num >> (width - 1 - i)) & 1
        byte, shift = (start + i) >> 3, 7 - ((start + i) & 7)
        rbsp[byte] = (rbsp[byte] & ~(1 << shift)) | (bit << shift)
    return nal[:1] + escape(bytes(rbsp))


def _first_mb(nal: bytes) -> int:
    return _Bits(unescape(nal[1:8])).ue()


def splice(parts: Sequence[bytes], holds: Sequence[Sequence[int]]) -> Iterator[bytes]:
    """Annex B chunks of one stream: the pictures of ``parts`` in order, picture ``i`` of
    part ``k`` followed by ``holds[k][i] - 1`` skip frames (so it stays up ``holds[k][i]``
    frames in all).

    Every part must start with an IDR picture and share the first part's headers. The
    encoder's own non-IDR pictures get their ``frame_num`` renumbered to follow the
    inserted frames. Raises H264Error if a part cannot be spliced or its picture count
    differs from its holds.
    """
    if len(parts) != len(holds):
        raise H264Error(f"{len(parts)} parts but {len(holds)} hold lists")
    if not parts:
        return
    headers = read_headers(parts[0])
    check_spliceable(headers)
    modulo = 1 << headers.log2_max_frame_num
    skip_cache: dict[int, bytes] = {}
    frame_num = 0

    def skips(count: int, after: int) -> Iterator[bytes]:
        nonlocal frame_num
        for _ in range(count):
            frame_num = (frame_num + 1) % modulo
            if frame_num not in skip_cache:
                skip_cache[frame_num] = skip_frame(headers, frame_num)
            yield skip_cache[frame_num]

    for index, (part, part_holds) in enumerate(zip(parts, holds, strict=True)):
        if read_headers(part) != headers:
            raise H264Error(f"part {index} was encoded with different stream headers")
        picture = -1
        for nal in nal_units(part):
            kind = nal_type(nal)
            if kind in (NAL_SLICE, NAL_IDR) and _first_mb(nal) == 0:
                if picture >= 0:
                    yield from skips(part_holds[picture] - 1, picture)
                picture += 1
                if picture >= len(part_holds):
                    raise H264Error(
                        f"part {index} has more pictures than its {len(part_holds)} holds"
                    )
                if picture == 0 and kind != NAL_IDR:
                    raise H264Error(f"part {index} does not start with an IDR picture")
                frame_num = 0 if kind == NAL_IDR else (frame_num + 1) % modulo
            if kind == NAL_SLICE:
                nal = _with_frame_num(nal, headers, frame_num)
            yield b"\x00\x00\x00\x01" + nal
        if picture + 1 != len(part_holds):
            raise H264Error(f"part {index} has {picture + 1} pictures but {len(part_holds)} holds")
        yield from skips(part_holds[picture] - 1, picture)
