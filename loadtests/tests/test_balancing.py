"""The balancing study's own parts (loadtests/balancing.py): which app server answered, from
nginx's access log; the shares; the CPU quota that slows a server, on a real process."""

import subprocess
import time
from pathlib import Path

import pytest

from loadtests.balancing import CGROUP, Run, group_pids, nginx_served, slowed


def test_the_server_that_answered_is_the_last_upstream_of_each_line(tmp_path):
    log = tmp_path / "access.log"
    log.write_text(
        'x "GET /old" 200 up=unix:/r/app4.sock\n'
        'x "GET /a" 200 up=unix:/r/app1.sock\n'
        'x "POST /b" 201 up=unix:/r/app2.sock, unix:/r/app3.sock\n'
        'x "GET /c" 200 up=unix:/r/app3.starting.sock\n'
        'x "GET /d" 200 up=unix:/r/cache.sock\n'
        'x "GET /e" 404 up=-\n'
    )
    offset = len(log.read_text().splitlines(keepends=True)[0])
    assert nginx_served(log, offset) == {"app1": 1, "app3": 2}


def test_shares_are_of_every_request_an_app_server_answered():
    run = Run("off", "round-robin", "healthy", 64, 1.0, 0.1, 1, 2, 3, 0,
              served={"app1": 50, "app2": 25, "app4": 25})  # fmt: skip
    assert run.shares() == "50% 25% 0% 25%"


@pytest.mark.skipif(not Path("/sys/fs/cgroup/cpu").is_dir(), reason="no cgroup v1 cpu controller")
def test_a_slowed_process_runs_under_the_quota_and_is_let_go_after():
    busy = subprocess.Popen(["sh", "-c", "while :; do :; done"], start_new_session=True)
    try:
        assert group_pids(busy.pid) == [busy.pid]
        with slowed([busy.pid]):
            assert str(busy.pid) in (CGROUP / "cgroup.procs").read_text().split()
            assert (CGROUP / "cpu.cfs_quota_us").read_text().strip() == "10000"
            time.sleep(1)
            stat = dict(line.split() for line in (CGROUP / "cpu.stat").read_text().splitlines())
            assert int(stat["nr_throttled"]) > 0  # the quota bites
        assert not CGROUP.exists()
        assert str(busy.pid) in (CGROUP.parent / "cgroup.procs").read_text().split()
    finally:
        busy.kill()
        busy.wait()
