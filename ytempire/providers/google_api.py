"""Google's discovery-based API client (``googleapiclient``): building services, and its
failures in the project's error vocabulary.

The one module that builds ``googleapiclient`` services; the YouTube modules (trends,
uploads, analytics) call the API through it. Services use the discovery documents shipped
with the client (static discovery), so building one makes no request and works against a
proxy or a local test server given as ``api_endpoint``.

Failures are translated by :func:`translated` (``provider`` names the API):

* 403 ``quotaExceeded``/``dailyLimitExceeded``: :class:`DailyQuotaSpent`, a
  :class:`ProviderRejected`. The Data API
  quota resets at midnight Pacific time, so no retry helps today.
  (Not ``CostExceeded``: that kind is for our own budgets, which the recorder accounts.)
* 403 ``rateLimitExceeded``/``userRateLimitExceeded``, 429 and 5xx, a refused or dropped
  connection: :class:`ProviderUnavailable` (worth retrying; Retry-After is passed on).
* An OAuth token endpoint that refuses the refresh token (``invalid_grant``, a wrong client
  secret): :class:`ProviderRejected`.
* Any other 4xx (a bad or missing key is 400/403): :class:`ProviderRejected`.
* No answer within the timeout: :class:`ProviderTimeout`.

Secrets never reach a message: the client's own ``HttpError`` prints the request URI (with
``key=``) and ``RefreshError`` carries the token endpoint's answer (which may quote what it
was sent), so messages are built from the status, the reason and a scrubbed message only,
with every secret the caller names masked, and the errors are not chained (``from None``).
"""

from __future__ import annotations

import http.client
import logging
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import google_auth_httplib2
import httplib2
from google.auth.exceptions import RefreshError, TransportError
from google.oauth2.credentials import Credentials
from googleapiclient.discovery import build
from googleapiclient.errors import HttpError
from pydantic import SecretStr

from ytempire import redact
from ytempire.resilience import retry_after
from ytempire.resilience.errors import (
    ProviderError,
    ProviderRejected,
    ProviderTimeout,
    ProviderUnavailable,
)

GOOGLE_TOKEN_URI = "https://oauth2.googleapis.com/token"
# The narrowest OAuth scopes each API's calls need (docs/security.md). A channel's refresh
# token is granted both; each access token is asked for its own API's only, so a token
# fetched to read analytics cannot upload. youtube.force-ssl is the one scope that allows
# captions.insert; it also covers videos.insert, thumbnails.set and channels.list(mine).
YOUTUBE_FORCE_SSL_SCOPE = "https://www.googleapis.com/auth/youtube.force-ssl"
YT_ANALYTICS_READONLY_SCOPE = "https://www.googleapis.com/auth/yt-analytics.readonly"
OAUTH_SCOPES: dict[str, tuple[str, ...]] = {
    "youtube": (YOUTUBE_FORCE_SSL_SCOPE,),
    "youtubeAnalytics": (YT_ANALYTICS_READONLY_SCOPE,),
    "youtubereporting": (YT_ANALYTICS_READONLY_SCOPE,),
}
QUOTA_REASONS = frozenset({"quotaExceeded", "dailyLimitExceeded"})
RATE_REASONS = frozenset({"rateLimitExceeded", "userRateLimitExceeded"})
MESSAGE_LIMIT = 300

_TAG = re.compile(r"<[^>]+>")

# googleapiclient logs request URLs (with ``key=``) in debug lines and retry warnings.
_REDACTING = redact.RedactingFilter()
for _name in ("googleapiclient.discovery", "googleapiclient.http"):
    logging.getLogger(_name).addFilter(_REDACTING)


class DailyQuotaSpent(ProviderRejected):
    """The API's daily quota is spent: rejected (no retry helps before it resets)."""


@dataclass(frozen=True)
class OAuthClient:
    """An OAuth client and a user's refresh token: what acting for a YouTube channel needs.

    The refresh token must have been granted the scopes the calls need
    (``youtube.force-ssl`` to upload with captions, ``yt-analytics.readonly`` to track:
    :data:`OAUTH_SCOPES`); each service asks its access token for its own API's only.
    ``token_uri`` is Google's token endpoint unless a proxy or a test server stands in.
    """

    client_id: str
    client_secret: SecretStr
    refresh_token: SecretStr
    token_uri: str = GOOGLE_TOKEN_URI

    def __post_init__(self) -> None:
        if not (
            self.client_id
            and self.client_secret.get_secret_value()
            and self.refresh_token.get_secret_value()
        ):
            raise ValueError("an OAuth client needs a client id, a client secret and a token")

    def credentials(self, scopes: tuple[str, ...] | None = None) -> Credentials:
        """User credentials that fetch an access token from ``token_uri`` when first used."""
        return Credentials(
            token=None,
            refresh_token=self.refresh_token.get_secret_value(),
            token_uri=self.token_uri,
            client_id=self.client_id,
            client_secret=self.client_secret.get_secret_value(),
            scopes=list(scopes) if scopes else None,
        )

    @property
    def secrets(self) -> tuple[str, ...]:
        """The values no message may show."""
        return (self.client_secret.get_secret_value(), self.refresh_token.get_secret_value())


def service(
    name: str,
    version: str,
    *,
    api_endpoint: str | None = None,
    timeout_s: float,
    developer_key: str | None = None,
    oauth: OAuthClient | None = None,
    ca_certs: Path | None = None,
) -> Any:
    """A ``googleapiclient`` service for API ``name`` ``version`` on its own connection.

    ``api_endpoint`` replaces the API's root URL. Media uploads keep the discovery
    document's ``https`` scheme whatever the endpoint says (the client swaps only the host),
    so an endpoint that takes uploads must speak TLS: ``ca_certs`` is the CA bundle to trust
    for it (a TLS proxy, a test server). With ``oauth``, requests carry its access token,
    refreshed through the same connection settings and asked for ``OAUTH_SCOPES[name]``.
    """
    transport = httplib2.Http(timeout=timeout_s, ca_certs=str(ca_certs) if ca_certs else None)
    # Resumable uploads answer 308 Resume Incomplete, which httplib2 would follow as a
    # redirect (the client's own build_http does the same, but takes no timeout).
    transport.redirect_codes = transport.redirect_codes - {308}
    http: httplib2.Http | google_auth_httplib2.AuthorizedHttp = transport
    if oauth is not None:
        scopes = OAUTH_SCOPES.get(name)
        http = google_auth_httplib2.AuthorizedHttp(oauth.credentials(scopes), http=transport)
    return build(
        name,
        version,
        developerKey=developer_key,
        static_discovery=True,
        cache_discovery=False,
        client_options={"api_endpoint": api_endpoint} if api_endpoint else None,
        http=http,
    )


class ChannelApi:
    """A Google API called for one channel with its OAuth client: subclasses name the API
    (``api``, ``version``) and the provider their errors are reported as."""

    api: str
    version: str
    provider: str

    def __init__(
        self,
        oauth: OAuthClient,
        *,
        api_endpoint: str | None = None,
        ca_certs: Path | None = None,
        timeout_s: float = 30.0,
    ) -> None:
        self._oauth = oauth
        self.api_endpoint = api_endpoint
        self.ca_certs = ca_certs
        self.timeout_s = timeout_s

    def __repr__(self) -> str:
        return f"{type(self).__name__}(client_id={self._oauth.client_id!r})"

    def service(self) -> Any:
        return service(
            self.api,
            self.version,
            api_endpoint=self.api_endpoint,
            timeout_s=self.timeout_s,
            oauth=self._oauth,
            ca_certs=self.ca_certs,
        )

    @contextmanager
    def calling(self, call: str) -> Iterator[None]:
        """``translated`` for this API's provider, with the client's secrets masked."""
        with translated(self.provider, call, timeout_s=self.timeout_s, secrets=self._oauth.secrets):
            yield


def scrub(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` on one line, at most 300 characters, with ``secrets`` and anything shaped
    like a credential (``key=``, tokens) masked: ``ytempire.redact.line``."""
    return redact.line(text, secrets, limit=MESSAGE_LIMIT)


@contextmanager
def translated(
    provider: str, call: str, *, timeout_s: float, secrets: Iterable[str] = ()
) -> Iterator[None]:
    """Run the body; turn the client's, the transport's and OAuth's failures into the
    matching ``ProviderError`` (see the module docstring), with ``secrets`` masked."""
    hidden = tuple(secrets)
    try:
        yield
    except HttpError as exc:
        raise http_error(provider, call, exc, hidden) from None
    except RefreshError as exc:
        raise ProviderRejected(
            provider, f"{call}: OAuth token refresh refused: {_refusal(exc, hidden)}"
        ) from None
    except TimeoutError:
        raise ProviderTimeout(provider, f"{call}: no answer within {timeout_s:g} s") from None
    except (OSError, http.client.HTTPException, httplib2.HttpLib2Error, TransportError) as exc:
        detail = scrub(_first_line(exc), hidden)
        raise ProviderUnavailable(provider, f"{call}: {type(exc).__name__}: {detail}") from None


def http_error(
    provider: str, call: str, exc: HttpError, secrets: Iterable[str] = ()
) -> ProviderError:
    """The ``ProviderError`` an API's error answer stands for."""
    status = int(exc.resp.status)
    reasons = [
        str(d["reason"])
        for d in (exc.error_details if isinstance(exc.error_details, list) else [])
        if isinstance(d, dict) and "reason" in d
    ]
    reason = reasons[0] if reasons else ""
    # The API's messages carry HTML links ("exceeded your <a href=...>quota</a>").
    said = scrub(_TAG.sub("", str(exc.reason or "")).strip() or "no message", secrets)
    message = f"{call}: HTTP {status}{f' {reason}' if reason else ''}: {said}"
    if status == 403 and reason in QUOTA_REASONS:
        return DailyQuotaSpent(
            provider, f"{message} (daily quota spent; it resets at midnight Pacific time)"
        )
    if status == 429 or status >= 500 or (status == 403 and reason in RATE_REASONS):
        return ProviderUnavailable(provider, message, retry_after_s=retry_after.of_error(exc))
    if status == 408:
        return ProviderTimeout(provider, message)
    return ProviderRejected(provider, message)


def _refusal(exc: RefreshError, secrets: Iterable[str]) -> str:
    # RefreshError's args are (message, the endpoint's decoded answer); the OAuth error code
    # is what says why, and its description is shown only scrubbed.
    answer = exc.args[1] if len(exc.args) > 1 else None
    if isinstance(answer, dict) and answer.get("error"):
        code = str(answer["error"])
        description = str(answer.get("error_description") or "").strip()
        return scrub(f"{code}: {description}" if description else code, secrets)
    return scrub(_first_line(exc), secrets)


def _first_line(exc: BaseException) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return lines[0] if lines else type(exc).__name__
