"""The pull step that starts every flow run in the worker's checkout (deployments/checkout.py).

tests/deployments/test_server.py runs it for real: workers started outside the checkout
without ``YTEMPIRE_HOME`` complete a make-video run, and a wrong ``YTEMPIRE_HOME`` fails the
run with one line. Here: each case in a fresh Python process, as the worker's would be.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from deployments.checkout import CheckoutError, checkout_for
from tests.deployments.prefect_server import REPO

STEP = "deployments.checkout.enter_checkout"


def _enter(
    cwd: Path, home: str | None, path: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the pull step the way Prefect does (by its name) in a new process started in ``cwd``
    with ``YTEMPIRE_HOME`` = ``home``; ``path`` goes first on its ``sys.path``."""
    env = {k: v for k, v in os.environ.items() if k != "YTEMPIRE_HOME"}
    if home is not None:
        env["YTEMPIRE_HOME"] = home
    code = (
        "import os, sys\n"
        f"{'sys.path.insert(0, ' + repr(str(path)) + ')' if path else ''}\n"
        "from prefect.utilities.importtools import import_object\n"
        f"out = import_object({STEP!r})()\n"
        "print(out['directory'], os.getcwd(), sep='\\n')\n"
    )
    return subprocess.run(
        [sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True, text=True, timeout=60
    )


def test_prefect_yaml_pulls_with_the_step() -> None:
    pull = yaml.safe_load((REPO / "prefect.yaml").read_text())["pull"]
    assert pull == [{STEP: {}}]


def test_unset_home_runs_from_the_checkout_the_worker_was_started_in(tmp_path: Path) -> None:
    done = _enter(tmp_path, None)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [str(REPO), str(REPO)]


def test_an_empty_home_counts_as_unset(tmp_path: Path) -> None:
    done = _enter(tmp_path, "")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == str(REPO)


def test_home_names_the_checkout(tmp_path: Path) -> None:
    other = tmp_path / "other-checkout"
    other.mkdir()
    (other / "prefect.yaml").write_text("name: ytempire\n")
    done = _enter(tmp_path, str(other))
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [str(other), str(other)]


def test_a_home_that_is_no_checkout_is_one_line_naming_the_variable(tmp_path: Path) -> None:
    with pytest.raises(CheckoutError) as refused:
        checkout_for(str(tmp_path))
    message = str(refused.value)
    assert "\n" not in message
    assert message.startswith(f"YTEMPIRE_HOME={tmp_path} is not a ytempire checkout")
    assert "export YTEMPIRE_HOME=" in message


def test_unset_home_outside_a_checkout_install_is_one_line(tmp_path: Path) -> None:
    """ytempire installed as a plain package (no checkout around it) and no YTEMPIRE_HOME."""
    site = tmp_path / "site-packages"
    shutil.copytree(REPO / "deployments", site / "deployments")
    done = _enter(tmp_path, None, path=site)
    assert done.returncode != 0
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("deployments.checkout.CheckoutError: YTEMPIRE_HOME is not set"), last
    assert f"not installed from a checkout ({site})" in last
