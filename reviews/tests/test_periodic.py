"""The periodic commands the topology runs (``manage.py periodic``): what is scheduled, and that a
run does each job and survives one that fails."""

import pytest
from django.core.management import call_command

from reviews.management.commands import periodic
from reviews.management.commands.periodic import DAY, HOUR, Job, jobs


def test_the_schedule_expires_hourly_and_backs_up_only_where_there_is_a_backup_folder():
    assert [(str(job), job.every) for job in jobs(backups=False)] == [
        ("idempotency_expire", HOUR),
        ("ratelimits_expire", HOUR),
    ]
    backups = [(str(job), job.every, job.first_after) for job in jobs(backups=True)][2:]
    assert backups == [("db_backup", HOUR, 0.0), ("db_backup --full", DAY, DAY)]


@pytest.mark.django_db
def test_a_run_does_every_job(capsys):
    call_command("periodic", "--once")
    out = capsys.readouterr().out
    assert "idempotency keys older than 1 day" in out and "rate-limit counters expired" in out


@pytest.mark.django_db
def test_a_failing_job_is_reported_and_the_others_still_run(monkeypatch, capsys):
    monkeypatch.setattr(
        periodic,
        "jobs",
        lambda backups: [Job("no_such_command", HOUR), Job("ratelimits_expire", HOUR)],
    )
    with pytest.raises(SystemExit, match="failed: no_such_command"):
        call_command("periodic", "--once")
    assert "rate-limit counters expired" in capsys.readouterr().out
