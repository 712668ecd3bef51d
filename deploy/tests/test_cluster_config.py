"""What the local cluster renders (deploy/cluster_config.py): the cache's configuration compiles,
with every app server probed, for the default lifetime and for a cache that keeps nothing; nginx's
is accepted for each balancing method."""

import shutil
import subprocess
from pathlib import Path

import pytest

from deploy.cluster_config import (
    BALANCING,
    NO_BACKUPS,
    VARNISH_DIR,
    Settings,
    nginx_conf,
    varnish_backends,
)

needs_varnish = pytest.mark.skipif(
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


@needs_varnish
def test_the_cache_keeps_answers_their_lifetime_and_probes_each_app_server(tmp_path):
    backends = compiled(tmp_path, Settings(cache_ttl=600))
    assert "set beresp.ttl = 600s;" in backends and "uncacheable" not in backends
    assert backends.count(".probe = app_alive;") == 2


@needs_varnish
def test_a_cache_with_no_lifetime_keeps_nothing_and_lets_no_miss_wait_for_another(tmp_path):
    backends = compiled(tmp_path, Settings(cache_ttl=0))
    assert "set beresp.uncacheable = true;" in backends


@pytest.mark.skipif(shutil.which("nginx") is None, reason="run `make system-packages`")
@pytest.mark.parametrize("balance", list(BALANCING))
@pytest.mark.parametrize("cache", [True, False])
def test_each_balancing_method_renders_a_configuration_nginx_accepts(tmp_path, balance, cache):
    for folder in ("logs", "nginx-tmp"):
        (tmp_path / folder).mkdir()
    settings = Settings(apps=2, balance=balance, cache=cache)
    conf = nginx_conf(
        settings,
        run_dir=tmp_path,
        app_sockets=[tmp_path / "app1.sock", tmp_path / "app2.sock"],
        cache_sockets=[tmp_path / "cache.sock"],
    )
    (tmp_path / "nginx.conf").write_text(conf.replace("daemon off;", ""))
    result = subprocess.run(
        [shutil.which("nginx") or "nginx", "-t", "-p", str(tmp_path),
         "-c", str(tmp_path / "nginx.conf"), "-e", str(tmp_path / "logs" / "error.log")],
        capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    upstream = conf[conf.index("upstream atelier_app") : conf.index("upstream atelier_cache")]
    assert BALANCING[balance] in upstream
    assert ("backup;" in upstream) == (balance not in NO_BACKUPS)


@pytest.mark.parametrize(
    ("apps", "workers", "given", "expected"),
    [(2, None, None, "2"), (4, None, None, "1"), (8, None, None, "1"), (4, 3, None, "3"),
     (4, None, "5", "5")],
)  # fmt: skip
def test_app_servers_run_two_workers_a_core_in_all_unless_told(
    monkeypatch, apps, workers, given, expected
):
    from deploy.cluster_database import app_environment

    monkeypatch.setattr("os.cpu_count", lambda: 2)
    if given is None:
        monkeypatch.delenv("GUNICORN_WORKERS", raising=False)
    else:
        monkeypatch.setenv("GUNICORN_WORKERS", given)
    env = app_environment(Settings(apps=apps, workers=workers))
    assert env["GUNICORN_WORKERS"] == expected
