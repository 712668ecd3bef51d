"""nginx's balancing methods over four app servers, measured: round robin, `least_conn`,
`hash $remote_addr` and `random two least_conn`, on the storefront's mix, with the cache off and
on, in three situations: every server healthy; one server slowed (its processes under a CPU quota
of a tenth of one core: the cgroup v1 cpu controller); one server SIGKILLed a third of the way in
and started again.

    ATELIER_DATA_DIR=<full> .venv/bin/python -m loadtests.balancing
        [--methods round-robin,least-conn,ip-hash,random] [--cache off,on]
        [--situations healthy,slowed,killed] [--duration 20] [--connections 64]

Each cache mode runs one cluster (4 app servers); the method changes with a graceful reload of
nginx (``Cluster.rebalance``), so the cache stays warm. Per run: requests/s, the share of the
static baseline measured in the same run, p50/p99/p99.9, errors, and each app server's share of
the requests it answered: nginx's own (its access log names the upstream) plus, with the cache,
the misses the cache sent it (Varnish's backend counters). wrk is one client address, as behind
a CDN or a corporate proxy: `hash $remote_addr` then sends everything to one server. The results
go to out/balancing/<time>/ as JSON, Markdown and a chart.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import threading
import time
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from loadtests.bench import (
    REPO,
    StaticBaseline,
    dataset_size,
    run_wrk,
    warm_pass,
)

APPS = 4
SLOW_APP = 2  # the server slowed or killed
SLOW_QUOTA = 0.1  # of one core
CGROUP = Path("/sys/fs/cgroup/cpu/atelier-slowed")
METHODS = ("round-robin", "least-conn", "ip-hash", "random")
SITUATIONS = ("healthy", "slowed", "killed")
OUT = REPO / "out" / "balancing"


@dataclass
class Run:
    cache: str
    method: str
    situation: str
    connections: int
    rps: float
    share: float  # of the static baseline
    p50_ms: float
    p99_ms: float
    p999_ms: float
    errors: int
    served: dict[str, int] = field(default_factory=dict)  # app server -> requests it answered

    def shares(self) -> str:
        total = sum(self.served.values()) or 1
        return " ".join(f"{self.served.get(f'app{i}', 0) / total:.0%}" for i in range(1, APPS + 1))


@contextmanager
def slowed(pids: list[int]):
    """``pids`` (an app server's master and workers, and what they fork meanwhile) under a CPU
    quota of SLOW_QUOTA of one core."""
    CGROUP.mkdir(exist_ok=True)
    period = 100_000
    (CGROUP / "cpu.cfs_period_us").write_text(str(period))
    (CGROUP / "cpu.cfs_quota_us").write_text(str(int(period * SLOW_QUOTA)))
    for pid in pids:
        (CGROUP / "cgroup.procs").write_text(str(pid))
    try:
        yield
    finally:
        for remaining in (CGROUP / "cgroup.procs").read_text().split():
            with suppress(OSError):  # gone meanwhile
                (CGROUP.parent / "cgroup.procs").write_text(remaining)
        CGROUP.rmdir()


def group_pids(pgid: int) -> list[int]:
    """Every process in the process group ``pgid``."""
    out = subprocess.run(["ps", "-eo", "pid=,pgid="], capture_output=True, text=True).stdout
    return [
        int(pid) for pid, group in (line.split() for line in out.splitlines()) if int(group) == pgid
    ]


def backend_requests(cluster) -> dict[str, int]:
    """The requests the cache sent each app server so far (VBE.*.req)."""
    argv = ["varnishstat", "-n", str(cluster.cache_work(1)), "-1", "-j", "-f", "VBE.*.req"]
    document = json.loads(subprocess.run(argv, capture_output=True, text=True).stdout or "{}")
    counters = document.get("counters", document)
    found: dict[str, int] = {}
    for name, counter in counters.items():
        match = re.search(r"\.(app\d+)\.req$", name)
        if match:
            found[match.group(1)] = found.get(match.group(1), 0) + counter["value"]
    return found


def nginx_served(log: Path, offset: int) -> dict[str, int]:
    """Requests nginx sent each app server, from its access log after ``offset`` (the last
    upstream of a line is the one that answered)."""
    served: dict[str, int] = {}
    with log.open() as lines:
        lines.seek(offset)
        for line in lines:
            match = re.search(r" up=(.*)$", line.rstrip())
            if not match:
                continue
            last = match.group(1).split(",")[-1].strip()
            app = re.search(r"(app\d+)\.(?:starting\.)?sock", last)
            if app:
                served[app.group(1)] = served.get(app.group(1), 0) + 1
    return served


def measure(cluster, cache: str, method: str, situation: str, args, ids, static_rps) -> Run:
    log = cluster.run_dir / "logs" / "nginx-access.log"
    offset = log.stat().st_size if log.exists() else 0
    misses_before = backend_requests(cluster) if cache == "on" else {}
    fault: threading.Thread | None = None
    if situation == "killed":

        def kill_and_restart() -> None:
            time.sleep(args.duration / 3)
            cluster.kill_app(SLOW_APP)
            time.sleep(2)
            cluster.start_app(SLOW_APP)

        fault = threading.Thread(target=kill_and_restart)
        fault.start()
    if situation == "slowed":
        pgid = cluster.processes.pid(f"app{SLOW_APP}")
        with slowed(group_pids(pgid)):
            figures = run_wrk(
                "storefront.lua", cluster.port, args.duration, args.connections, *ids, "newest"
            )
    else:
        figures = run_wrk(
            "storefront.lua", cluster.port, args.duration, args.connections, *ids, "newest"
        )
    if fault is not None:
        fault.join(timeout=120)
    time.sleep(6)  # nginx flushes its buffered access log every 5 s
    served = nginx_served(log, offset)
    if cache == "on":
        after = backend_requests(cluster)
        for app, count in after.items():
            served[app] = served.get(app, 0) + count - misses_before.get(app, 0)
    return Run(
        cache=cache, method=method, situation=situation, connections=args.connections,
        rps=figures["rps"], share=figures["rps"] / static_rps, p50_ms=figures["p50_ms"],
        p99_ms=figures["p99_ms"], p999_ms=figures["p999_ms"], errors=figures["errors"],
        served=served,
    )  # fmt: skip


HEADER = (
    f"{'cache':<5} {'method':<11} {'situation':<9} {'req/s':>7} {'static':>6} {'p50 ms':>7} "
    f"{'p99 ms':>7} {'p99.9 ms':>8} {'errors':>6}  shares app1..app4"
)


def row(run: Run) -> str:
    return (
        f"{run.cache:<5} {run.method:<11} {run.situation:<9} {run.rps:>7.0f} {run.share:>6.1%} "
        f"{run.p50_ms:>7.1f} {run.p99_ms:>7.1f} {run.p999_ms:>8.1f} {run.errors:>6}  {run.shares()}"
    )


def markdown(runs: list[Run], static_rps: float) -> str:
    lines = [
        f"Static baseline: {static_rps:,.0f} req/s.",
        "",
        "| cache | method | situation | req/s | share of static | p50 ms | p99 ms | p99.9 ms"
        " | errors | app1 / app2 / app3 / app4 |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in runs:
        lines.append(
            f"| {r.cache} | {r.method} | {r.situation} | {r.rps:,.0f} | {r.share:.1%} | "
            f"{r.p50_ms:.1f} | {r.p99_ms:.1f} | {r.p999_ms:.1f} | {r.errors} | "
            f"{r.shares().replace(' ', ' / ')} |"
        )
    return "\n".join(lines) + "\n"


def chart(runs: list[Run], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    caches = sorted({r.cache for r in runs})
    fig, axes = plt.subplots(2, len(caches), figsize=(6 * len(caches), 8), squeeze=False)
    for column, cache in enumerate(caches):
        for line, (metric, label) in enumerate((("rps", "req/s"), ("p99_ms", "p99 ms"))):
            ax = axes[line][column]
            situations = [s for s in SITUATIONS if any(r.situation == s for r in runs)]
            methods = [m for m in METHODS if any(r.method == m for r in runs)]
            width = 0.8 / max(len(methods), 1)
            for i, method in enumerate(methods):
                values = [
                    next((getattr(r, metric) for r in runs if (r.cache, r.method, r.situation)
                          == (cache, method, s)), 0)
                    for s in situations
                ]  # fmt: skip
                ax.bar([x + i * width for x in range(len(situations))], values, width, label=method)
            ax.set_xticks([x + width * (len(methods) - 1) / 2 for x in range(len(situations))])
            ax.set_xticklabels(situations)
            ax.set_title(f"cache {cache}: {label}")
            ax.legend(fontsize="small")
    fig.suptitle("nginx's balancing methods over four app servers, storefront mix")
    fig.tight_layout()
    fig.savefig(path, dpi=100)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    words = lambda text: text.split(",")  # noqa: E731
    parser.add_argument("--methods", type=words, default=list(METHODS))
    parser.add_argument("--cache", type=words, default=["off", "on"])
    parser.add_argument("--situations", type=words, default=list(SITUATIONS))
    parser.add_argument("--duration", type=int, default=20)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--workers", type=int, help="gunicorn workers per app server")
    parser.add_argument("--nginx-workers", type=int, default=1)
    parser.add_argument("--keepalive", type=int, default=64, help="nginx's upstream keepalive")
    args = parser.parse_args(argv)
    os.environ["GUNICORN_MAX_REQUESTS"] = "0"  # no worker recycled during a run

    from deploy.cluster import Cluster
    from deploy.cluster_config import Settings
    from deploy.processes import free_port

    ids = dataset_size()
    print(f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC; products up to {ids[0]:,}", flush=True)
    out = OUT / datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    out.mkdir(parents=True, exist_ok=True)
    with StaticBaseline(out / "static") as static:
        static_rps = static.rps(args.connections, args.duration)
    print(f"static baseline, {args.connections} connections: {static_rps:,.0f} req/s", flush=True)
    print(HEADER, flush=True)
    runs: list[Run] = []
    for cache in args.cache:
        cluster = Cluster(REPO / ".data" / "balancing-cluster")
        cluster.port = free_port()
        settings = Settings(
            apps=APPS, port=cluster.port, workers=args.workers, nginx_workers=args.nginx_workers,
            upstream_keepalive=args.keepalive, cache=cache == "on", limits=False,
            balance=args.methods[0],
        )  # fmt: skip
        cluster.start(settings, prepare=False)
        try:
            if cache == "on":
                requests, seconds = warm_pass(cluster.port, ids)
                print(f"  warmed with {requests:,} requests in {seconds:.0f} s", flush=True)
            for method in args.methods:
                cluster.rebalance(method)
                for situation in args.situations:
                    run = measure(cluster, cache, method, situation, args, ids, static_rps)
                    print(row(run), flush=True)
                    runs.append(run)
        finally:
            cluster.stop()
    (out / "results.json").write_text(json.dumps([asdict(r) for r in runs], indent=2))
    (out / "results.md").write_text(markdown(runs, static_rps))
    chart(runs, out / "chart.png")
    print(f"written to {out}/results.json, results.md and chart.png")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
