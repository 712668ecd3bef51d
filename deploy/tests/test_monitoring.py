"""The monitoring kit in deploy/monitoring: Prometheus' configuration and alert rules pass promtool
(the rules' own unit tests included), the dashboard's queries are valid PromQL, and every metric
they name is one the service, the purge drainer, Patroni or Prometheus itself exports."""

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from atelier.metrics import VARNISH_COUNTERS
from deploy.cluster_config import REPO

MONITORING = REPO / "deploy" / "monitoring"
DASHBOARD = MONITORING / "grafana" / "dashboards" / "atelier.json"
PATRONI_API = next((REPO / ".venv-patroni").glob("lib/python3*/site-packages/patroni/api.py"), None)
PROMTOOL = shutil.which("promtool")

needs_promtool = pytest.mark.skipif(PROMTOOL is None, reason="run `make system-packages`")


def promtool(*args: str, cwd: Path = MONITORING) -> subprocess.CompletedProcess:
    assert PROMTOOL is not None
    return subprocess.run([PROMTOOL, *args], cwd=cwd, capture_output=True, text=True, timeout=60)


@needs_promtool
def test_the_prometheus_configuration_and_its_rules_are_valid():
    checked = promtool("check", "config", "prometheus.yml")
    assert checked.returncode == 0, checked.stdout + checked.stderr


@needs_promtool
def test_each_alert_fires_when_it_should_and_only_then():
    tested = promtool("test", "rules", "alerts.test.yml")
    assert tested.returncode == 0, tested.stdout + tested.stderr
    alerts = {rule["alert"] for group in rules()["groups"] for rule in group["rules"]}
    covered = set(re.findall(r"alertname: (\w+)", (MONITORING / "alerts.test.yml").read_text()))
    assert {
        "AtelierHigh5xxRate",
        "AtelierDatabaseUnavailable",
        "AtelierReplicaLag",
        "AtelierFailover",
        "AtelierPurgeBacklog",
        "AtelierCacheHitRatioLow",
    } <= covered
    assert covered <= alerts


def rules() -> dict:
    return yaml.safe_load((MONITORING / "alerts.yml").read_text())


def dashboard_queries() -> list[str]:
    document = json.loads(DASHBOARD.read_text())
    return [target["expr"] for panel in document["panels"] for target in panel["targets"]]


@needs_promtool
def test_every_dashboard_query_is_valid_promql(tmp_path):
    as_rules = {
        "groups": [{
            "name": "dashboard",
            "rules": [{"record": f"dashboard:query{i}", "expr": expr}
                      for i, expr in enumerate(dashboard_queries())],
        }]
    }  # fmt: skip
    (tmp_path / "dashboard.yml").write_text(yaml.safe_dump(as_rules))
    checked = promtool("check", "rules", "dashboard.yml", cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def exported_metrics(client) -> set[str]:
    """What the service exports: an app server's /metrics after a request, the purge drainer's
    own families, each cache node's counters, Patroni's and Prometheus' ``up``."""
    client.get("/reviews/meta?product_id=1")
    text = client.get("/metrics").content.decode()
    names = set(re.findall(r"^# TYPE (\w+) (?:counter|gauge|histogram)", text, re.MULTILINE))
    names |= {f"atelier_cache_{name}" for name, _ in VARNISH_COUNTERS.values()}
    assert PATRONI_API is not None, "run `make patroni`"
    names |= set(re.findall(r"\b(patroni_\w+)\{", PATRONI_API.read_text()))
    return names | {"up"}


def named_metrics(expr: str) -> set[str]:
    """The metric names a PromQL expression reads (a counter's _total, a histogram's _bucket)."""
    words = set(re.findall(r"\b([a-z_]+(?:_total|_bucket|_seconds|_location|_timeline|_primary"
                           r"|_replica|_running|_unlocked|_backlog)|up)\b", expr))  # fmt: skip
    return {w.removesuffix("_total").removesuffix("_bucket") for w in words}


@pytest.mark.django_db
def test_every_metric_the_alerts_and_the_dashboard_name_is_exported(client):
    exported = {name.removesuffix("_total") for name in exported_metrics(client)}
    queries = dashboard_queries() + [
        rule["expr"] for group in rules()["groups"] for rule in group["rules"]
    ]
    named = set().union(*(named_metrics(expr) for expr in queries))
    assert "atelier_purge_lag_seconds" in named and "patroni_xlog_replayed_location" in named
    assert named - exported == set()
