"""The fault drills: faults injected into the local cluster under traffic, and what clients saw.

    .venv/bin/python -m loadtests.reliability [--drills pg-kill,pg-restart,...] [--quick]

It runs its own cluster (2 app servers, the cache, nginx) on a database of its own
(``reliability``, demo data) and, for each drill, client threads read product pages and post
reviews and helpful votes with an ``Idempotency-Key`` (retrying a failed write with the same key,
as a well-behaved client does) while the fault is injected. After each drill it checks:

- no 5xx other than the app's JSON 503 (with ``Retry-After``), and that one only inside the fault
  window (plus a short grace);
- every acknowledged review is in the database, and no post made two reviews;
- no stale read: right after each acknowledged post, its client reads the product's newest
  reviews through nginx and the cache, and the review must be there (an answer other than 200
  is a failed read, not a stale one);
- the meta aggregates equal a fresh count (``verify_meta``);
- how long the service took to answer again once the fault ended (printed).

Drills: ``pg-kill`` (PostgreSQL SIGKILLed, then restarted), ``pg-restart`` (a fast restart),
``pg-stop`` (stopped for 30 s, 5 s with ``--quick``), ``app-kill`` (an app server SIGKILLed, then
started again), ``reload`` (a rolling reload), ``deploy`` (``cluster.py deploy``: migrations,
static files, rolling reload), ``idempotency-race`` (50 identical posts with one
key at once), ``load-kill`` (``load_csv`` killed mid-file, then run again) and ``cache-node-cut``
(one of the three cache nodes cut off from purges for a minute, 10 s with ``--quick``, while
writes happen: how stale each node's reads were, and for how long after the cut) and ``lock-held``
(the reviews table locked for 35 s, 8 s with ``--quick``: writes and uncached reads get JSON 503s
once the app's lock_timeout passes, never nginx's 504 or 502). The PostgreSQL
drills need the embedded server (``DATABASE_URL`` unset). The HA drills run a cluster of their own
on a three-node HA database (Patroni and etcd, ``deploy/cluster_ha.py``): ``db-leader-kill`` (the
leader's node SIGKILLed: its window lasts until a standby leads; the node is started again after)
and ``db-switchover`` (a planned change of leader). Every loop is bounded in time and count; all
traffic stays on loopback. Exit status 1 when a check fails.
"""

from __future__ import annotations

import argparse
import bisect
import contextlib
import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

DATABASE = "reliability"
PRODUCTS = 300
CLIENTS = 4
# A 503 this long before the fault (a request it caught in flight) or after it ended (a connection
# the app finds broken on its next use) still counts as inside it.
GRACE_SECONDS = 2.0
WRITE_RETRY_SECONDS = 60  # a client gives up retrying a write after this long
MAX_REQUESTS_PER_CLIENT = 20_000
DRILLS = (
    "pg-kill", "pg-restart", "pg-stop", "app-kill", "reload", "deploy", "idempotency-race",
    "load-kill", "cache-node-cut", "lock-held", "db-leader-kill", "db-leader-hang",
    "db-replica-kill", "etcd-kill", "db-switchover", "db-restore",
)  # fmt: skip
HA_DRILLS = (
    "db-leader-kill", "db-leader-hang", "db-replica-kill", "etcd-kill", "db-switchover",
    "db-restore",
)  # fmt: skip


@dataclass
class Outcome:
    started: float
    method: str
    path: str
    status: int | None  # None: no HTTP answer (connection refused or cut)
    json_503: bool = False  # a 503 the app sent (JSON, with Retry-After)
    location: str | None = None
    seconds: float = 0.0  # until the answer (or the error)


@dataclass
class DrillResult:
    name: str
    requests: int = 0
    fault_seconds: float = 0.0
    recovery_seconds: float | None = None  # fault end to the first 200
    bad_5xx: dict[str, int] = field(default_factory=dict)  # kind -> count
    json_503_in_window: int = 0
    no_answer: int = 0
    acknowledged: int = 0
    stale_reads: int = 0  # a post's own client did not see it in the next read of its product
    lost: int = 0
    duplicates: int = 0
    meta_differences: int = 0
    p95_before_ms: float | None = None  # reads before the fault
    p95_during_ms: float | None = None  # reads that began during it
    write_p95_before_ms: float | None = None  # writes (each attempt) before the fault
    write_p95_during_ms: float | None = None  # and during it
    notes: str = ""
    late: list[str] = field(default_factory=list)  # the first 5xx outside the fault window

    @property
    def passed(self) -> bool:
        return not (
            self.bad_5xx
            or self.lost
            or self.duplicates
            or self.meta_differences
            or self.stale_reads
        )


def django_setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "atelier.settings")
    os.environ["ATELIER_DB_NAME"] = DATABASE
    import django

    django.setup()


def manage(*args: str, database: str = DATABASE, check: bool = True) -> None:
    env = dict(os.environ, ATELIER_DB_NAME=database)
    command = [sys.executable, str(REPO / "manage.py"), *args]
    subprocess.run(command, env=env, cwd=REPO, check=check, stdout=subprocess.DEVNULL)


class Traffic:
    """CLIENTS clients through nginx until stopped: reads, posts and votes with keys."""

    def __init__(self, port: int, review_ids: list[int]):
        self.port, self.review_ids = port, review_ids
        self.outcomes: list[Outcome] = []
        self.acknowledged: list[tuple[str, int]] = []  # (marker, review id)
        self.stale_at: list[float] = []  # when each stale read began (time.monotonic())
        # When each acknowledged post was first sent and when its 201 came (time.monotonic()).
        self.post_times: dict[int, tuple[float, float]] = {}
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self._client, args=(n,)) for n in range(CLIENTS)]

    def __enter__(self) -> Traffic:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=WRITE_RETRY_SECONDS + 30)

    def _client(self, number: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        for n in range(number, MAX_REQUESTS_PER_CLIENT * CLIENTS, CLIENTS):
            if self.stop.is_set():
                break
            product = n % PRODUCTS + 1
            if n % 10 == 7:
                conn = self._write_once(conn, "POST", "/reviews", product)
            elif n % 10 == 8:
                review = self.review_ids[n % len(self.review_ids)]
                conn = self._write_once(conn, "PUT", f"/reviews/{review}/helpful", product)
            else:
                path = ("/reviews/meta?product_id={}", "/reviews?product_id={}&sort=newest")[n % 2]
                conn = self._send(conn, "GET", path.format(product))[0]
        conn.close()

    def _write_once(self, conn, method: str, path: str, product: int):
        """A write with a key, retried with the same key until it is acknowledged."""
        key = str(uuid.uuid4())
        body = None
        if method == "POST":
            body = {
                "product_id": product, "rating": 4, "recommend": True, "name": "drill",
                "email": "drill@example.com", "body": f"reliability {key}",
            }  # fmt: skip
        first_sent = time.monotonic()
        deadline = first_sent + WRITE_RETRY_SECONDS
        while time.monotonic() < deadline:
            conn, outcome = self._send(conn, method, path, body, key)
            if outcome.status in (201, 204):
                if outcome.location:
                    review_id = int(outcome.location.rsplit("/", 1)[1])
                    with self.lock:
                        self.acknowledged.append((key, review_id))
                        self.post_times[review_id] = (first_sent, time.monotonic())
                    conn = self._read_own_write(conn, product, review_id)
                return conn
            if outcome.status is not None and outcome.status < 500:
                return conn  # refused for good (a 4xx): nothing to retry
            time.sleep(0.2)
        return conn

    def _read_own_write(self, conn, product: int, review_id: int):
        """The product's newest reviews, right after the post was acknowledged: it must be
        among them (a stale read if not: an answer the cache kept, or a standby behind)."""
        path = f"/reviews?product_id={product}&sort=newest&count=50"
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            body = response.read()
        except (OSError, http.client.HTTPException):
            conn.close()
            return http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        if response.status == 200:
            shown = {review["review_id"] for review in json.loads(body)["results"]}
            if review_id not in shown:
                with self.lock:
                    self.stale_at.append(time.monotonic())
        return conn

    def _send(self, conn, method: str, path: str, body=None, key: str | None = None):
        headers = {"Idempotency-Key": key} if key else {}
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        started = time.monotonic()
        try:
            conn.request(method, path, body=payload, headers=headers)
            response = conn.getresponse()
            response.read()
            outcome = Outcome(
                started, method, path, response.status,
                json_503=response.status == 503
                and (response.getheader("Content-Type") or "").startswith("application/json")
                and response.getheader("Retry-After") is not None,
                location=response.getheader("Location"),
            )  # fmt: skip
        except (OSError, http.client.HTTPException):
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
            outcome = Outcome(started, method, path, None)
        outcome.seconds = time.monotonic() - started
        with self.lock:
            self.outcomes.append(outcome)
        return conn, outcome


class EmbeddedChecks:
    """What the database holds, asked of the drills' own (embedded) database through Django."""

    def rows(self, sql: str, params: list) -> list[tuple]:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def meta_differences(self) -> int:
        from django.db import connection

        from reviews.meta.rebuild import meta_differences

        connection.close()  # the database may have restarted under this process's connection
        differences = meta_differences()
        return len(differences.product_ids()) + len(differences.triggers_not_enabled)


class HAChecks:
    """The same, asked of the HA cluster's leader: psycopg, and ``manage.py verify_meta``."""

    def __init__(self, cluster):
        self.cluster = cluster

    def rows(self, sql: str, params: list) -> list[tuple]:
        import psycopg

        with psycopg.connect(self.cluster.database.url(DATABASE)) as conn:
            return conn.execute(sql, params).fetchall()

    def meta_differences(self) -> int:
        env = self.cluster.app_environment(self.cluster._settings())
        command = [sys.executable, str(REPO / "manage.py"), "verify_meta"]
        return subprocess.run(command, env=env, cwd=REPO, stdout=subprocess.DEVNULL).returncode


def judge(result: DrillResult, traffic: Traffic, window: tuple[float, float], checks) -> None:
    """Fill in what clients saw and what the database holds."""
    start, end = window
    result.requests = len(traffic.outcomes)
    for o in traffic.outcomes:
        if o.status is None:
            result.no_answer += 1
        elif o.status >= 500:
            inside = start - GRACE_SECONDS <= o.started <= end + GRACE_SECONDS
            if o.json_503 and inside:
                result.json_503_in_window += 1
            else:
                where = "" if inside else " outside the fault"
                kind = f"{o.status}{' JSON' if o.json_503 else ''}{where}"
                result.bad_5xx[kind] = result.bad_5xx.get(kind, 0) + 1
                if not inside and len(result.late) < 5:
                    offset = o.started - start
                    result.late.append(f"{o.method} {o.path}, {offset:+.2f} s from its start")
    reads = [o for o in traffic.outcomes if o.method == "GET"]
    result.p95_before_ms = p95_ms([o.seconds for o in reads if o.started < start])
    result.p95_during_ms = p95_ms([o.seconds for o in reads if start <= o.started <= end])
    writes = [o for o in traffic.outcomes if o.method != "GET"]
    result.write_p95_before_ms = p95_ms([o.seconds for o in writes if o.started < start])
    result.write_p95_during_ms = p95_ms([o.seconds for o in writes if start <= o.started <= end])
    after = [o.started for o in traffic.outcomes if o.status == 200 and o.started >= end]
    result.recovery_seconds = (min(after) - end) if after else None
    markers = [marker for marker, _ in traffic.acknowledged]
    ids = [review_id for _, review_id in traffic.acknowledged]
    result.acknowledged = len(ids)
    result.stale_reads = len(traffic.stale_at)
    result.meta_differences = checks.meta_differences()
    present = checks.rows("SELECT count(*) FROM reviews WHERE id = ANY(%s)", [ids])
    result.lost = len(ids) - present[0][0]
    doubled = checks.rows(
        "SELECT count(*) FROM (SELECT body FROM reviews WHERE body = ANY(%s)"
        " GROUP BY body HAVING count(*) > 1) AS doubled",
        [[f"reliability {marker}" for marker in markers]],
    )
    result.duplicates = doubled[0][0]


def p95_ms(seconds: list[float]) -> float | None:
    if not seconds:
        return None
    ordered = sorted(seconds)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))] * 1000


def drill(
    cluster, name: str, fault: Callable[[], str], review_ids: list[int], checks=None
) -> DrillResult:
    result = DrillResult(name)
    with Traffic(cluster.port, review_ids) as traffic:
        time.sleep(2)
        start = time.monotonic()
        result.notes = fault() or ""
        end = time.monotonic()
        time.sleep(3)
    result.fault_seconds = end - start
    judge(result, traffic, (start, end), checks or EmbeddedChecks())
    return result


def db_leader_kill(cluster) -> Callable[[], str]:
    """The leader's node SIGKILLed; the fault lasts until another node leads. The old node is
    started again afterwards (it rejoins as a standby), outside the window."""

    def fault() -> str:
        old = cluster.database.kill_leader()
        killed = time.monotonic()
        deadline = killed + 60
        while time.monotonic() < deadline:
            leader = cluster.database.leader()
            if leader is not None and leader.name != old and leader.state == "running":
                break
            time.sleep(0.1)
        took = time.monotonic() - killed
        threading.Thread(target=rejoin, args=(cluster, old), daemon=True).start()
        return f"{old} SIGKILLed; {leader.name if leader else 'nobody'} led after {took:.1f} s"

    return fault


def rejoin(cluster, name: str) -> None:
    time.sleep(2)
    cluster.database.start_node(int(name.removeprefix("db")))


def db_leader_hang(cluster, seconds: float) -> Callable[[], str]:
    """The leader's node frozen (SIGSTOP) for ``seconds``, then let go on (SIGCONT): a standby
    takes over once the key expires, and Patroni demotes the old leader when it wakes (it has no
    key any more); with synchronous replication nothing it took meanwhile was acknowledged."""

    def fault() -> str:
        old = cluster.database.leader()
        assert old is not None, "no leader"
        index = int(old.name.removeprefix("db"))
        cluster.database.pause_node(index)
        time.sleep(seconds)
        cluster.database.pause_node(index, paused=False)
        woke = time.monotonic()
        cluster.database.wait_settled()
        settled = time.monotonic() - woke
        roles = {m.name: m.role for m in cluster.members()}
        leader = next((name for name, role in roles.items() if role == "leader"), "nobody")
        return (
            f"{old.name} frozen {seconds:.0f} s; {leader} leads, {old.name} a"
            f" {roles.get(old.name, 'gone')} {settled:.1f} s after it woke"
        )

    return fault


def db_replica_kill(cluster) -> Callable[[], str]:
    """A standby's node SIGKILLed (the synchronous one: the leader names another), then started
    again: it catches up from the leader."""

    def fault() -> str:
        standby = next(m for m in cluster.members() if m.role == "sync_standby")
        index = int(standby.name.removeprefix("db"))
        cluster.database.kill_node(index)
        time.sleep(5)
        cluster.database.start_node(index)
        return f"{standby.name} (sync standby) SIGKILLed; started again after 5 s"

    return fault


def etcd_kill(cluster) -> Callable[[], str]:
    """One etcd member SIGKILLed (two of three keep the quorum), then started again."""

    def fault() -> str:
        cluster.database.kill_etcd(1)
        time.sleep(10)
        cluster.database.start_etcd(1)
        return "etcd1 SIGKILLed; started again after 10 s"

    return fault


def db_switchover(cluster) -> Callable[[], str]:
    def fault() -> str:
        before = cluster.database.leader()
        started = time.monotonic()
        after = cluster.database.switchover()
        took = time.monotonic() - started
        return f"switchover {before.name if before else '?'} -> {after} in {took:.1f} s"

    return fault


def db_restore(cluster, review_ids: list[int]) -> DrillResult:
    """A point-in-time restore under traffic: a full backup of the leader, posts before and
    after a noted moment, then a restore to that moment into a new data directory. The restored
    database must hold every review acknowledged before the moment and none first sent after it,
    with exact aggregates (db_restore runs verify_meta)."""
    result = DrillResult("db-restore")
    env = cluster.app_environment(cluster._settings())

    def manage_ha(*args: str) -> str:
        command = [sys.executable, str(REPO / "manage.py"), *args]
        done = subprocess.run(command, env=env, cwd=REPO, capture_output=True, text=True)
        if done.returncode:
            raise RuntimeError(f"manage.py {args[0]} failed: {done.stdout}{done.stderr}")
        return done.stdout

    manage_ha("db_backup", "--full")
    with Traffic(cluster.port, review_ids) as traffic:
        time.sleep(3)
        moment, moment_wall = time.monotonic(), datetime.now(UTC)
        time.sleep(3)
    checks = HAChecks(cluster)
    checks.rows("SELECT pg_switch_wal()", [])  # the last writes' segment archived now
    into = REPO / ".data" / f"reliability-restored-{moment_wall:%Y%m%dT%H%M%S}"
    out = manage_ha("db_restore", "--target-time", moment_wall.isoformat(), "--into", str(into))
    restored: set[int] = set()
    from atelier.pgembedded import server

    try:  # db_restore checked and stopped it: started again to read it
        options = f"-h '' -k {into}"
        server.pg_ctl(["-w", "-o", options, "start"], pgdata=into, user=server._system_user())
        info = server.status(into)
        assert info is not None
        with server.connect(info, DATABASE) as conn:
            ids = list(traffic.post_times)
            found = conn.execute("SELECT id FROM reviews WHERE id = ANY(%s)", [ids]).fetchall()
            restored = {review_id for (review_id,) in found}
    finally:
        server.stop(into)
        shutil.rmtree(into, ignore_errors=True)
    # A margin for the clocks of the client and the server: a post acknowledged just before the
    # moment committed before it; one first sent just after it committed after it.
    before = [i for i, (_, acked) in traffic.post_times.items() if acked < moment - 0.05]
    after = [i for i, (sent, _) in traffic.post_times.items() if sent > moment + 0.05]
    result.requests = len(traffic.outcomes)
    result.acknowledged = len(traffic.post_times)
    result.lost = len([i for i in before if i not in restored])
    result.duplicates = len([i for i in after if i in restored])  # rows that should not be there
    result.meta_differences = 0 if "no product differs" in out else 1
    result.notes = (
        f"restored to a moment between {len(before)} posts acknowledged before and {len(after)}"
        f" sent after: {len(before) - result.lost} and {result.duplicates} of them there"
    )
    return result


def ha_drills(names: list[str], quick: bool) -> list[DrillResult]:
    """The HA database's drills, on a cluster of their own (demo data on the leader)."""
    from deploy.cluster import Cluster
    from deploy.cluster_config import Settings
    from deploy.processes import free_port

    run_dir = REPO / ".data" / "reliability-ha"
    shutil.rmtree(run_dir, ignore_errors=True)  # a new HA database for every run of the drills
    cluster = Cluster(run_dir)
    cluster.port = free_port()
    backups = REPO / ".data" / "reliability-ha-backups"
    shutil.rmtree(backups, ignore_errors=True)
    settings = Settings(
        apps=2,
        port=cluster.port,
        workers=1,
        database=DATABASE,
        limits=False,
        db_nodes=3,
        backup_dir=str(backups),
    )
    cluster.start(settings)
    checks = HAChecks(cluster)
    env = cluster.app_environment(settings)
    products = str(PRODUCTS // 3 if quick else PRODUCTS)
    subprocess.run(
        [sys.executable, str(REPO / "manage.py"), "demo_data", "--products", products],
        env=env, cwd=REPO, check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    visible = checks.rows("SELECT id FROM reviews WHERE NOT reported ORDER BY id LIMIT 200", [])
    review_ids = [row[0] for row in visible]
    faults = {
        "db-leader-kill": db_leader_kill(cluster),
        # Longer than the leader key lives, even quick: the point is a leader that was replaced.
        "db-leader-hang": db_leader_hang(cluster, 25 if quick else 30),
        "db-replica-kill": db_replica_kill(cluster),
        "etcd-kill": etcd_kill(cluster),
        "db-switchover": db_switchover(cluster),
    }
    results = []
    try:
        for name in names:
            print(f"drill {name} ...", flush=True)
            cluster.database.wait_settled()
            if name == "db-restore":
                results.append(db_restore(cluster, review_ids))
            else:
                results.append(drill(cluster, name, faults[name], review_ids, checks))
            print(report(results[-1:]).splitlines()[-1], flush=True)
            for line in results[-1].late:
                print(f"  outside the fault: {line}", flush=True)
        cluster.database.wait_settled()
    finally:
        cluster.stop()
    return results


def postgres_kill() -> str:
    from atelier.pgembedded import server

    info = server.status()
    assert info is not None, "the database is not running"
    os.kill(info.pid, signal.SIGKILL)
    deadline = time.monotonic() + 30
    while server.status() is not None and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(1)
    server.ensure_running(database=DATABASE)
    return "postmaster SIGKILLed; restarted after 1 s"


def rolling_reload(cluster) -> str:
    cluster.reload()
    return "rolling reload of both app servers"


def rolling_deploy(cluster) -> str:
    cluster.deploy()
    return "migrate, collectstatic, rolling reload (deploy/cluster.py deploy)"


def postgres_restart() -> str:
    from atelier.pgembedded import server

    server.pg_ctl(
        ["-w", "restart", "-m", "fast"], pgdata=server.data_dir(), user=server._system_user()
    )
    return "pg_ctl restart -m fast"


def postgres_stop(seconds: float) -> Callable[[], str]:
    def fault() -> str:
        from atelier.pgembedded import server

        server.stop()
        time.sleep(seconds)
        server.ensure_running(database=DATABASE)
        return f"stopped for {seconds:.0f} s"

    return fault


@contextlib.contextmanager
def purges_cut(port: int):
    """Inside the block, nothing reaches 127.0.0.1:``port`` over TCP (nftables drops it, as a
    network that lost the node would): the cache node that takes purges there is cut off from
    them, while nginx still reaches it over its Unix socket."""
    table = "atelier_drill"
    rules = (
        f"table inet {table} {{\n chain out {{\n  type filter hook output priority 0;\n"
        f"  ip daddr 127.0.0.1 tcp dport {port} drop\n }}\n}}\n"
    )
    subprocess.run(["nft", "-f", "-"], input=rules, text=True, check=True)
    try:
        yield
    finally:
        subprocess.run(["nft", "delete", "table", "inet", table], check=True)


CUT_PRODUCT = PRODUCTS + 1  # a product of the drill's own writer alone


def cache_node_cut(cluster, seconds: float) -> DrillResult:
    """Cache node 3 cut off from purges for ``seconds`` while a writer posts to one product every
    0.3 s through nginx, and a probe reads that product's meta from each node directly every
    0.1 s. A read is stale when it counts fewer reviews than were acknowledged before it began;
    node 3's staleness must end within a few seconds of the cut's end (not the objects' 10-minute
    lifetime), and the other nodes must never be stale."""
    from deploy.processes import UnixHTTPConnection
    from reviews.models import Review, ReviewStatus

    path = f"/reviews/meta?product_id={CUT_PRODUCT}"
    # What the meta counts before the drill's first post (earlier runs posted there too).
    baseline = Review.objects.filter(
        product_id=CUT_PRODUCT, status=ReviewStatus.PUBLISHED, reported=False
    ).count()
    acked: list[float] = []
    reads: list[tuple[int, float, int]] = []  # (node, started, reviews counted)
    stop = threading.Event()

    def writer() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", cluster.port, timeout=10)
        for n in range(100_000):
            if stop.wait(0.3):
                break
            body = json.dumps({
                "product_id": CUT_PRODUCT, "rating": 5, "recommend": True, "name": "cut",
                "email": "cut@example.com", "body": f"cache node cut, post {n}",
            }).encode()  # fmt: skip
            conn.request(
                "POST", "/reviews", body=body, headers={"Content-Type": "application/json"}
            )
            response = conn.getresponse()
            response.read()
            if response.status == 201:
                acked.append(time.monotonic())

    def probe() -> None:
        for _ in range(100_000):
            if stop.wait(0.1):
                break
            for node in (1, 2, 3):
                conn = UnixHTTPConnection(cluster.cache_socket(node), timeout=10)
                started = time.monotonic()
                try:
                    conn.request("GET", path, headers={"Host": "localhost"})
                    meta = json.loads(conn.getresponse().read())
                finally:
                    conn.close()
                reads.append((node, started, sum(int(c) for c in meta["ratings"].values())))

    threads = [threading.Thread(target=writer), threading.Thread(target=probe)]
    result = DrillResult("cache-node-cut")
    port = cluster._settings().cache_ports[2]
    with Traffic(cluster.port, review_ids=[1]) as traffic:
        for thread in threads:
            thread.start()
        time.sleep(3)
        start = time.monotonic()
        with purges_cut(port):
            time.sleep(seconds)
        end = time.monotonic()
        time.sleep(10)
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
    result.fault_seconds = end - start
    judge(result, traffic, (start, end), EmbeddedChecks())
    # Reads through nginx reach the cut node too: stale while it is cut is what this drill shows;
    # after the bound, a stale read is a failure.
    in_cut = sum(start <= at <= end + 5 for at in traffic.stale_at)
    result.stale_reads -= in_cut
    acked.sort()
    stale: dict[int, list[tuple[float, float]]] = {1: [], 2: [], 3: []}  # (started, behind by s)
    for node, started, counted in reads:
        expected = baseline + bisect.bisect_left(acked, started)
        if counted < expected:
            stale[node].append((started, started - acked[counted - baseline]))
    worst = {node: max((behind for _, behind in s), default=0.0) for node, s in stale.items()}
    after = max((started - end for started, _ in stale[3]), default=0.0)
    result.notes = (
        f"{len(acked)} posts, {len(reads):,} probe reads; clients' read-backs stale during the"
        f" cut and 5 s after: {in_cut}; probe's stale reads by node "
        f"{', '.join(f'{n}: {len(s)}' for n, s in stale.items())}; node 3 at most "
        f"{worst[3]:.1f} s behind, its last stale read {after:+.1f} s from the cut's end"
    )
    if stale[1] or stale[2] or after > 5:
        result.bad_5xx["stale reads"] = len(stale[1]) + len(stale[2]) + (after > 5)
    return result


def lock_held(seconds: float) -> Callable[[], str]:
    """The reviews table locked (ACCESS EXCLUSIVE, as an ALTER TABLE takes it) for ``seconds``,
    longer than nginx waits for an answer (30 s)."""

    def fault() -> str:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("BEGIN")
            cursor.execute("LOCK TABLE reviews IN ACCESS EXCLUSIVE MODE")
            time.sleep(seconds)
            cursor.execute("ROLLBACK")
        return f"reviews locked (ACCESS EXCLUSIVE) for {seconds:.0f} s"

    return fault


def app_kill(cluster) -> Callable[[], str]:
    def fault() -> str:
        cluster.kill_app(1)
        time.sleep(2)
        cluster.start_app(1)
        return "app1 SIGKILLed; started again after 2 s"

    return fault


def idempotency_race(port: int) -> DrillResult:
    """50 identical posts with one key, all at once: one review, one Location for all."""
    result = DrillResult("idempotency-race")
    key = str(uuid.uuid4())
    body = json.dumps({
        "product_id": 1, "rating": 5, "recommend": True, "name": "race",
        "email": "race@example.com", "body": f"reliability {key}",
    }).encode()  # fmt: skip
    answers: list[tuple[int, str | None]] = []

    def post() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        headers = {"Content-Type": "application/json", "Idempotency-Key": key}
        conn.request("POST", "/reviews", body=body, headers=headers)
        response = conn.getresponse()
        response.read()
        answers.append((response.status, response.getheader("Location")))
        conn.close()

    threads = [threading.Thread(target=post) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    from django.db import connection

    connection.close()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM reviews WHERE body = %s", [f"reliability {key}"])
        rows = cursor.fetchone()[0]
    result.requests = len(answers)
    result.acknowledged = sum(status == 201 for status, _ in answers)
    result.duplicates = max(rows - 1, 0)
    result.lost = 1 if rows == 0 else 0
    statuses = sorted({status for status, _ in answers})
    result.notes = f"answers {statuses}, {len({loc for _, loc in answers})} Location(s)"
    if statuses != [201] or len({loc for _, loc in answers}) != 1:
        result.bad_5xx["not all the same 201"] = len(answers)
    return result


def load_kill() -> DrillResult:
    """load_csv killed mid-file into a database of its own, run again: the same rows as a
    clean load, no duplicate, aggregates exact."""
    result = DrillResult("load-kill")
    database = f"{DATABASE}_load"
    env = dict(os.environ, ATELIER_DB_NAME=database)
    with tempfile.TemporaryDirectory(prefix="atelier-drill-") as directory:
        manage("generate_csv", "--out", directory, "--products", "3000", "--workers", "1")
        manage("migrate", "--noinput", database=database)
        command = [sys.executable, str(REPO / "manage.py"), "load_csv", directory,
                   "--rejects", str(Path(directory) / "rejects.csv")]  # fmt: skip
        first = subprocess.Popen(command, env=env, cwd=REPO, stdout=subprocess.DEVNULL)
        time.sleep(1.5)
        first.kill()
        first.wait()
        subprocess.run(command, env=env, cwd=REPO, check=True, stdout=subprocess.DEVNULL)
        expected = {
            name: csv_rows(Path(directory) / f"{name}.csv")
            for name in ("characteristics", "reviews_photos", "characteristic_reviews")
        }
    from atelier.pgembedded import server

    info = server.status()
    assert info is not None, "the database is not running"
    with server.connect(info, database) as conn:
        counts = {}
        for name in expected:
            row = conn.execute(f"SELECT count(*) FROM {name}").fetchone()
            assert row is not None  # count(*) is one row
            counts[name] = row[0]
    verify = subprocess.run(
        [sys.executable, str(REPO / "manage.py"), "verify_meta"],
        env=env, cwd=REPO, capture_output=True, text=True,
    )  # fmt: skip
    result.duplicates = sum(max(counts[n] - expected[n], 0) for n in expected)
    result.lost = sum(max(expected[n] - counts[n], 0) for n in expected)
    result.meta_differences = 0 if verify.returncode == 0 else 1
    result.notes = f"killed after 1.5 s, run again: {counts}"
    return result


def csv_rows(path: Path) -> int:
    """Rows of a generated file without multi-line fields: its lines but the header."""
    with path.open("rb") as stream:
        return sum(1 for _ in stream) - 1


def report(results: list[DrillResult]) -> str:
    lines = [
        "| drill | requests | fault s | recovery s | JSON 503 in window | other 5xx | no answer"
        " | acknowledged writes | stale reads | lost | duplicates | meta differences"
        " | read p95 before / during ms | write p95 before / during ms | notes |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        recovery = f"{r.recovery_seconds:.2f}" if r.recovery_seconds is not None else "-"
        other = ", ".join(f"{k}: {v}" for k, v in r.bad_5xx.items()) or "0"
        p95 = "-"
        if r.p95_before_ms is not None and r.p95_during_ms is not None:
            p95 = f"{r.p95_before_ms:.0f} / {r.p95_during_ms:.0f}"
        write_p95 = "-"
        if r.write_p95_before_ms is not None and r.write_p95_during_ms is not None:
            write_p95 = f"{r.write_p95_before_ms:.0f} / {r.write_p95_during_ms:.0f}"
        lines.append(
            f"| {r.name} | {r.requests:,} | {r.fault_seconds:.1f} | {recovery} | "
            f"{r.json_503_in_window} | {other} | {r.no_answer} | {r.acknowledged} | "
            f"{r.stale_reads} | {r.lost} | "
            f"{r.duplicates} | {r.meta_differences} | {p95} | {write_p95} | {r.notes} |"
        )
    return "\n".join(lines) + "\n"


def embedded_drills(drills: list[str], quick: bool) -> list[DrillResult]:
    """The drills on the embedded server, on a cluster of their own (demo data)."""
    from deploy.cluster import Cluster
    from deploy.cluster_config import Settings
    from deploy.cluster_database import database_start
    from deploy.processes import free_port

    started_database = database_start(DATABASE)
    manage("migrate", "--noinput")
    manage("demo_data", "--products", str(PRODUCTS))
    from reviews.models import Review

    review_ids = list(Review.objects.filter(reported=False).values_list("id", flat=True)[:200])
    cluster = Cluster(REPO / ".data" / "reliability-cluster")
    cluster.port = free_port()
    cluster.start(
        Settings(
            apps=2, port=cluster.port, workers=1, database=DATABASE, limits=False, cache_nodes=3
        ),
        prepare=False,
    )
    faults = {
        "pg-kill": postgres_kill,
        "pg-restart": postgres_restart,
        "pg-stop": postgres_stop(5 if quick else 30),
        "app-kill": app_kill(cluster),
        "lock-held": lock_held(8 if quick else 35),
        "reload": lambda: rolling_reload(cluster),
        "deploy": lambda: rolling_deploy(cluster),
    }
    results: list[DrillResult] = []
    try:
        for name in drills:
            print(f"drill {name} ...", flush=True)
            if name == "idempotency-race":
                results.append(idempotency_race(cluster.port))
            elif name == "load-kill":
                results.append(load_kill())
            elif name == "cache-node-cut":
                results.append(cache_node_cut(cluster, 10 if quick else 60))
            else:
                results.append(drill(cluster, name, faults[name], review_ids))
            print(report(results[-1:]).splitlines()[-1], flush=True)
            for line in results[-1].late:
                print(f"  outside the fault: {line}", flush=True)
    finally:
        cluster.stop()
        if started_database:
            from atelier.pgembedded import server

            server.stop()
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--drills", default=",".join(DRILLS), type=lambda s: s.split(","))
    parser.add_argument("--quick", action="store_true", help="the short stop (5 s, not 30 s)")
    args = parser.parse_args(argv)
    unknown = set(args.drills) - set(DRILLS)
    if unknown:
        parser.error(f"unknown drills: {', '.join(sorted(unknown))}")
    django_setup()
    from django.conf import settings

    embedded = settings.DATABASES["default"]["ENGINE"] == "atelier.pgembedded"
    ha = [d for d in args.drills if d in HA_DRILLS]
    drills = [
        d for d in args.drills if d not in ha and (embedded or not d.startswith(("pg-", "load-")))
    ]
    results: list[DrillResult] = []
    if drills:
        results += embedded_drills(drills, args.quick)
    if ha:
        results += ha_drills(ha, args.quick)
    text = report(results)
    out = REPO / "out" / "reliability"
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.md").write_text(text)
    print(text)
    failed = [r.name for r in results if not r.passed]
    print("FAILED: " + ", ".join(failed) if failed else "every drill passed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
