"""The serving benchmark: each read endpoint and the mixed workload, through nginx, with 1, 2 and 4
app servers, on whatever database the settings point at (the full dataset, for real figures).

    ATELIER_DATA_DIR=/path/to/full/data .venv/bin/python loadtests/bench.py
        [--apps 1,2,4] [--duration 30] [--connections 32] [--workers 2] [--scenarios ...]

For each app-server count it starts the local cluster (deploy/cluster.py), warms each scenario up,
then measures it: wrk (Debian's C load generator) for `meta`, `reviews` and the `mixed` workload
with writes, and locust for `mixed-locust` (the same mix from loadtests/locustfile.py). It prints
requests/s, p50, p95, p99 and errors per run, with the load generator, the machine's load average
and how busy its CPUs were, and writes them to out/bench/ (JSON and Markdown).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import resource
import runpy
import subprocess
import sys
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from unittest import mock

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from deploy.cluster import GUNICORN_CONF, Cluster, Settings, app_environment, free_port  # noqa: E402

WRK_SCENARIOS = {"meta": "meta.lua", "reviews": "reviews.lua", "mixed": "mixed.lua"}
SCENARIOS = [*WRK_SCENARIOS, "mixed-locust"]
OUT = REPO / "out" / "bench"


@dataclass
class Result:
    apps: int
    app_server: str  # each app server's gunicorn: worker class, workers x threads
    scenario: str
    generator: str
    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    errors: int
    load_before: float  # 1-minute load average as the run started
    load_after: float
    cpu_busy: float  # share of all CPUs busy during the run, every process on the machine
    generator_cpu: float  # CPU seconds the load generator used
    service_cpu: float  # CPU seconds of the app servers, nginx and PostgreSQL
    cpu_us_per_request: float  # (service + generator) CPU per request
    capacity_rps: float  # what the machine's CPUs would serve at that cost, with nothing else


def cpu_times() -> tuple[int, int]:
    """(busy, total) jiffies over all CPUs since boot."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields)


def process_ticks(pids: set[int] | None = None, groups: set[int] = frozenset(), parent: int = 0):
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


def run_wrk(script: str, port: int, seconds: int, args: argparse.Namespace, ids) -> dict:
    argv = [
        "wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{seconds}s", "--timeout", "5s",
        "-s", str(REPO / "loadtests" / "wrk" / script), f"http://127.0.0.1:{port}",
        "--", str(ids[0]), str(ids[1]),
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
        "errors": sum(figures["errors"].values()),
    }


def locust_argv(host: str, users: int, seconds: int, out: Path, *extra: str) -> list[str]:
    """A headless locust run of the front-end mix, its CSV and HTML reports at ``out``."""
    return [
        str(Path(sys.executable).parent / "locust"),
        "--config", str(REPO / "loadtests" / "locust.conf"),
        "--host", host, "--users", str(users), "--spawn-rate", str(users),
        "--run-time", f"{seconds}s", "--csv", str(out), "--html", f"{out}.html", *extra,
    ]  # fmt: skip


def run_locust(port: int, seconds: int, args: argparse.Namespace, ids, out: Path) -> dict:
    host = f"http://127.0.0.1:{port}"
    argv = locust_argv(host, args.connections, seconds, out, "--product-max", str(ids[0]))
    subprocess.run(argv, capture_output=True, text=True, cwd=REPO)  # its verdict: in the errors
    with open(f"{out}_stats.csv") as stats:
        total = next(row for row in csv.DictReader(stats) if row["Name"] == "Aggregated")
    return {
        "requests": int(total["Request Count"]),
        "seconds": float(seconds),
        "rps": float(total["Requests/s"]),
        "p50_ms": float(total["50%"]),
        "p95_ms": float(total["95%"]),
        "p99_ms": float(total["99%"]),
        "errors": int(total["Failure Count"]),
    }


def gunicorn_setup(settings: Settings) -> str:
    """The worker class, workers and threads the app servers run with (their config file read
    with their environment)."""
    with mock.patch.dict(os.environ, app_environment(settings)):
        conf = runpy.run_path(str(GUNICORN_CONF))
    return f"{conf['worker_class']} {conf['workers']} workers x {conf['threads']} threads"


def bench(args: argparse.Namespace) -> list[Result]:
    ids = dataset_size()
    print(f"dataset: products up to {ids[0]:,}, reviews up to {ids[1]:,}", flush=True)
    print(HEADER, flush=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    out = OUT / stamp
    out.mkdir(parents=True, exist_ok=True)
    results = []
    for apps in args.apps:
        cluster, port = Cluster(REPO / ".data" / "bench-cluster"), free_port()
        settings = Settings(
            apps=apps,
            port=port,
            workers=args.workers,
            worker_class=args.worker_class,
            threads=args.gthreads,
        )
        app_server = gunicorn_setup(settings)
        print(f"{apps} app servers, each gunicorn {app_server}", flush=True)
        cluster.start(settings, prepare=False)
        groups = {pid for _, pid, _ in cluster.status() if pid}
        db_pid = database_pid()
        try:
            for scenario in args.scenarios:
                if scenario == "mixed-locust":
                    generator = "locust 2.47 (FastHttpUser, 1 process)"
                    run_locust(port, args.warmup, args, ids, out / f"warmup-{apps}")
                    with Measure(groups, db_pid) as measured:
                        figures = run_locust(
                            port, args.duration, args, ids, out / f"locust-{apps}-apps"
                        )
                else:
                    generator = f"wrk 4.1 (-t{args.threads} -c{args.connections})"
                    run_wrk(WRK_SCENARIOS[scenario], port, args.warmup, args, ids)
                    with Measure(groups, db_pid) as measured:
                        figures = run_wrk(WRK_SCENARIOS[scenario], port, args.duration, args, ids)
                cost = (measured.service_cpu + measured.generator_cpu) / figures["requests"] * 1e6
                result = Result(
                    apps=apps,
                    app_server=app_server,
                    scenario=scenario,
                    generator=generator,
                    load_before=measured.load_before,
                    load_after=measured.load_after,
                    cpu_busy=measured.cpu_busy,
                    generator_cpu=measured.generator_cpu,
                    service_cpu=measured.service_cpu,
                    cpu_us_per_request=cost,
                    capacity_rps=(os.cpu_count() or 1) * 1e6 / cost if cost else 0.0,
                    **figures,
                )
                print(row(result), flush=True)
                results.append(result)
        finally:
            cluster.stop()
    (out / "results.json").write_text(json.dumps([asdict(r) for r in results], indent=2))
    (out / "results.md").write_text(markdown(results))
    print(f"written to {out}/results.json and results.md")
    return results


HEADER = (
    f"{'apps':>4} {'scenario':<13} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} "
    f"{'errors':>6} {'load':>9} {'cpu':>5} {'us/req':>6} {'capacity':>8}  generator"
)


def row(r: Result) -> str:
    return (
        f"{r.apps:>4} {r.scenario:<13} {r.rps:>7.0f} {r.p50_ms:>7.1f} {r.p95_ms:>7.1f} "
        f"{r.p99_ms:>7.1f} {r.errors:>6} {r.load_before:>4.1f}>{r.load_after:<4.1f} "
        f"{r.cpu_busy:>5.0%} {r.cpu_us_per_request:>6.0f} {r.capacity_rps:>8.0f}  "
        f"{r.generator} ({r.generator_cpu:.1f} CPU s)"
    )


def markdown(results: list[Result]) -> str:
    lines = [
        "| app servers | scenario | req/s | p50 ms | p95 ms | p99 ms | errors | load avg "
        "(before>after) | CPU busy | CPU µs/request | capacity req/s | generator |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r.apps} x ({r.app_server}) | {r.scenario} | {r.rps:,.0f} | "
            f"{r.p50_ms:.1f} | {r.p95_ms:.1f} | {r.p99_ms:.1f} | {r.errors} | "
            f"{r.load_before:.1f} > {r.load_after:.1f} | {r.cpu_busy:.0%} | "
            f"{r.cpu_us_per_request:.0f} | {r.capacity_rps:,.0f} | {r.generator} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--apps", default="1,2,4", type=lambda s: [int(n) for n in s.split(",")])
    parser.add_argument("--duration", type=int, default=30, help="seconds measured per run")
    parser.add_argument("--warmup", type=int, default=5, help="seconds before each run")
    parser.add_argument("--connections", type=int, default=16, help="concurrent clients")
    parser.add_argument("--threads", type=int, default=1, help="wrk threads")
    parser.add_argument("--workers", type=int, help="gunicorn workers per app server")
    parser.add_argument("--worker-class", help="gunicorn worker class")
    parser.add_argument("--gthreads", type=int, help="threads per gthread worker")
    parser.add_argument(
        "--scenarios", default=",".join(SCENARIOS), type=lambda s: s.split(","), help="comma list"
    )
    args = parser.parse_args(argv)
    # Workers are not recycled during a run: the CPU accounting follows each worker process.
    os.environ["GUNICORN_MAX_REQUESTS"] = "0"
    print(f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} CPUs", flush=True)
    bench(args)


if __name__ == "__main__":
    main()
