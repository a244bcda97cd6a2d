"""Two leaders share the job store for a moment at a fail-over: a date job one of them runs may be
removed meanwhile by the other's re-plan (it aired). APScheduler's loop then raised JobLookupError when
it removed the job it had run, and its thread died: nothing scheduled ran after it (CI caught it as
"Exception in thread APScheduler")."""
from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

import pytest
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler

from broadcaster.schedule.scheduler import _SharedStoreScheduler

RAN: dict[str, threading.Event] = {"first": threading.Event(), "second": threading.Event()}


def mark(name: str) -> None:
    RAN[name].set()


class OtherLeaderRemoves(SQLAlchemyJobStore):
    """Between this scheduler fetching its due jobs and removing the one it ran, the other leader's
    re-plan removes it."""

    def get_due_jobs(self, now):
        jobs = super().get_due_jobs(now)
        for job in jobs:
            super().remove_job(job.id)
        return jobs


def run_two(kind, tmp_path) -> bool:
    for e in RAN.values():
        e.clear()
    sched = kind(jobstores={"default": OtherLeaderRemoves(url=f"sqlite:///{tmp_path / kind.__name__}.db")},
                 timezone=timezone.utc)
    sched.start()
    try:
        now = datetime.now(timezone.utc)
        sched.add_job(mark, "date", run_date=now, args=["first"], misfire_grace_time=30)
        assert RAN["first"].wait(10)
        sched.add_job(mark, "date", run_date=now + timedelta(seconds=0.5), args=["second"], misfire_grace_time=30)
        return RAN["second"].wait(5)
    finally:
        sched.shutdown(wait=False)


def test_a_job_removed_by_the_other_leader_does_not_stop_the_scheduler(tmp_path):
    assert run_two(_SharedStoreScheduler, tmp_path)


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_the_race_is_real_with_apschedulers_own_scheduler(tmp_path):
    """The same interleaving stops APScheduler's own BackgroundScheduler (what the test above guards)."""
    assert not run_two(BackgroundScheduler, tmp_path)
