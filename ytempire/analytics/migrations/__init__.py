"""Alembic migrations of the analytics store, shipped inside the package.

``ytempire.analytics.store`` runs ``alembic upgrade head`` on first use of a URL; the
scripts live here so an installed wheel can migrate its database without a checkout.
"""
