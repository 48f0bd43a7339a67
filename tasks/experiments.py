"""Experiments: the video's arms assigned, applied to the job and recorded in the store
(``ytempire.learning.experiments``). On a Prefect server the ``ytempire_experiments``
Variable (the experiments file's YAML text) wins over the file."""

from __future__ import annotations

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.variables import Variable

from ytempire.analytics.store import AnalyticsStore
from ytempire.learning import experiments
from ytempire.models import VideoJob
from ytempire.settings import Settings

VARIABLE = "ytempire_experiments"


def declared(settings: Settings) -> list[experiments.Experiment]:
    """The experiments of the server's Variable, else of the experiments file."""
    value = Variable.get(VARIABLE, default=None)
    if value is None:
        return experiments.for_settings(settings)
    return experiments.parse(value, f"Prefect Variable {VARIABLE}")


@task(name="assign-experiments", cache_policy=NO_CACHE)
def assign_experiments(job: VideoJob, settings: Settings) -> experiments.Applied:
    """The job with its arms applied (a re-run gets the same arms: they are a hash)."""
    arms = experiments.assign(declared(settings), job)
    applied = experiments.apply(job, arms)
    logger = get_run_logger()
    if arms:
        experiments.record(AnalyticsStore(settings.analytics_url), applied.job, arms)
        logger.info("arms: %s", ", ".join(f"{a.experiment}={a.arm} ({a.value})" for a in arms))
    for line in applied.not_applied:
        logger.warning(line)
    return applied
