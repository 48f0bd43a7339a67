"""Stores on SQLite and on a fresh PostgreSQL schema per test (the analytics tests' fixtures)."""

from tests.analytics.conftest import fresh_postgres_url, store, store_url

__all__ = ["fresh_postgres_url", "store", "store_url"]
