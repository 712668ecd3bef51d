"""The container image built and run with podman (`make image image-smoke`): minutes of work and
root, so it runs only when ATELIER_IMAGE_TESTS=1."""

import os
import subprocess

import pytest

from deploy.cluster_config import REPO

pytestmark = pytest.mark.skipif(
    os.environ.get("ATELIER_IMAGE_TESTS") != "1",
    reason="builds the container image with podman; set ATELIER_IMAGE_TESTS=1",
)


def test_the_image_migrates_and_serves_health_and_meta_with_podman():
    # The smoke test brings its own database (the embedded server, a database of its own).
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "ATELIER_DB_NAME")}
    result = subprocess.run(
        ["make", "--no-print-directory", "image", "image-smoke"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "image smoke test passed" in result.stdout
