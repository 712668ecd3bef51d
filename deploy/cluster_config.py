"""The local cluster's settings and the configuration rendered from them for each run: nginx.conf,
the cache's backends.vcl and its command line. Where the configuration files it starts from are.
"""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
GUNICORN_CONF = REPO / "deploy" / "gunicorn.conf.py"
NGINX_TEMPLATE = REPO / "deploy" / "nginx" / "cluster.conf.template"
PROXY_CONF = REPO / "deploy" / "nginx" / "atelier-proxy.conf"
VARNISH_DIR = REPO / "deploy" / "varnish"
# What the cache leaves out of its shared-memory log (varnishlog): Varnish's default, then headers,
# timestamps and VCL calls.
VSL_MASK = ",".join(
    f"-{tag}"
    for tag in (
        "Debug", "ObjProtocol", "ObjStatus", "ObjReason", "ObjHeader", "VCL_trace", "ExpKill",
        "WorkThread", "Hash", "VfpAcct", "H2RxHdr", "H2RxBody", "H2TxHdr", "H2TxBody", "VdpAcct",
        "ReqHeader", "RespHeader", "BereqHeader", "BerespHeader", "ReqUnset", "RespUnset",
        "Timestamp", "VCL_call", "VCL_return",
    )
)  # fmt: skip


# nginx's balancing methods over the app servers (docs/benchmarks.md, the balancing study). With
# `hash` and `random` nginx takes no backup servers.
BALANCING = {
    "round-robin": "",
    "least-conn": "least_conn;",
    "ip-hash": "hash $remote_addr consistent;",
    "random": "random two least_conn;",
}
NO_BACKUPS = ("ip-hash", "random")


@dataclass
class Settings:
    apps: int = 2
    # How nginx spreads requests over the app servers (BALANCING): least_conn, chosen by the
    # balancing study (docs/benchmarks.md): a slow server gets fewer requests.
    balance: str = "least-conn"
    port: int = 8080
    # gunicorn workers per app server; None: two a core over all the app servers (at least one)
    workers: int | None = None
    worker_class: str | None = None
    threads: int | None = None
    nginx_workers: int = 1
    upstream_keepalive: int = 64  # idle connections each nginx worker keeps to its upstreams
    database: str | None = None  # a database name on the configured server; None: the default
    # 1: the configured server (the embedded one by default); more: an HA database of this many
    # PostgreSQL nodes under Patroni (deploy/cluster_ha.py)
    db_nodes: int = 1
    # The HA database's nodes archive their WAL here, and `manage.py db_backup` puts base backups
    # here (atelier.pgembedded.backup); None: no backups.
    backup_dir: str | None = None
    cache: bool = True  # the HTTP cache (Varnish) between nginx and the app servers
    cache_size: str = "1G"  # its storage; least recently used objects are evicted beyond it
    # Seconds an object lives at most (bounds a purge that was lost); 0 keeps nothing: every read
    # is a miss through the cache (a benchmark of misses with the cache's fence, loadtests.bench)
    cache_ttl: int = 600
    # Cache nodes, each a Varnish with the whole cache, nginx spreading the reads over them; the
    # purge outbox's drainer (`manage.py purge_drain`) keeps every one of them exact.
    cache_nodes: int = 1
    # Where each takes purges (and requests) on loopback; the first may be given, the rest are
    # any free port.
    cache_ports: list[int] = field(default_factory=list)
    # Where the drainer serves its /metrics (the outbox's backlog, every cache node's counters).
    purger_metrics_port: int | None = None
    # Rate limits: nginx's per-client request rate (a burst beyond it is let through at once) and
    # the app's limits on writes (atelier.ratelimits). Off for benchmarks, which are one client.
    limits: bool = True
    client_rate: str = "50r/s"
    client_burst: int = 500
    environment: dict[str, str] = field(default_factory=dict)  # more for the app servers
    # Addresses (or networks) of TLS terminators in front of nginx: their X-Forwarded-Proto is
    # kept, anyone else's replaced by what nginx saw itself (so ATELIER_HTTPS works behind one).
    tls_terminators: list[str] = field(default_factory=list)


def nginx_conf(
    settings: Settings, *, run_dir: Path, app_sockets: list[Path], cache_sockets: list[Path]
) -> str:
    """nginx.conf: writes to the app servers; reads to the cache nodes (in turn), with the app
    servers as their backups (or straight to the app servers, without a cache)."""
    if settings.balance not in BALANCING:
        raise ValueError(f"balance is one of {', '.join(BALANCING)}, not {settings.balance!r}")
    method = f"        {BALANCING[settings.balance]}\n" if BALANCING[settings.balance] else ""
    primaries = [f"        server unix:{path} max_fails=1 fail_timeout=5s;" for path in app_sockets]
    backups = [f"        server unix:{path} backup;" for path in app_sockets]
    if settings.balance in NO_BACKUPS:
        backups = []
    servers = method + "\n".join(primaries + backups)
    if settings.cache:
        # The cache nodes, and the app servers as backups for while every node is down.
        readers = "".join(
            f"        server unix:{path} max_fails=1 fail_timeout=1s;\n" for path in cache_sockets
        )
        readers += "\n".join(backups)
    else:
        readers = servers
    # As root, nginx would otherwise run its workers as `nobody`, who cannot open the sockets.
    user = f"user {getpass.getuser()};" if os.geteuid() == 0 else ""
    values = {
        "@USER_DIRECTIVE@": user,
        "@NGINX_WORKERS@": str(settings.nginx_workers),
        "@UPSTREAM_KEEPALIVE@": str(settings.upstream_keepalive),
        "@RUN_DIR@": str(run_dir),
        "@UPSTREAM_SERVERS@": servers,
        "@CACHE_SERVERS@": readers,
        "@PORT@": str(settings.port),
        "@PROXY_CONF@": str(PROXY_CONF),
        "@CLIENT_RATE@": settings.client_rate,
        "@CLIENT_POLICY@": client_policy(settings.client_rate),
        "@TLS_TERMINATORS@": "".join(
            f"        {address} 1;\n" for address in settings.tls_terminators
        ),
        "@CLIENT_LIMIT@": (
            f"limit_req zone=atelier_clients burst={settings.client_burst} nodelay;"
            if settings.limits
            else "# no per-client limit (started without limits)"
        ),
    }
    text = NGINX_TEMPLATE.read_text()
    for placeholder, value in values.items():
        text = text.replace(placeholder, value)
    return text


def client_policy(rate: str) -> str:
    """nginx's ``rate`` (like 50r/s or 600r/m) as a RateLimit-Policy item."""
    count, unit = rate.removesuffix("r/s").removesuffix("r/m"), rate[-1]
    return f'"requests";q={int(count)};w={60 if unit == "m" else 1}'


# The cache asks each app server whether it is alive every second; two failures of the last three
# and the server gets no request until it answers again (a dead server's misses go to the others).
PROBE = """probe app_alive {
    .request = "GET /health/live HTTP/1.1" "Host: localhost" "Connection: close";
    .interval = 1s;
    .timeout = 1s;
    .window = 3;
    .threshold = 2;
    .initial = 2;
}
"""


def varnish_backends(settings: Settings, *, app_sockets: list[Path]) -> str:
    """backends.vcl: the app servers behind the cache, whom it takes purges from, and the
    objects' lifetime."""
    backends = "".join(
        f"backend app{i} {{\n"
        f'    .path = "{path}";\n'
        "    .probe = app_alive;\n"
        "    .connect_timeout = 1s;\n"
        "    .first_byte_timeout = 15s;\n"
        "    .between_bytes_timeout = 15s;\n"
        "}\n"
        for i, path in enumerate(app_sockets, start=1)
    )
    adds = "".join(f"    apps.add_backend(app{i});\n" for i in range(1, len(app_sockets) + 1))
    return (
        "# Written by deploy/cluster.py for this run.\n"
        f"{PROBE}"
        f"{backends}"
        'acl purgers {\n    "127.0.0.1";\n    "::1";\n}\n'
        f"sub vcl_init {{\n    new apps = directors.round_robin();\n{adds}}}\n"
        + (
            f"sub atelier_ttl {{\n    set beresp.ttl = {settings.cache_ttl}s;\n}}\n"
            if settings.cache_ttl
            # Nothing kept, and no request waits for another's fetch of the same answer.
            else (
                "sub atelier_ttl {\n    set beresp.uncacheable = true;\n"
                "    set beresp.ttl = 60s;\n}\n"
            )
        )
    )


def varnishd_arguments(*, settings: Settings, work: Path, socket: Path, port: int) -> list[str]:
    """A cache node's varnishd arguments: in the foreground, as this user, its working folder
    ``work`` (with backends.vcl in it), listening on ``socket`` for nginx and on loopback ``port``
    for purges."""
    return [
        "-F", "-j", "none", "-n", str(work),
        "-a", f"{socket},HTTP,mode=0600",
        "-a", f"127.0.0.1:{port},HTTP",
        "-f", str(VARNISH_DIR / "atelier.vcl"),
        "-p", f"vcl_path={work}:{VARNISH_DIR}",
        "-s", f"malloc,{settings.cache_size}",
        # Longer than nginx's upstream keepalive (60 s): nginx closes idle connections first.
        "-p", "timeout_idle=75",
        # The shared-memory log without every header and timestamp: a seventh of a hit's CPU.
        # `varnishadm -n <run>/varnish param.reset vsl_mask` brings them back.
        "-p", f"vsl_mask={VSL_MASK}",
    ]  # fmt: skip
