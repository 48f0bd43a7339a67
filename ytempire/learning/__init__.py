"""Learning what works: the MLflow record of each video, the prompt registry, experiments
that assign arms and reach decisions, drift detection and thumbnail tests on YouTube.

MLflow is imported only inside the functions that use it: it is heavy, and a video that
records nothing must not pay for it.
"""
