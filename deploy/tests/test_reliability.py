"""The fault drills' short subset in CI: the drills that leave the test session's own database
server alone (an app server killed under traffic with writes retried by key, a rolling reload,
fifty racing posts with one key, a load killed mid-file), each judged by the drills' own checks.
`make reliability` runs them all, PostgreSQL killed, restarted and stopped included."""

import subprocess
import sys

import pytest

from loadtests.bench import REPO

pytestmark = pytest.mark.cluster

SUBSET = "app-kill,reload,idempotency-race,load-kill"


def test_the_fault_drills_subset_passes_its_checks():
    result = subprocess.run(
        [sys.executable, "-m", "loadtests.reliability", "--quick", "--drills", SUBSET],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    assert "every drill passed" in result.stdout
    for drill in SUBSET.split(","):
        assert f"| {drill} |" in result.stdout
