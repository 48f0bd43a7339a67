"""Settings, read once from the environment (prefix ``YTEMPIRE_``) and passed explicitly."""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

DATA_DIR = Path(__file__).parent / "data"


class Settings(BaseSettings):
    """Where outputs and records go, and which local resources the offline engines use."""

    model_config = SettingsConfigDict(env_prefix="YTEMPIRE_", frozen=True, populate_by_name=True)

    workspace: Path = Field(default=Path("runs"), description="root folder of the video folders")
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
    script_primary_model: str = "gpt-4-turbo"
    script_fallback_model: str | None = "gpt-3.5-turbo"
    script_timeout_s: float = Field(default=60.0, gt=0)
    script_max_cost_usd: float | None = Field(
        default=0.10, ge=0, description="skip a model whose estimated script cost is higher"
    )
    script_max_latency_ms: int | None = Field(default=None, gt=0)
    script_min_quality: float | None = Field(default=None, ge=0, le=1)

    # Trend detection through the YouTube Data API when a key is set.
    youtube_api_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("YOUTUBE_API_KEY", "YTEMPIRE_YOUTUBE_API_KEY")
    )
    youtube_region: str = "US"
    youtube_category_id: str | None = None
    youtube_api_endpoint: str | None = Field(
        default=None, description="another root for the YouTube Data API (a proxy, a test server)"
    )

    retry_delay_scale: float = Field(
        default=1.0, ge=0, description="multiplies every retry wait; tests shrink it"
    )

    @property
    def llm_configured(self) -> bool:
        """Whether an OpenAI(-compatible) provider is set up: a key, or a local server URL."""
        return bool(self.openai_api_key or self.openai_base_url)

    @property
    def analytics_url(self) -> str:
        """The analytics store's URL: the setting, or a SQLite file in the workspace."""
        if self.database_url:
            return self.database_url.get_secret_value()
        return f"sqlite:///{(self.workspace / 'ytempire.db').resolve()}"
