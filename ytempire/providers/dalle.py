"""Pictures from DALL·E 3 through the official ``openai`` SDK's images API.

The client is the one ``openai_chat.make_client`` builds (the SDK's own retries off, every
request bounded by a timeout, a placeholder key for local OpenAI-compatible servers), and
SDK failures are translated into ``ytempire.resilience.errors`` the same way: rate limit or
5xx → ``ProviderUnavailable`` (retried), timeout → ``ProviderTimeout``, a refused prompt
(``content_policy_violation``), 401, 403 or 400 → ``ProviderRejected`` (not retried), an
exhausted quota → ``CostExceeded``. Errors carry the provider name ``dalle``, the name its
circuit breaker and budget go by. Messages are one line and never contain the key.

Cost is the list price per image returned (the price table, ``ytempire/data/prices.toml``),
since the images API reports no usage for DALL·E 3; a model without a price is never asked
(``Unpriced``), and one on a local server is free (the caller passes its price: 0).
"""

from __future__ import annotations

import base64
import binascii
import io
import time
from pathlib import Path
from typing import Literal, cast

import openai
from openai import OpenAI
from PIL import Image, UnidentifiedImageError
from pydantic import BaseModel, Field

from ytempire.providers.catalog import image_usd
from ytempire.providers.openai_chat import translate_error
from ytempire.resilience.errors import InvalidOutput, ProviderError, Unpriced
from ytempire.workspace import write_bytes

PROVIDER = "dalle"
MODEL = "dall-e-3"
# 16:9-ish: the closest DALL·E 3 size to a 1280x720 thumbnail (1.75:1, cropped to 1.78:1).
DEFAULT_SIZE = "1792x1024"
DEFAULT_QUALITY = "standard"
# DALL·E 3 refuses prompts longer than this.
MAX_PROMPT_CHARS = 4000


class ImageCall(BaseModel):
    """One generated picture, saved as PNG, as the analytics rows record it."""

    model: str
    path: Path
    width: int = Field(gt=0)
    height: int = Field(gt=0)
    revised_prompt: str | None = Field(
        default=None, description="the prompt DALL·E 3 rewrote ours into and really drew"
    )
    latency_ms: int = Field(ge=0)
    cost_usd: float = Field(ge=0)


def price_usd(model: str, quality: str, size: str) -> float:
    """List price of one image for planning: 0 for a model without a price, which is never
    called (``generate_image`` refuses it; the thumbnails stage skips it as ``unpriced``)."""
    try:
        return image_usd(model, quality, size)
    except Unpriced:
        return 0.0


def generate_image(
    client: OpenAI,
    prompt: str,
    destination: Path,
    *,
    model: str = MODEL,
    size: str = DEFAULT_SIZE,
    quality: str = DEFAULT_QUALITY,
    unit_price_usd: float | None = None,
) -> ImageCall:
    """Ask ``model`` for one picture of ``prompt`` and write it to ``destination`` as PNG.

    ``unit_price_usd`` is one picture's price (the settings' ``Pricing``: 0 on a local
    server); None takes the shipped table's, and a model without one raises ``Unpriced``
    before any request.

    The picture comes back inline (``response_format="b64_json"``), so nothing is fetched
    from a second URL. An answer without image data, or data that is not a picture, raises
    ``InvalidOutput``; SDK errors are translated as the module says.
    """
    price = image_usd(model, quality, size) if unit_price_usd is None else unit_price_usd
    started = time.perf_counter()
    try:
        response = client.images.generate(
            model=model,
            prompt=prompt[:MAX_PROMPT_CHARS],
            size=size,
            quality=cast("Literal['standard', 'hd']", quality),
            n=1,
            response_format="b64_json",
        )
    except openai.OpenAIError as exc:
        # `from None`: the SDK's message may quote the key; ours carries what matters.
        raise relabel(translate_error(exc, model, secret=client.api_key)) from None
    latency_ms = round((time.perf_counter() - started) * 1000)

    data = getattr(response, "data", None)
    if not data or not data[0].b64_json:
        raise InvalidOutput(PROVIDER, f"{model}: the answer holds no image data")
    try:
        raw = base64.b64decode(data[0].b64_json, validate=True)
        with Image.open(io.BytesIO(raw)) as image:
            image.load()
            picture = image.convert("RGB")
    except (binascii.Error, UnidentifiedImageError, OSError, ValueError):
        raise InvalidOutput(PROVIDER, f"{model}: the image data is not a picture") from None
    buffer = io.BytesIO()
    # DALL·E sends PNG already; re-encoding normalises odd modes (palette, alpha) to RGB.
    picture.save(buffer, format="PNG", compress_level=1)
    write_bytes(destination, buffer.getvalue())
    return ImageCall(
        model=model,
        path=destination,
        width=picture.width,
        height=picture.height,
        revised_prompt=data[0].revised_prompt,
        latency_ms=latency_ms,
        cost_usd=price * len(data),
    )


def relabel(error: ProviderError) -> ProviderError:
    """``error`` as the same kind of failure of the ``dalle`` provider."""
    return type(error)(PROVIDER, error.message, error.retry_after_s)
