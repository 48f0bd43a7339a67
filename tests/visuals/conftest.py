"""A real script to draw: hook, three sections (one with an over-long heading), summary, CTA."""

from __future__ import annotations

from pathlib import Path

import pytest

from ytempire.models import Script, Section


@pytest.fixture
def script(tmp_path: Path) -> Script:
    return Script(
        engine="test",
        title="How Black Holes Evaporate",
        hook=(
            "What if black holes, the ultimate cosmic vacuum cleaners, slowly disappear? "
            "Physics says they do."
        ),
        sections=[
            Section(
                heading="What is Hawking radiation?",
                narration=(
                    "So, in 1974 Stephen Hawking combined quantum mechanics with relativity. "
                    "He found that black holes should glow faintly. This glow is now called "
                    "Hawking radiation. It comes from quantum effects at the event horizon."
                ),
            ),
            Section(
                heading="Virtual particles at the edge",
                narration=(
                    "Empty space is never truly empty. Pairs of particles pop in and out of "
                    "existence. Near the horizon, one partner falls in while the other escapes."
                ),
            ),
            Section(
                heading=(
                    "How long does it take for a black hole with the mass of the Sun to "
                    "completely evaporate away into nothing at all?"
                ),
                narration=(
                    "For a black hole with the mass of our Sun, evaporation takes about ten to "
                    "the power of sixty-seven years. That is far longer than the age of the "
                    "universe."
                ),
            ),
        ],
        summary="Black holes are not forever. They radiate, shrink and finally vanish.",
        cta="If you enjoyed this, subscribe and turn on notifications for more space science.",
        markdown_path=tmp_path / "script.md",
    )
