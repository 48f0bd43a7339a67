"""What a Prefect server needs before ``prefect deploy --all``: work pools, the render
concurrency limit and the block types. Run ``python -m deployments.setup``."""
