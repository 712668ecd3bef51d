"""The Dockerfile and the compose file: linted as far as a machine without a Docker engine allows,
and kept in step with the local cluster (same gunicorn config, same nginx proxy rules)."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from deploy.cluster import PROXY_CONF, REPO

BIN = Path(sys.executable).parent
COMPOSE_FILE = REPO / "deploy" / "compose.yaml"
COMPOSE_NGINX_CONF = REPO / "deploy" / "nginx" / "compose.conf"


def compose(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BIN / "docker-compose"), "-f", str(COMPOSE_FILE), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )


@pytest.fixture(scope="module")
def compose_config() -> dict:
    env = dict(os.environ, DJANGO_SECRET_KEY="compose-config-check")
    result = compose("--profile", "load", "config", "--format", "json", env=env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_dockerfile_passes_hadolint():
    result = subprocess.run(
        [str(BIN / "hadolint"), "--no-color", str(REPO / "Dockerfile")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_compose_topology_is_database_migrate_load_app_and_nginx(compose_config):
    services = compose_config["services"]
    assert set(services) == {"db", "migrate", "load", "app", "nginx"}
    assert services["db"]["image"].startswith("postgres:18")
    assert services["app"]["depends_on"]["migrate"]["condition"] == (
        "service_completed_successfully"
    )
    assert services["nginx"]["depends_on"]["app"]["condition"] == "service_healthy"
    assert services["migrate"]["command"] == ["migrate", "--noinput"]


def test_compose_one_off_jobs_run_management_commands_that_exist(compose_config):
    from django.core.management import get_commands

    for job in ("migrate", "load"):
        service = compose_config["services"][job]
        assert service["entrypoint"] == ["python", "manage.py"]
        assert service["command"][0] in get_commands()


def test_compose_refuses_to_run_without_a_secret_key():
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SECRET_KEY"}
    result = compose("config", "--quiet", env=env)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_compose_nginx_uses_the_cluster_proxy_rules_and_the_image_port(compose_config):
    mounts = {v["target"]: v["source"] for v in compose_config["services"]["nginx"]["volumes"]}
    assert Path(mounts["/etc/nginx/atelier-proxy.conf"]) == PROXY_CONF
    assert Path(mounts["/etc/nginx/nginx.conf"]) == COMPOSE_NGINX_CONF
    dockerfile = (REPO / "Dockerfile").read_text()
    image_port = re.search(r"GUNICORN_BIND=0\.0\.0\.0:(\d+)", dockerfile).group(1)
    assert f"server app:{image_port} " in COMPOSE_NGINX_CONF.read_text()
    assert compose_config["services"]["app"]["expose"] == [image_port]
    assert '"--config", "deploy/gunicorn.conf.py"' in dockerfile


def test_compose_nginx_config_passes_nginx_syntax_check(tmp_path):
    # Only the names that exist inside the compose network are swapped for local ones.
    conf = COMPOSE_NGINX_CONF.read_text()
    conf = conf.replace("server app:", "server 127.0.0.1:")
    # /tmp/ first: the checkout itself may live under /tmp.
    conf = conf.replace("/tmp/", f"{tmp_path}/")
    conf = conf.replace("/etc/nginx/atelier-proxy.conf", str(PROXY_CONF))
    (tmp_path / "nginx.conf").write_text(conf)
    result = subprocess.run(
        ["nginx", "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
