"""Fixtures of the tests here: the session's one Prefect server (prefect_server.py)."""

from tests.deployments.prefect_server import prefect_database, prefect_server  # noqa: F401
