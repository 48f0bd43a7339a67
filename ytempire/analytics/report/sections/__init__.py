"""The report's sections, one module each; each has ``section(...) -> Section``."""
