"""Settings, read once from the environment (prefix ``YTEMPIRE_``) and passed explicitly."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from pydantic import AliasChoices, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from ytempire import redact
from ytempire.models import YOUTUBE_CHANNEL_ID
from ytempire.providers import endpoints
from ytempire.providers.endpoints import Endpoint

# Where a machine keeps what cannot live in a bucket (the SQLite store, MLflow's tracking
# store, scratch folders) when the workspace is one: XDG's state folder.
DEFAULT_STATE_DIR = (
    Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state") / "ytempire"
)
BUCKET_SCHEMES = ("s3://", "gs://", "gcs://")
DATA_DIR = Path(__file__).parent / "data"
# The checkout (or editable install) the package runs from: where channels.yaml is.
REPO_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Where outputs and records go, and which local resources the offline engines use."""

    model_config = SettingsConfigDict(env_prefix="YTEMPIRE_", frozen=True, populate_by_name=True)

    workspace: Path = Field(
        default=Path("runs"),
        description="root folder of the video folders; with a bucket URL (s3://bucket/prefix) "
        "the local scratch root, the bucket kept in workspace_url",
    )
    workspace_url: str | None = Field(
        default=None,
        description="the bucket the video folders live in, from YTEMPIRE_WORKSPACE=s3://...; "
        "stages work in local scratch folders under state_dir/scratch",
    )
    state_dir: Path = Field(
        default=DEFAULT_STATE_DIR,
        description="local state with a bucket workspace: the SQLite store, MLflow, scratch",
    )
    scratch_keep_failed_hours: float = Field(
        default=72.0, ge=0, description="how long a failed video's scratch folder is kept"
    )
    artifact_link_ttl_s: int = Field(
        default=7 * 24 * 3600,
        gt=0,
        le=7 * 24 * 3600,
        description="lifetime of the pre-signed links in artifacts (S3 allows 7 days at most)",
    )
    artifact_base_url: str | None = Field(
        default=None,
        description="public URL of the workspace bucket's root: artifacts link under it "
        "instead of pre-signing",
    )
    # A URL may carry a password: SecretStr keeps it out of reprs, logs and artifacts.
    database_url: SecretStr | None = Field(
        default=None, description="SQLAlchemy URL; SQLite in the workspace when unset"
    )
    topics_file: Path = Field(
        default=DATA_DIR / "sample_topics.json",
        description="keyword time series the offline trend source scores",
    )
    fonts_dir: Path | None = Field(
        default=None, description="folder searched for fonts before the bundled ones"
    )

    # Script generation. The OpenAI SDK's own variables configure the provider, so any
    # OpenAI-compatible server (vLLM, Ollama, llama.cpp, LM Studio) works through the base URL.
    openai_api_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("OPENAI_API_KEY", "YTEMPIRE_OPENAI_API_KEY")
    )
    openai_base_url: str | None = Field(
        default=None, validation_alias=AliasChoices("OPENAI_BASE_URL", "YTEMPIRE_OPENAI_BASE_URL")
    )
    # Model endpoints beside the OPENAI_* pair (ytempire/providers/endpoints.py,
    # docs/local-models.md): chat and image servers configured separately, cloud or local.
    endpoints: list[Endpoint] = Field(
        default_factory=list, description="JSON list of endpoints (name, base_url, kind, …)"
    )
    endpoints_file: Path | None = Field(
        default=None, description="a TOML file of [endpoints.<name>] tables"
    )
    endpoint_blocks: list[str] = Field(
        default_factory=list, description='endpoint blocks flows load, JSON: ["llama-box"]'
    )
    script_primary_model: str = "gpt-4-turbo"
    script_fallback_model: str | None = "gpt-3.5-turbo"
    script_timeout_s: float = Field(default=60.0, gt=0)
    script_max_cost_usd: float | None = Field(
        default=0.10, ge=0, description="skip a model whose estimated script cost is higher"
    )
    script_max_latency_ms: int | None = Field(default=None, gt=0)
    script_min_quality: float | None = Field(default=None, ge=0, le=1)
    script_prompt_alias: str = Field(
        default="production",
        min_length=1,
        description="the registry alias the script prompts are loaded by (an experiment's "
        "script_prompt arm sets it for its videos)",
    )
    thumbnail_template: str | None = Field(
        default=None,
        description="the thumbnail template uploaded whatever its predicted CTR (an "
        "experiment's thumbnail_template arm sets it); the others stay A/B variants",
    )

    # Trend detection through the YouTube Data API when a key is set.
    youtube_api_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("YOUTUBE_API_KEY", "YTEMPIRE_YOUTUBE_API_KEY")
    )
    youtube_region: str = "US"
    youtube_category_id: str | None = None
    youtube_api_endpoint: str | None = Field(
        default=None, description="another root for the YouTube Data API (a proxy, a test server)"
    )

    # Uploads and performance tracking act for a channel: an OAuth client and the channel
    # owner's refresh token (docs/publishing.md). Without them videos go to the outbox.
    youtube_client_id: str | None = None
    youtube_client_secret: SecretStr | None = None
    youtube_refresh_token: SecretStr | None = None
    youtube_channel_id: str | None = Field(
        default=None,
        pattern=YOUTUBE_CHANNEL_ID,
        description="the YouTube channel the default channel's token must act for (UC…)",
    )
    youtube_token_uri: str = Field(
        default="https://oauth2.googleapis.com/token", description="the OAuth token endpoint"
    )
    youtube_upload_endpoint: str | None = Field(
        default=None, description="another root for uploads (https: the client keeps TLS)"
    )
    youtube_analytics_endpoint: str | None = Field(
        default=None, description="another root for the YouTube Analytics API"
    )
    youtube_reporting_endpoint: str | None = Field(
        default=None, description="another root for the YouTube Reporting API (reach reports)"
    )
    youtube_ca_certs: Path | None = Field(
        default=None, description="CA bundle to trust for those endpoints (a TLS proxy)"
    )
    youtube_privacy: str = Field(
        default="private",
        pattern=r"^(private|unlisted|public)$",
        description="privacyStatus of uploads, unless the job says otherwise",
    )
    youtube_upload_category_id: str = Field(default="27", description="27: Education")
    youtube_default_language: str = Field(
        default="en",
        description="the language of a video whose command line and channel name none "
        "(docs/languages.md); YouTube's defaultLanguage is the video's language",
    )
    youtube_upload_chunk_bytes: int = Field(
        default=8 * 1024 * 1024,
        ge=256 * 1024,
        multiple_of=256 * 1024,
        description="resumable upload chunk; YouTube wants multiples of 256 KiB",
    )
    youtube_timeout_s: float = Field(default=120.0, gt=0, description="one upload request")

    # Voice: ElevenLabs, then Google Cloud TTS, then the offline Piper voice. An engine is
    # tried only when configured; each has a daily character quota (seed: 100K and 1M).
    elevenlabs_api_key: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("ELEVENLABS_API_KEY", "YTEMPIRE_ELEVENLABS_API_KEY"),
    )
    elevenlabs_base_url: str | None = Field(
        default=None, description="another root for the ElevenLabs API (a proxy, a test server)"
    )
    elevenlabs_model: str = Field(
        default="eleven_multilingual_v2", description="the model for English videos"
    )
    elevenlabs_multilingual_model: str = Field(
        default="eleven_multilingual_v2", description="the model for every other language"
    )
    elevenlabs_output_format: str = Field(
        default="mp3_44100_128", description="codec_rate[_bitrate]; pcm_* needs a Pro plan"
    )
    elevenlabs_daily_chars: int = Field(default=100_000, ge=0)
    google_application_credentials: Path | None = Field(
        default=None,
        validation_alias=AliasChoices(
            "GOOGLE_APPLICATION_CREDENTIALS", "YTEMPIRE_GOOGLE_APPLICATION_CREDENTIALS"
        ),
        description="a service account file; turns Google Cloud TTS on",
    )
    google_service_account_json: SecretStr | None = Field(
        default=None, description="the service account's JSON key itself (the Google block)"
    )
    google_tts_enabled: bool = Field(
        default=False, description="use Google Cloud TTS with the ambient credentials (ADC)"
    )
    google_tts_endpoint: str | None = Field(
        default=None, description="another API root; a plain http:// one gets no credentials"
    )
    google_tts_daily_chars: int = Field(default=1_000_000, ge=0)
    voice_timeout_s: float = Field(default=60.0, gt=0, description="one TTS request's timeout")
    voice_concurrency: int = Field(
        default=3, ge=1, le=32, description="TTS requests in flight at once per video"
    )
    piper_voices_dir: Path | None = Field(
        default=None,
        description="Piper voices (<locale>-<name>-<quality>.onnx + .onnx.json) the offline "
        "narrator may speak, any language (docs/voice.md)",
    )
    music_dir: Path | None = Field(
        default=None, description="background tracks; with none set, no music is mixed"
    )
    music_below_speech_db: float = Field(
        default=20.0, ge=10, le=40, description="how far the ducked music sits under the voice"
    )

    # Analytics: the metrics queue, metrics exposition and alert thresholds (docs/analytics.md).
    redis_url: SecretStr | None = Field(
        default=None, description="batch metrics through this Redis; straight to the store if unset"
    )
    metrics_prefix: str = Field(default="ytempire:metrics", description="Redis key prefix")
    metrics_batch_size: int = Field(default=100, ge=1, le=5000)
    metrics_flush_interval_s: float = Field(default=5.0, gt=0)
    metrics_window_hours: float = Field(
        default=24.0, gt=0, description="window of the derived gauges (quality, rates, p95)"
    )
    metrics_basic_auth: SecretStr | None = Field(
        default=None,
        description="user:hash (sha256:<hex> or bcrypt) that ytempire metrics serve requires",
    )
    pushgateway_url: str | None = Field(
        default=None, description="a Prometheus Pushgateway that flows push the metrics to"
    )
    alert_cost_per_video_usd: float = Field(default=0.45, ge=0)
    alert_min_quality: float = Field(default=0.75, ge=0, le=1)
    alert_max_failure_rate: float = Field(default=0.05, ge=0, le=1)
    alert_max_fallback_rate: float = Field(default=0.20, ge=0, le=1)
    alert_max_p95_latency_ms: float = Field(default=5000, gt=0)
    provider_daily_budget_usd: float = Field(
        default=100.0, ge=0, description="a provider's daily API budget, unless listed below"
    )
    provider_budgets_usd: dict[str, float] = Field(
        default_factory=dict, description='per-provider daily budgets, JSON: {"openai": 50}'
    )
    # Resilience (docs/resilience.md): a paid call whose estimate would take a video over its
    # budget is refused before it is made.
    video_budget_usd: float = Field(default=0.50, ge=0, description="what one video may cost")
    # Money (docs/resilience.md, "Prices, the ledger and compute").
    prices_file: Path | None = Field(
        default=None,
        description="a price table whose entries override and extend ytempire/data/prices.toml",
    )
    local_models: list[str] = Field(
        default_factory=list,
        description='models on a local OpenAI-compatible server (free), JSON: ["llama3"]',
    )
    # Seed §1.2 prices processing at about $0.10 a video: a typical (1-minute) video here uses
    # about 20 CPU-seconds (voice 10, render 6, thumbnails 5), so $18 per CPU-hour; its GPU
    # figure ($0.10 for 180-300 s of GPU assembly) is $1.50 per GPU-hour. docs/resilience.md.
    compute_usd_per_cpu_hour: float = Field(
        default=18.0, ge=0, description="what an hour of CPU time costs (render, voice, thumbnails)"
    )
    compute_usd_per_gpu_hour: float = Field(
        default=1.50, ge=0, description="what an hour of a GPU encoder costs (NVENC renders)"
    )
    circuit_breakers: dict[str, tuple[int, float]] = Field(
        default_factory=dict,
        description="breaker overrides: provider → [failures in a row, seconds open], JSON: "
        '{"openai": [5, 300]}',
    )

    # Thumbnails: DALL·E 3 pictures for the hero and split layouts when an OpenAI key or
    # base URL is set (the same OPENAI_* variables as the script stage); Pillow otherwise.
    thumbnail_image_model: str | None = Field(
        default="dall-e-3", description="the images model; empty: never generate pictures"
    )
    thumbnail_image_size: str = Field(default="1792x1024", pattern=r"^\d+x\d+$")
    thumbnail_image_quality: str = Field(default="standard", description="standard or hd")
    thumbnail_timeout_s: float = Field(default=120.0, gt=0, description="one image request")
    thumbnail_key_frames: int = Field(
        default=3, ge=1, le=12, description="key frames picked from the video for thumbnails"
    )

    # Visuals and render (docs/render.md).
    pexels_api_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("PEXELS_API_KEY", "YTEMPIRE_PEXELS_API_KEY")
    )
    pexels_api_endpoint: str | None = Field(
        default=None, description="another root for the Pexels API (a proxy, a test server)"
    )
    pexels_timeout_s: float = Field(default=30.0, gt=0)
    asset_library: Path | None = Field(
        default=None, description="folder of clips and pictures matched by file tags or names"
    )
    footage_repeat_videos: int = Field(
        default=20, ge=0, description="a clip a channel showed in its last N videos is not shown"
    )
    transition: str = Field(default="fade", description="transition between script blocks")
    transition_s: float = Field(default=0.5, ge=0, le=3)
    pan_pictures: bool = Field(default=True, description="pan slowly across photos")
    intro_s: float = Field(
        default=2.5, ge=0.5, le=3, description="how long a channel's intro card shows"
    )
    render_encoder: str = Field(default="auto", description="auto, libx264 or h264_nvenc")
    render_workers: int = Field(default=2, ge=1, le=64, description="parts encoded at once")
    render_crf: int = Field(default=20, ge=0, le=51)
    render_preset: str = "ultrafast"
    burn_subtitles: bool = True
    subtitle_style: str = Field(
        default="", description="ASS style overrides, e.g. 'Fontsize=52,MarginV=80'"
    )
    # Where renders run when a Prefect server is configured (docs/operations.md).
    render_deployment: str | None = Field(
        default=None,
        description="'render-video/render-video' renders on the gpu pool; unset: in-process",
    )
    render_deployment_timeout_s: float = Field(
        default=3600, gt=0, description="how long make_video waits for a render on the gpu pool"
    )
    render_concurrency_limit: str | None = Field(
        default=None,
        description="global concurrency limit a render holds a slot of ('render' on the pools)",
    )

    # The daily batch (docs/batch.md).
    channels_file: Path = Field(
        default=REPO_ROOT / "channels.yaml",
        description="channel profiles offline; ChannelProfile blocks on a server win",
    )
    # A/B experiments (docs/experiments.md).
    experiments_file: Path = Field(
        default=REPO_ROOT / "experiments.yaml",
        description="experiments offline; the ytempire_experiments Variable on a server wins",
    )
    credentials_block: str = Field(
        default="default", description="name of the credential blocks flows load (blocks/)"
    )
    youtube_quota_units_per_day: int = Field(
        default=10_000, ge=0, description="the YouTube Data API quota the day's uploads share"
    )
    batch_concurrency: int = Field(default=2, ge=1, le=64, description="videos made at once")
    video_deployment: str | None = Field(
        default=None,
        description="'make-video/make-video' runs batch videos on workers; unset: in-process",
    )
    video_deployment_timeout_s: float = Field(
        default=7200, gt=0, description="how long the batch waits for one video's run"
    )

    # Quality gates: the Great Expectations suites (docs/quality.md). The default is the
    # repository's folder; an installed package without the repository names its own.
    quality_suites_dir: Path = Field(
        default=REPO_ROOT / "quality_suites",
        description="folder of script.json, voice.json, video.json and thumbnail.json",
    )

    # One run per video, and the gate before publishing (docs/pipeline.md, docs/quality.md).
    lease_ttl_s: float = Field(
        default=60.0, gt=0, description="a run's video lease lives this long between renewals"
    )
    lease_wait_s: float = Field(
        default=0.0, ge=0, description="how long a second run of a video waits for the first"
    )
    gate_pause: Literal["deployments", "always", "never"] = Field(
        default="deployments",
        description="when a held video pauses its run for an approve/reject form in the "
        "Prefect UI: runs of a deployment (on a server), always, or never",
    )
    gate_pause_timeout_s: int = Field(
        default=3600, gt=0, description="how long a paused run waits; then it ends held"
    )
    gate_poll_s: int = Field(default=10, gt=0, description="how often a paused run looks")

    # MLflow, the record of every video and the prompt registry (docs/mlflow.md).
    mlflow_tracking_uri: str | None = Field(
        default=None,
        validation_alias=AliasChoices("MLFLOW_TRACKING_URI", "YTEMPIRE_MLFLOW_TRACKING_URI"),
        description="a shared MLflow server; unset: mlflow.db and mlartifacts in the workspace",
    )
    mlflow_record: Literal["background", "inline", "off"] = Field(
        default="background",
        description="record each video as an MLflow run after the flow (background), "
        "inside it (inline), or not at all (off: prompts come from the repository's files)",
    )

    retry_delay_scale: float = Field(
        default=1.0, ge=0, description="multiplies every retry wait; tests shrink it"
    )
    retry_after_cap_s: float = Field(
        default=60.0,
        ge=0,
        description="longest Retry-After honoured; a server asking more: the next engine runs",
    )

    @model_validator(mode="before")
    @classmethod
    def _bucket_workspace(cls, data: Any) -> Any:
        """``workspace=s3://...`` names a bucket: kept as ``workspace_url``, and ``workspace``
        becomes the local scratch root the stages work in."""
        if not isinstance(data, dict):
            return data
        workspace = data.get("workspace")
        if isinstance(workspace, str) and workspace.startswith(BUCKET_SCHEMES):
            state = Path(data.get("state_dir") or DEFAULT_STATE_DIR)
            data = {**data, "workspace_url": workspace.rstrip("/"), "workspace": state / "scratch"}
        return data

    def model_post_init(self, context: Any, /) -> None:
        # Configured secrets are masked by value in every message (ytempire.redact); a copy
        # with other values (model_copy, as blocks/credentials.py makes) is remembered by
        # run_stage (tasks/recording.py).
        redact.remember_settings(self)

    @property
    def llm_configured(self) -> bool:
        """Whether an OpenAI(-compatible) provider is set up: a key, or a local server URL."""
        return bool(self.openai_api_key or self.openai_base_url)

    @property
    def images_configured(self) -> bool:
        """Whether thumbnails ask an images model (DALL·E 3) for pictures: an image endpoint
        serves it (never a chat-only or local one; ytempire/providers/endpoints.py)."""
        model = self.thumbnail_image_model
        return bool(model) and endpoints.for_images(self, model or "") is not None

    @property
    def google_tts_configured(self) -> bool:
        """Whether Google Cloud TTS is set up: credentials, ADC turned on, or an endpoint."""
        return bool(
            self.google_application_credentials
            or self.google_service_account_json
            or self.google_tts_enabled
            or self.google_tts_endpoint
        )

    @property
    def workspace_location(self) -> str:
        """The workspace as the operator named it: the bucket URL, or the local folder (what
        a flow run on another worker is given)."""
        return self.workspace_url or str(self.workspace)

    @property
    def local_state_dir(self) -> Path:
        """Where this machine's local state lives (the SQLite store, MLflow's tracking store):
        the workspace folder, or ``state_dir`` when the workspace is a bucket."""
        return self.state_dir if self.workspace_url else self.workspace

    @property
    def analytics_url(self) -> str:
        """The analytics store's URL: the setting, or a SQLite file in the local state folder
        (the workspace folder, or ``state_dir`` with a bucket workspace)."""
        if self.database_url:
            return self.database_url.get_secret_value()
        return f"sqlite:///{(self.local_state_dir / 'ytempire.db').resolve()}"
