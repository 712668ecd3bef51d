"""The local cluster: the database, N gunicorn app servers, the HTTP cache (Varnish) and nginx on
loopback, as one unit: nginx -> cache -> app servers, with nginx falling back to the app servers
while the cache is down.

    python deploy/cluster.py start [--apps N] [--port 8080] [--workers W] [--no-cache]
                                   [--cache-nodes N] [--db-nodes N]
    python deploy/cluster.py status
    python deploy/cluster.py stop
    python deploy/cluster.py reload          # rolling graceful reload of the app servers (SIGHUP)
    python deploy/cluster.py deploy          # migrate, collect static files, then reload
    python deploy/cluster.py kill-app I      # SIGKILL app server I (a crash, for fault drills)
    python deploy/cluster.py start-app I     # start it again and wait until it is healthy
    python deploy/cluster.py kill-cache [I]  # SIGKILL cache node I (it comes back empty)
    python deploy/cluster.py start-cache [I]

With ``--cache-nodes N`` nginx spreads the reads over N cache nodes. Every write's purges go to
each node right after it commits, and again from the purge outbox (``purger``: ``manage.py
purge_drain``), which also serves every node's counters at its /metrics.

With ``--db-nodes 3``, the database is three PostgreSQL nodes under Patroni and etcd
(deploy/cluster_ha.py) instead of the embedded server, and ``status`` shows each node's role and
lag. Then:

    python deploy/cluster.py kill-db-leader  # SIGKILL the leader's node: a standby takes over
    python deploy/cluster.py start-db-node I # start node I again: it rejoins as a standby
    python deploy/cluster.py switchover      # a planned change of leader
    python deploy/cluster.py db-url          # its DATABASE_URL, for manage.py (demo_data, ...)

Everything it starts is recorded in its run folder (default ``.data/cluster``): the state file, one
pid file per process, the rendered nginx.conf, the app servers' Unix sockets and the logs. Each
process runs in its own process group, and ``stop`` stops exactly those groups, plus the embedded
database when ``start`` was what started it.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

if (
    not __package__
):  # run as a script (python deploy/cluster.py): the repository on the path, not deploy/
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

from deploy.cluster_config import (
    BALANCING,
    GUNICORN_CONF,
    REPO,
    Settings,
    nginx_conf,
    varnish_backends,
    varnishd_arguments,
)
from deploy.cluster_database import app_environment, database_start, database_stop
from deploy.cluster_ha import CONNECT_WAIT_SECONDS, HADatabase, HADatabaseError
from deploy.processes import (
    Supervisor,
    UnixHTTPConnection,
    child_pids,
    free_port,
    http_status,
    port_free,
    varnishd,
)

DEFAULT_RUN_DIR = REPO / ".data" / "cluster"


def program_of(name: str) -> str:
    """What a cluster process's command line holds: nginx, varnishd (cache, cache<i>), the purge
    drainer (purger), patroni (db<i>), etcd (etcd<i>) or gunicorn (app<i>)."""
    for prefix, program in (("db", "patroni"), ("etcd", "etcd"), ("cache", "varnishd")):
        if name.startswith(prefix) and name.removeprefix(prefix).isdigit():
            return program
    programs = {
        "nginx": "nginx",
        "cache": "varnishd",
        "purger": "purge_drain",
        "scheduler": "periodic",
    }
    return programs.get(name, "gunicorn")


def cache_name(index: int) -> str:
    """Cache node ``index``'s process name: ``cache`` for the first, ``cache<i>`` for others."""
    return "cache" if index == 1 else f"cache{index}"


STOP_GRACE_SECONDS = 15


class ClusterError(RuntimeError):
    pass


class Cluster:
    port: int  # nginx's port, set by the code that starts the cluster (tests, drills)

    def __init__(self, run_dir: Path = DEFAULT_RUN_DIR):
        self.run_dir = Path(run_dir).resolve()  # nginx resolves -c against -p: both absolute
        self.state_file = self.run_dir / "cluster.json"
        self.processes = Supervisor(self.run_dir, program_of, cwd=REPO)
        self.database = HADatabase(self.run_dir, self.processes)

    # -- state ------------------------------------------------------------------------------
    def state(self) -> dict | None:
        try:
            return json.loads(self.state_file.read_text())
        except (OSError, ValueError):
            return None

    def _save(self, state: dict) -> None:
        self.state_file.write_text(json.dumps(state, indent=2))

    def socket_path(self, index: int) -> Path:
        return self.run_dir / f"app{index}.sock"

    def app_sockets(self, settings: Settings) -> list[Path]:
        return [self.socket_path(i) for i in range(1, settings.apps + 1)]

    def running(self) -> bool:
        state = self.state()
        if state is None:
            return False
        return any(self.processes.alive(name) for name in self._names(state))

    def _names(self, state: dict) -> list[str]:
        """Every process of the cluster, in the order they are stopped (the HA database's last)."""
        settings = state["settings"]
        caches = settings.get("cache_nodes", 1) if settings.get("cache") else 0
        cache = [cache_name(i) for i in range(1, caches + 1)] + (["purger"] if caches else [])
        apps = [f"app{i}" for i in range(1, state["apps"] + 1)]
        return ["nginx", *cache, *apps, "scheduler", *self.database.names()]

    # -- start ------------------------------------------------------------------------------
    def start(self, settings: Settings, *, prepare: bool = True, timeout: float = 60) -> None:
        """Start the database, the app servers and nginx; return once all answer /health."""
        if self.running():
            raise ClusterError(f"a cluster is already running from {self.run_dir}: stop it first")
        if not port_free(settings.port):
            raise ClusterError(f"port {settings.port} on 127.0.0.1 is in use")
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        if not Path(nginx).exists():
            raise ClusterError("nginx is not installed: run `make system-packages`")
        if settings.cache:
            if varnishd() is None:
                raise ClusterError("varnishd is not installed: run `make system-packages`")
            if settings.cache_nodes < 1:
                raise ClusterError("a cluster with the cache has at least one cache node")
            ports = settings.cache_ports[: settings.cache_nodes]
            settings.cache_ports = ports + [
                free_port() for _ in range(settings.cache_nodes - len(ports))
            ]
            settings.purger_metrics_port = settings.purger_metrics_port or free_port()
        for folder in ("logs", "nginx-tmp"):
            (self.run_dir / folder).mkdir(parents=True, exist_ok=True)
        # Sockets and links left by a cluster that died with its machine: nothing listens on them.
        for leftover in [*self.run_dir.glob("*.sock"), *self.run_dir.glob(".app*.link")]:
            leftover.unlink()
        ha = settings.db_nodes > 1
        state = {
            "settings": settings.__dict__,
            "apps": settings.apps,
            "port": settings.port,
            "started_database": not ha and database_start(settings.database),
        }
        self._save(state)
        try:
            if ha:
                self.database.start(
                    settings.db_nodes, settings.database or "atelier", settings.backup_dir
                )
            if prepare:
                self._manage(settings, "migrate", "--noinput", "--verbosity", "0")
                self._manage(settings, "collectstatic", "--noinput", "--verbosity", "0")
            if settings.cache:
                for index in range(1, settings.cache_nodes + 1):
                    self._spawn_cache(settings, index)
                self._spawn_purger(settings)
            for index in range(1, settings.apps + 1):
                self._spawn_app(index, settings)
            self._spawn_scheduler(settings)
            self._spawn_nginx(nginx, settings)
            self._wait_healthy(settings, timeout)
        except BaseException:
            self.stop()
            raise

    def start_app(self, index: int, timeout: float = 60) -> None:
        """Start app server ``index`` again (after kill-app); it gets traffic once healthy.

        gunicorn listens before its workers have loaded the app, and a request sent meanwhile
        waits. So the new server listens on a socket of its own, and the path nginx and the cache
        connect to becomes a link to it only once it answers /health; until then that path
        refuses connections, which both send to the other app servers, writes included.
        """
        settings = self._settings()
        if self.processes.alive(self._app_name(index)):
            raise ClusterError(f"app{index} is running")
        path = self.socket_path(index)
        starting = path.with_name(f"app{index}.starting.sock")
        path.unlink(missing_ok=True)  # the dead server's socket
        with self.drained(index):
            self._spawn_app(index, settings, bind=starting)
            deadline = time.monotonic() + timeout
            while not self._app_healthy(index, starting):
                self._check_deadline(deadline, f"app{index}")
                time.sleep(0.1)
        link = path.with_name(f".app{index}.link")
        link.unlink(missing_ok=True)
        link.symlink_to(starting.name)
        os.replace(link, path)

    def start_cache(self, index: int = 1, timeout: float = 60) -> None:
        """Start cache node ``index`` again (after kill-cache), empty, and wait until it answers."""
        settings = self._settings()
        name = self._cache_name(index)
        if self.processes.alive(name):
            raise ClusterError(f"{name} is running")
        self._spawn_cache(settings, index)
        deadline = time.monotonic() + timeout
        while not self.cache_healthy(settings, index):
            self._check_deadline(deadline, name)
            time.sleep(0.1)

    def _cache_name(self, index: int) -> str:
        settings = self._settings()
        if not settings.cache:
            raise ClusterError("this cluster runs without the cache")
        if not 1 <= index <= settings.cache_nodes:
            raise ClusterError(
                f"no cache node {index}: this cluster has cache nodes 1 to {settings.cache_nodes}"
            )
        return cache_name(index)

    def _app_name(self, index: int) -> str:
        apps = self._settings().apps
        if not 1 <= index <= apps:
            raise ClusterError(f"no app server {index}: this cluster has app servers 1 to {apps}")
        return f"app{index}"

    def _settings(self) -> Settings:
        state = self.state()
        if state is None:
            raise ClusterError(f"no cluster in {self.run_dir}")
        return Settings(**state["settings"])

    def _manage(self, settings: Settings, *args: str) -> None:
        command = [sys.executable, str(REPO / "manage.py"), *args]
        if subprocess.run(command, env=self.app_environment(settings), cwd=REPO).returncode:
            raise ClusterError(f"manage.py {args[0]} failed (its output is above)")

    def app_environment(self, settings: Settings) -> dict[str, str]:
        """The app servers' environment, pointed at the HA database when there is one."""
        if settings.db_nodes > 1:
            database = settings.database or "atelier"
            env = app_environment(settings, self.database.url(database))
            env.setdefault("DATABASE_CONNECT_WAIT_SECONDS", str(CONNECT_WAIT_SECONDS))
            # Reads through the cache on a standby, past the cache's fence (atelier.db).
            replicas = self.database.url(database, attributes="prefer-standby")
            env.setdefault("DATABASE_REPLICA_URL", replicas)
            if settings.backup_dir:
                env["ATELIER_BACKUP_DIR"] = settings.backup_dir  # manage.py db_backup, db_restore
            return env
        return app_environment(settings)

    def _spawn_app(self, index: int, settings: Settings, bind: Path | None = None) -> None:
        env = self.app_environment(settings)
        if settings.cache:
            env["ATELIER_CACHE_NODES"] = ",".join(self.cache_nodes())
        env["GUNICORN_BIND"] = f"unix:{bind or self.socket_path(index)}"
        argv = [sys.executable, "-m", "gunicorn", "--config", str(GUNICORN_CONF)]
        self.processes.spawn(f"app{index}", argv, env)

    def rebalance(self, balance: str) -> None:
        """Change how nginx spreads requests over the app servers, without a pause: the new
        configuration, then a graceful reload of nginx (its old workers finish their requests)."""
        state = self.state()
        if state is None:
            raise ClusterError(f"no cluster in {self.run_dir}")
        state["settings"]["balance"] = balance
        settings = Settings(**state["settings"])
        self._write_nginx_conf(settings)
        self._save(state)
        master = self.processes.pid("nginx")
        if master is None or not self.processes.alive("nginx"):
            raise ClusterError("nginx is not running")
        os.kill(master, signal.SIGHUP)  # the master alone: it starts new workers
        time.sleep(1)  # new workers take over within milliseconds; the old ones finish theirs
        if not self.nginx_healthy(settings.port):
            raise ClusterError("nginx does not answer after the reload")

    def _write_nginx_conf(self, settings: Settings) -> Path:
        conf = self.run_dir / "nginx.conf"
        conf.write_text(
            nginx_conf(
                settings,
                run_dir=self.run_dir,
                app_sockets=self.app_sockets(settings),
                cache_sockets=[self.cache_socket(i) for i in range(1, settings.cache_nodes + 1)],
            )
        )
        return conf

    def _spawn_nginx(self, nginx: str, settings: Settings) -> None:
        conf = self._write_nginx_conf(settings)
        error_log = self.run_dir / "logs" / "nginx-error.log"
        self.processes.spawn(
            "nginx", [nginx, "-p", str(self.run_dir), "-c", str(conf), "-e", str(error_log)]
        )

    def _spawn_cache(self, settings: Settings, index: int) -> None:
        """Cache node ``index``: varnishd in the foreground, as this user, its working folder in
        the run folder: a new one starts with an empty cache."""
        work = self.cache_work(index)
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        backends = varnish_backends(settings, app_sockets=self.app_sockets(settings))
        (work / "backends.vcl").write_text(backends)
        arguments = varnishd_arguments(
            settings=settings,
            work=work,
            socket=self.cache_socket(index),
            port=settings.cache_ports[index - 1],
        )
        self.processes.spawn(cache_name(index), [str(varnishd()), *arguments])

    def _spawn_purger(self, settings: Settings) -> None:
        """The purge outbox's drainer: registers the cache nodes, delivers what each is owed, and
        reports the outbox's backlog and every node's counters at its /metrics."""
        nodes = range(1, settings.cache_nodes + 1)
        argv = [
            sys.executable, str(REPO / "manage.py"), "purge_drain",
            "--nodes", *self.cache_nodes(),
            "--varnish", *[str(self.cache_work(i)) for i in nodes],
            "--metrics-port", str(settings.purger_metrics_port),
        ]  # fmt: skip
        self.processes.spawn("purger", argv, self.app_environment(settings))

    def _spawn_scheduler(self, settings: Settings) -> None:
        """The periodic commands (``manage.py periodic``): expiries, and backups with a backup
        folder."""
        argv = [sys.executable, str(REPO / "manage.py"), "periodic"]
        self.processes.spawn("scheduler", argv, self.app_environment(settings))

    def has_reviews(self) -> bool:
        """Whether the cluster's database holds any review (a new one holds none)."""
        code = (
            "import django; django.setup(); from reviews.models import Review;"
            " print(int(Review.objects.exists()))"
        )
        env = {
            **self.app_environment(self._settings()),
            "DJANGO_SETTINGS_MODULE": "atelier.settings",
        }
        result = subprocess.run(
            [sys.executable, "-c", code], env=env, cwd=REPO, capture_output=True, text=True
        )
        return result.stdout.strip() == "1"

    def cache_node(self, index: int = 1) -> str | None:
        """The URL the app servers purge cache node ``index`` at (None: no cache)."""
        settings = self._settings()
        return f"http://127.0.0.1:{settings.cache_ports[index - 1]}" if settings.cache else None

    def cache_nodes(self) -> list[str]:
        """Every cache node's purge URL."""
        settings = self._settings()
        return (
            [f"http://127.0.0.1:{port}" for port in settings.cache_ports] if settings.cache else []
        )

    def purger_metrics_port(self) -> int | None:
        """Where the purge drainer serves /metrics (None: no cache)."""
        settings = self._settings()
        return settings.purger_metrics_port if settings.cache else None

    def cache_socket(self, index: int = 1) -> Path:
        return self.run_dir / f"{cache_name(index)}.sock"

    def cache_work(self, index: int = 1) -> Path:
        """Cache node ``index``'s working folder (``varnishadm -n``, ``varnishstat -n``)."""
        return self.run_dir / ("varnish" if index == 1 else f"varnish{index}")

    # -- health -----------------------------------------------------------------------------
    def _app_healthy(self, index: int, path: Path | None = None) -> bool:
        status = http_status(UnixHTTPConnection(path or self.socket_path(index), timeout=2))
        return status == 200 and self.processes.alive(f"app{index}")

    def nginx_healthy(self, port: int) -> bool:
        status = http_status(http.client.HTTPConnection("127.0.0.1", port, timeout=2))
        return status == 200 and self.processes.alive("nginx")

    def cache_healthy(self, settings: Settings, index: int = 1) -> bool:
        port = settings.cache_ports[index - 1]
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        return http_status(connection) == 200 and self.processes.alive(cache_name(index))

    def purger_healthy(self, settings: Settings) -> bool:
        """The purge drainer runs and serves its /metrics."""
        port = settings.purger_metrics_port
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        return http_status(connection, "/metrics") == 200 and self.processes.alive("purger")

    def _wait_healthy(self, settings: Settings, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        for index in range(1, settings.apps + 1):
            while not self._app_healthy(index):
                self._check_deadline(deadline, f"app{index}")
                time.sleep(0.1)
        for index in range(1, settings.cache_nodes + 1 if settings.cache else 1):
            while not self.cache_healthy(settings, index):
                self._check_deadline(deadline, cache_name(index))
                time.sleep(0.1)
        while settings.cache and not self.purger_healthy(settings):
            self._check_deadline(deadline, "purger")
            time.sleep(0.1)
        while not self.nginx_healthy(settings.port):
            self._check_deadline(deadline, "nginx")
            time.sleep(0.1)

    def _check_deadline(self, deadline: float, name: str) -> None:
        if self.processes.exited(name):
            raise ClusterError(f"{name} exited; see {self.run_dir / 'logs' / (name + '.log')}")
        if time.monotonic() > deadline:
            raise ClusterError(f"{name} not healthy in time; see {self.run_dir / 'logs'}")

    def status(self) -> list[tuple[str, int | None, str]]:
        """(name, pid, health) for each process of the cluster."""
        state = self.state()
        if state is None:
            return []
        rows = []
        for index in range(1, state["apps"] + 1):
            name = f"app{index}"
            health = "healthy" if self._app_healthy(index) else "unhealthy"
            rows.append(
                (
                    name,
                    self.processes.pid(name),
                    health if self.processes.alive(name) else "stopped",
                )
            )
        settings = Settings(**state["settings"])
        for index in range(1, settings.cache_nodes + 1 if settings.cache else 1):
            name = cache_name(index)
            health = "healthy" if self.cache_healthy(settings, index) else "unhealthy"
            rows.append(
                (
                    name,
                    self.processes.pid(name),
                    health if self.processes.alive(name) else "stopped",
                )
            )
        if settings.cache:
            health = "healthy" if self.purger_healthy(settings) else "unhealthy"
            alive = self.processes.alive("purger")
            rows.append(("purger", self.processes.pid("purger"), health if alive else "stopped"))
        alive = self.processes.alive("scheduler")
        rows.append(
            ("scheduler", self.processes.pid("scheduler"), "healthy" if alive else "stopped")
        )
        health = "healthy" if self.nginx_healthy(state["port"]) else "unhealthy"
        rows.append(
            (
                "nginx",
                self.processes.pid("nginx"),
                health if self.processes.alive("nginx") else "stopped",
            )
        )
        members = {member.name: member for member in self.members()}
        for name in self.database.names():
            if name.startswith("db"):
                member = members.get(name)
                running = member is not None and member.state in ("running", "streaming")
                health = "healthy" if running else (member.state if member else "unhealthy")
            else:
                health = "healthy"  # an etcd member: Patroni's answers above stand for them
            pid = self.processes.pid(name)
            rows.append((name, pid, health if self.processes.alive(name) else "stopped"))
        return rows

    def members(self):
        """The HA database's nodes with their role, state and lag ([] without one)."""
        return self.database.members() if self.database.names() else []

    def reload(self, timeout: float = 90) -> None:
        """A rolling graceful reload: each app server in turn gets SIGHUP (gunicorn starts new
        workers with fresh code and config, and lets the old ones finish their requests); the
        next one only once the previous one runs new workers only and answers /health. While
        one reloads, the cache sends its reads to the others (`drained`)."""
        state = self.state()
        if state is None:
            raise ClusterError(f"no cluster in {self.run_dir}")
        for index in range(1, state["apps"] + 1):
            name, master = f"app{index}", self.processes.pid(f"app{index}")
            if master is None or not self.processes.alive(name):
                raise ClusterError(f"{name} is not running")
            with self.drained(index) as reachable:
                old_workers = child_pids(master)
                os.kill(master, signal.SIGHUP)
                deadline = time.monotonic() + timeout
                while True:
                    workers = child_pids(master)
                    healthy = self._app_healthy(index, reachable)
                    if workers and not workers & old_workers and healthy:
                        break
                    self._check_deadline(deadline, name)
                    time.sleep(0.1)

    def deploy(self) -> None:
        """A rolling deploy of the code in the working tree: the migrations first (they only add
        while old code still runs: docs/operations.md), the static files, then a rolling reload;
        no request fails."""
        settings = self._settings()
        self._manage(settings, "migrate", "--noinput", "--verbosity", "0")
        self._manage(settings, "collectstatic", "--noinput", "--verbosity", "0")
        self.reload()

    @contextlib.contextmanager
    def drained(self, index: int):
        """Inside the block app server ``index`` gets no new connection: the cache marks its
        backend sick, and its socket's path is moved aside, so nginx's connects fail at once and
        go to the other app servers (writes included: nothing was sent). Connections nginx
        already keeps open to it still carry requests until its old workers close them. Yields
        the path the server can be reached at meanwhile. With a single app server there is no
        other to send anything to."""
        settings = self._settings()
        every = range(1, settings.cache_nodes + 1 if settings.cache else 1)
        nodes = [node for node in every if self.processes.alive(cache_name(node))]
        path = self.socket_path(index)
        if settings.apps < 2:
            yield path
            return
        for node in nodes:
            self._cache_backend_health(node, index, "sick")
        aside = path.with_name(f".app{index}.draining.sock")
        moved = os.path.lexists(path)  # not when the server is dead (start_app)
        if moved:
            os.replace(path, aside)
        try:
            yield aside if moved else path
        finally:
            if moved:
                os.replace(aside, path)
            for node in nodes:
                self._cache_backend_health(node, index, "auto")
            # The cache's probe saw the path gone: wait until each node takes the server again,
            # so that the next server drained never leaves a node without any.
            deadline = time.monotonic() + 10
            while moved and any(not self._cache_backend_up(node, index) for node in nodes):
                if time.monotonic() > deadline:
                    raise ClusterError(f"the cache still finds app{index} sick after 10 s")
                time.sleep(0.2)

    def _cache_backend_up(self, node: int, index: int) -> bool:
        """Whether cache node ``node`` sends app server ``index`` requests (its probe says so)."""
        argv = ["varnishadm", "-n", str(self.cache_work(node)), "backend.list", f"app{index}"]
        result = subprocess.run(argv, capture_output=True, text=True)
        rows = [line.split() for line in result.stdout.splitlines()[1:]]
        return result.returncode == 0 and any("healthy" in row for row in rows)

    def _cache_backend_health(self, node: int, index: int, health: str) -> None:
        argv = ["varnishadm", "-n", str(self.cache_work(node)), "backend.set_health"]
        result = subprocess.run([*argv, f"app{index}", health], capture_output=True, text=True)
        if result.returncode:
            raise ClusterError(
                f"{cache_name(node)} refused to mark app{index} {health}: {result.stdout}"
            )

    # -- stop -------------------------------------------------------------------------------
    def kill_app(self, index: int, sig: int = signal.SIGKILL) -> None:
        self._kill(self._app_name(index), sig)

    def kill_cache(self, sig: int = signal.SIGKILL, index: int = 1) -> None:
        self._kill(self._cache_name(index), sig)

    def pause_cache(self, paused: bool = True, index: int = 1) -> None:
        """Stop cache node ``index`` without killing it (SIGSTOP), or let it go on (SIGCONT): a
        hung cache, for fault drills."""
        name = self._cache_name(index)
        if not self.processes.alive(name):
            raise ClusterError(f"{name} is not running")
        self.processes.signal_group(name, signal.SIGSTOP if paused else signal.SIGCONT)

    def _kill(self, name: str, sig: int) -> None:
        if not self.processes.alive(name):
            raise ClusterError(f"{name} is not running")
        self.processes.signal_group(name, sig)
        self.processes.reap(name, timeout=STOP_GRACE_SECONDS)

    def stop(self) -> None:
        """Stop nginx, then the app servers (gracefully, then by force), then our database."""
        state = self.state()
        if state is None:
            return
        ha = self.database.names()
        self.processes.stop(
            [n for n in self._names(state) if n not in ha], grace=STOP_GRACE_SECONDS
        )
        if ha:
            self.database.stop(grace=STOP_GRACE_SECONDS)
        if state.get("started_database"):
            database_stop()
        self.state_file.unlink(missing_ok=True)


# -- command line ---------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "action",
        choices=[
            "start", "stop", "status", "reload", "deploy", "kill-app", "start-app", "kill-cache",
            "start-cache", "kill-db-leader", "start-db-node", "switchover", "db-url",
        ],
    )  # fmt: skip
    parser.add_argument(
        "index",
        nargs="?",
        type=int,
        help="kill-app, start-app, start-db-node, kill-cache, start-cache: which (1..N)",
    )
    parser.add_argument("--run-dir", type=Path, default=DEFAULT_RUN_DIR)
    parser.add_argument("--apps", type=int, default=2, help="app servers behind nginx")
    parser.add_argument(
        "--balance",
        default="least-conn",
        choices=list(BALANCING),
        help="how nginx spreads requests over the app servers (default least-conn)",
    )
    parser.add_argument("--port", type=int, default=8080, help="nginx listens on 127.0.0.1:PORT")
    parser.add_argument("--workers", type=int, help="gunicorn workers per app server")
    parser.add_argument("--worker-class", help="gunicorn worker class")
    parser.add_argument("--threads", type=int, help="threads per gthread worker")
    parser.add_argument("--nginx-workers", type=int, default=1)
    parser.add_argument("--database", help="database name on the configured server")
    parser.add_argument(
        "--backup-dir",
        default=os.environ.get("ATELIER_BACKUP_DIR") or None,
        help="with --db-nodes: the leader archives its WAL here (default: ATELIER_BACKUP_DIR)",
    )
    parser.add_argument(
        "--db-nodes",
        type=int,
        default=1,
        help="1: the configured server; 3: PostgreSQL nodes under Patroni and etcd (HA)",
    )
    parser.add_argument("--no-cache", action="store_true", help="nginx straight to the app servers")
    parser.add_argument(
        "--cache-size", default="1G", help="the cache's storage (varnishd -s malloc)"
    )
    parser.add_argument(
        "--cache-port", type=int, help="the first cache node's port for purges (default: free)"
    )
    parser.add_argument(
        "--cache-nodes", type=int, default=1, help="cache nodes behind nginx (default 1)"
    )
    parser.add_argument(
        "--no-limits",
        action="store_true",
        help="no rate limits (nginx's per client, the app's on writes): for load generators",
    )
    parser.add_argument(
        "--no-prepare", action="store_true", help="skip migrate and collectstatic on start"
    )
    parser.add_argument(
        "--tls-terminators",
        default="",
        help="comma list of addresses in front of nginx whose X-Forwarded-Proto it keeps",
    )
    args = parser.parse_args(argv)
    cluster = Cluster(args.run_dir)
    try:
        if args.action == "start":
            settings = Settings(
                apps=args.apps,
                balance=args.balance,
                port=args.port,
                workers=args.workers,
                worker_class=args.worker_class,
                threads=args.threads,
                nginx_workers=args.nginx_workers,
                database=args.database,
                db_nodes=args.db_nodes,
                backup_dir=str(Path(args.backup_dir).resolve()) if args.backup_dir else None,
                cache=not args.no_cache,
                cache_size=args.cache_size,
                cache_nodes=args.cache_nodes,
                cache_ports=[args.cache_port] if args.cache_port else [],
                limits=not args.no_limits,
                tls_terminators=[a.strip() for a in args.tls_terminators.split(",") if a.strip()],
            )
            cluster.start(settings, prepare=not args.no_prepare)
            nodes = "s" if settings.cache_nodes > 1 else ""
            cache = f"{settings.cache_nodes} cache node{nodes} and " if settings.cache else ""
            print(
                f"cluster up: {cache}{args.apps} app servers behind http://127.0.0.1:{args.port}/"
            )
            if not cluster.has_reviews():
                print(
                    "the database holds no review yet: load the CSVs with `manage.py load_csv"
                    " DIR` or demo data with `manage.py demo_data` (DATABASE_URL from"
                    " `deploy/cluster.py db-url` with --db-nodes)"
                )
        elif args.action == "stop":
            cluster.stop()
            print("cluster stopped")
        elif args.action == "status":
            rows = cluster.status()
            if not rows:
                print("no cluster running")
                return 3
            for name, pid, health in rows:
                print(f"{name:<8} pid {pid or '-':<8} {health}")
            for member in cluster.members():
                lag = "" if member.lag is None else f", {member.lag} bytes behind"
                print(f"{member.name:<8} {member.role} ({member.state}{lag})")
            return 0 if all(health == "healthy" for *_, health in rows) else 1
        elif args.action == "reload":
            cluster.reload()
            print("every app server reloaded")
        elif args.action == "deploy":
            cluster.deploy()
            print("migrated, and every app server reloaded")
        elif args.action == "kill-cache":
            cluster.kill_cache(index=args.index or 1)
            print(f"{cache_name(args.index or 1)} killed")
        elif args.action == "start-cache":
            cluster.start_cache(args.index or 1)
            print(f"{cache_name(args.index or 1)} healthy (and empty)")
        elif args.action == "db-url":
            print(cluster.app_environment(cluster._settings())["DATABASE_URL"])
        elif args.action == "kill-db-leader":
            print(f"{cluster.database.kill_leader()} killed")
        elif args.action == "switchover":
            print(f"{cluster.database.switchover()} leads")
        elif args.index is None:
            parser.error(f"{args.action} needs the app server's number")
        elif args.action == "kill-app":
            cluster.kill_app(args.index)
            print(f"app{args.index} killed")
        elif args.action == "start-db-node":
            cluster.database.start_node(args.index)
            print(f"db{args.index} running")
        else:
            cluster.start_app(args.index)
            print(f"app{args.index} healthy")
    except (ClusterError, HADatabaseError) as err:
        print(f"cluster: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
