"""Settings, read once from the environment (prefix ``YTEMPIRE_``) and passed explicitly."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

DATA_DIR = Path(__file__).parent / "data"


class Settings(BaseSettings):
    """Where outputs and records go, and which local resources the offline engines use."""

    model_config = SettingsConfigDict(env_prefix="YTEMPIRE_", frozen=True)

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

    @property
    def analytics_url(self) -> str:
        """The analytics store's URL: the setting, or a SQLite file in the workspace."""
        if self.database_url:
            return self.database_url.get_secret_value()
        return f"sqlite:///{(self.workspace / 'ytempire.db').resolve()}"
