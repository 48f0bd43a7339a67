"""Where MLflow keeps the record: the one module that points the MLflow SDK at a store.

The embedded default is a SQLite tracking store and an artifact folder in the local state
folder (``mlflow.db``, ``mlartifacts``: the workspace, or ``state_dir`` with a bucket);
``MLFLOW_TRACKING_URI`` points every worker at a shared MLflow server instead. The prompt
registry lives in the same store.

MLflow is imported only by ``connect`` (it is heavy: seconds to import, and a new SQLite
store runs its migrations on first use), so a process that records nothing never pays it.
``unreachable`` answers without importing MLflow, so a server that is down is known before
anything waits on the SDK's retries.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from types import ModuleType

import httpx

from ytempire import redact
from ytempire.settings import Settings

# Every video's run goes to this experiment (arms are params, not experiments).
EXPERIMENT = "ytempire-videos"
PROBE_TIMEOUT_S = 3.0
_USERINFO = re.compile(r"//[^/@]+@")


def tracking_uri(settings: Settings) -> str:
    """The tracking (and prompt registry) URI: the setting, or SQLite in the local state
    folder (the workspace folder, or ``state_dir`` when the workspace is a bucket)."""
    if settings.mlflow_tracking_uri:
        return settings.mlflow_tracking_uri
    return f"sqlite:///{(settings.local_state_dir / 'mlflow.db').resolve()}"


def artifact_location(settings: Settings) -> str | None:
    """Where a new experiment keeps artifacts: ``mlartifacts`` beside a SQLite store (the
    embedded one, or one named by ``MLFLOW_TRACKING_URI``: MLflow's own default would be
    ``./mlruns`` under whatever folder the process runs in); None lets a server decide."""
    uri = tracking_uri(settings)
    if not uri.startswith("sqlite:///"):
        return None
    return (Path(uri.removeprefix("sqlite:///")).parent / "mlartifacts").resolve().as_uri()


def shown(settings: Settings) -> str:
    """The tracking URI as messages may show it (a password in it masked)."""
    return redact.line(_USERINFO.sub("//***@", tracking_uri(settings)))


def unreachable(settings: Settings) -> str | None:
    """Why the store cannot be written now, in one line, or None when it can.

    A server is asked for ``/health`` (a few seconds at most); an embedded store needs a
    workspace folder it can create."""
    uri = tracking_uri(settings)
    if uri.startswith(("http://", "https://")):
        try:
            httpx.get(uri.rstrip("/") + "/health", timeout=PROBE_TIMEOUT_S).raise_for_status()
        except httpx.HTTPError as exc:
            return redact.line(f"MLflow at {shown(settings)} is unreachable: {exc}")
        return None
    if uri.startswith("sqlite:///"):
        try:
            Path(uri.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            return redact.line(f"MLflow store {shown(settings)} cannot be created: {exc}")
    return None


def connect(settings: Settings) -> ModuleType:
    """The ``mlflow`` module, pointed at this settings' store (tracking and registry)."""
    import mlflow

    uri = tracking_uri(settings)
    started_with = os.environ.get("MLFLOW_TRACKING_URI")
    mlflow.set_tracking_uri(uri)
    mlflow.set_registry_uri(uri)
    # MLflow also exports the URI to the environment, where the next Settings() of this
    # process (another video, another workspace) would take it: put back what was there.
    if started_with is None:
        os.environ.pop("MLFLOW_TRACKING_URI", None)
    else:
        os.environ["MLFLOW_TRACKING_URI"] = started_with
    return mlflow


def experiment_id(settings: Settings, name: str = EXPERIMENT) -> str:
    """The id of experiment ``name`` (the videos' by default) in the store, created on first
    use."""
    mlflow = connect(settings)
    client = mlflow.MlflowClient()
    found = client.get_experiment_by_name(name)
    if found is not None:
        return str(found.experiment_id)
    return str(client.create_experiment(name, artifact_location=artifact_location(settings)))
