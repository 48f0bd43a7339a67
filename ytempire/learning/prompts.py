"""The prompt registry: every prompt the pipeline sends, versioned in the repository and in
MLflow's prompt registry with the aliases ``production`` and ``candidate``.

The repository's files (``ytempire/data/prompts/<name>.md``, shipped in the wheel) are where
prompts are written and reviewed; ``sync`` registers each file whose text differs from the
registry's latest version as a new version and points ``candidate`` at it (``production``
too for a prompt registered the first time, or when asked). The pipeline loads a prompt by
alias with ``load_prompt`` and records the version it used. With recording off
(``YTEMPIRE_MLFLOW_RECORD=off``) the pipeline needs no MLflow: prompts come from the files,
with no version.

Placeholders are Python ``str.format`` fields (``{topic}``); the code that sends a prompt
fills them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from ytempire.learning import mlflow_store
from ytempire.settings import DATA_DIR, Settings
from ytempire.workspace import write_json

PROMPTS_DIR = DATA_DIR / "prompts"
ALIASES = ("production", "candidate")
# A tag on every registered version: the file it came from.
SOURCE_TAG = "ytempire.source"
# In each video folder: the prompts its run sent, by name, with their versions.
USED = "prompts.json"


class PromptError(ValueError):
    """A prompt that does not exist, or an alias that names no version."""


class LoadedPrompt(BaseModel):
    """One prompt as the pipeline sends it: its text and the registry version it came from
    (None when it came from the repository's file with recording off)."""

    name: str
    version: int | None = Field(default=None, ge=1)
    text: str

    @property
    def label(self) -> str:
        """``name@vN``, or ``name@file`` for a prompt read from the repository."""
        return f"{self.name}@{'file' if self.version is None else f'v{self.version}'}"


class Synced(BaseModel):
    """What ``sync`` did to one prompt."""

    name: str
    version: int
    registered: bool = Field(description="a new version was registered for a changed file")
    aliases: list[str] = Field(default_factory=list, description="aliases moved to it")


def names(prompts_dir: Path = PROMPTS_DIR) -> list[str]:
    """Every prompt in the repository, by name (the file name without ``.md``)."""
    return sorted(p.stem for p in prompts_dir.glob("*.md"))


def file_prompt(name: str, prompts_dir: Path = PROMPTS_DIR) -> LoadedPrompt:
    """The prompt as the repository's file has it; ``PromptError`` if there is no file."""
    path = prompts_dir / f"{name}.md"
    if not path.is_file():
        raise PromptError(f"no prompt named {name!r} (no {path}); known: {', '.join(names())}")
    return LoadedPrompt(name=name, text=path.read_text(encoding="utf-8").removesuffix("\n"))


def text_of(name: str, texts: Mapping[str, str]) -> str:
    """The text of prompt ``name`` in ``texts`` (loaded from the registry), else its file's."""
    return texts.get(name) or file_prompt(name).text


def load_prompt(
    name: str, alias: str = "production", settings: Settings | None = None
) -> LoadedPrompt:
    """The version of ``name`` that ``alias`` points at in the registry, when recording is on;
    the repository's file otherwise (``settings.mlflow_record == "off"``).

    A prompt the registry does not know yet is registered from its file first (so a fresh
    store works without a ``sync``). Raises ``PromptError`` for an unknown prompt or an alias
    that points nowhere."""
    settings = settings or Settings()
    if settings.mlflow_record == "off":
        return file_prompt(name)
    mlflow = mlflow_store.connect(settings)
    found = mlflow.genai.load_prompt(f"prompts:/{name}@{alias}", allow_missing=True)
    if found is None:
        if _latest(name, settings) is not None:
            raise PromptError(f"prompt {name!r} has no version with alias {alias!r}")
        sync(settings, only=[name])
        found = mlflow.genai.load_prompt(f"prompts:/{name}@{alias}", allow_missing=True)
        if found is None:
            raise PromptError(f"prompt {name!r} has no version with alias {alias!r}")
    return LoadedPrompt(name=name, version=int(found.version), text=str(found.template))


def load_prompts(
    names: Iterable[str], alias: str = "production", settings: Settings | None = None
) -> list[LoadedPrompt]:
    """``load_prompt`` for each of ``names``, for a video that must not wait on or fail for
    MLflow: a registry that cannot be reached (or errs) gives the repository's files (no
    version), which the video's record then shows. ``PromptError`` still raises."""
    settings = settings or Settings()
    if settings.mlflow_record != "off" and mlflow_store.unreachable(settings) is None:
        try:
            return [load_prompt(name, alias, settings) for name in names]
        except PromptError:
            raise
        except Exception:  # MLflow's errors are many kinds; the files are the same prompts
            pass
    return [file_prompt(name) for name in names]


def set_alias(name: str, alias: str, version: int, settings: Settings | None = None) -> None:
    """Point ``alias`` of prompt ``name`` at ``version`` in the registry (a promotion, a
    rollback). Raises ``PromptError`` for a version the registry does not have."""
    settings = settings or Settings()
    mlflow = mlflow_store.connect(settings)
    if mlflow.genai.load_prompt(name, version=version, allow_missing=True) is None:
        raise PromptError(f"prompt {name!r} has no version {version}")
    mlflow.genai.set_prompt_alias(name, alias=alias, version=version)


def sync(
    settings: Settings | None = None,
    *,
    production: bool = False,
    only: list[str] | None = None,
    prompts_dir: Path = PROMPTS_DIR,
) -> list[Synced]:
    """Register every prompt file whose text differs from the registry's latest version as a
    new version and point ``candidate`` at it; ``production`` too when the prompt is new
    to the registry or ``production`` is asked for. Files already registered are left as
    they are. ``only`` limits it to those names."""
    settings = settings or Settings()
    mlflow = mlflow_store.connect(settings)
    done: list[Synced] = []
    for name in only or names(prompts_dir):
        text = file_prompt(name, prompts_dir).text
        latest = _latest(name, settings)
        if latest is not None and str(latest.template) == text:
            done.append(Synced(name=name, version=int(latest.version), registered=False))
            continue
        made = mlflow.genai.register_prompt(
            name,
            text,
            commit_message=f"{name}.md as synced by `ytempire prompts sync`",
            tags={SOURCE_TAG: f"ytempire/data/prompts/{name}.md"},
        )
        aliases = ["candidate"] + (["production"] if production or latest is None else [])
        for alias in aliases:
            mlflow.genai.set_prompt_alias(name, alias=alias, version=int(made.version))
        done.append(Synced(name=name, version=int(made.version), registered=True, aliases=aliases))
    return done


def note_used(folder: Path, loaded: Iterable[LoadedPrompt]) -> None:
    """Add ``loaded`` to the video folder's ``prompts.json`` (name → version; 0 for a
    repository file), which the video's MLflow run records as ``prompt.<name>`` params."""
    path = folder / USED
    try:
        used = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        used = {}
    write_json(path, used | {p.name: p.version or 0 for p in loaded})


def _latest(name: str, settings: Settings) -> Any:
    mlflow = mlflow_store.connect(settings)
    return mlflow.genai.load_prompt(f"prompts:/{name}@latest", allow_missing=True)
