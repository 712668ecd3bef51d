"""The cache configuration the local cluster renders (deploy/cluster_config.py) compiles, with
every app server probed, for the default lifetime and for a cache that keeps nothing."""

import shutil
import subprocess
from pathlib import Path

import pytest

from deploy.cluster_config import VARNISH_DIR, Settings, varnish_backends

pytestmark = pytest.mark.skipif(
    shutil.which("varnishd") is None, reason="run `make system-packages`"
)


def compiled(tmp_path: Path, settings: Settings) -> str:
    sockets = [tmp_path / "app1.sock", tmp_path / "app2.sock"]
    (tmp_path / "backends.vcl").write_text(varnish_backends(settings, app_sockets=sockets))
    result = subprocess.run(
        ["varnishd", "-C", "-j", "none", "-n", str(tmp_path / "work"),
         "-f", str(VARNISH_DIR / "atelier.vcl"), "-p", f"vcl_path={tmp_path}:{VARNISH_DIR}"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    return (tmp_path / "backends.vcl").read_text()


def test_the_cache_keeps_answers_their_lifetime_and_probes_each_app_server(tmp_path):
    backends = compiled(tmp_path, Settings(cache_ttl=600))
    assert "set beresp.ttl = 600s;" in backends and "uncacheable" not in backends
    assert backends.count(".probe = app_alive;") == 2


def test_a_cache_with_no_lifetime_keeps_nothing_and_lets_no_miss_wait_for_another(tmp_path):
    backends = compiled(tmp_path, Settings(cache_ttl=0))
    assert "set beresp.uncacheable = true;" in backends
