"""Fixtures for the schedule area: real audio files, a programme service, announcements."""
from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime, time, timezone

import numpy as np
import pytest
import soundfile as sf

from sqlalchemy import event, select


def next_run_times(engine) -> dict:
    """A running ScheduleEngine's jobs (id -> next run time), as APScheduler holds them."""
    assert engine.scheduler is not None
    return {j.id: j.next_run_time for j in engine.scheduler.get_jobs(jobstore="default")}


def busy_rules(service, every=(2, 3)) -> None:
    """A programme "Notice" (a chime) on one interval rule per minute count in ``every``, all day."""
    from broadcaster.schedule.programmes import ItemSpec
    from broadcaster.schedule.rules import RuleSpec

    service.create_programme("Notice", [ItemSpec("chime")])
    for minutes in every:
        service.add_rule("Notice", RuleSpec("interval", every_minutes=minutes, window_start=time(0),
                                            window_end=time(23, 59)))


def _slot_of(job_id: str) -> datetime:
    return datetime.strptime(job_id.rsplit("-", 1)[1], "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)


def jobs_in(jobs: dict, after: datetime, planned: dict) -> dict:
    """The jobs running after ``after`` whose slot lies within the horizon of ``planned`` (an earlier
    leader's jobs): a leader started later plans its own horizon's end a little further on."""
    end = max(_slot_of(k) for k in planned)
    return {k: v for k, v in jobs.items() if v > after and _slot_of(k) <= end}


@contextmanager
def job_writes(db):
    """The statements that write APScheduler's job store (INSERT, UPDATE, DELETE) while in the block."""
    writes: list[str] = []

    def count(conn, cursor, statement, *a):
        if "apscheduler_jobs" in statement and statement.lstrip().upper().startswith(("INSERT", "DELETE", "UPDATE")):
            writes.append(statement.split()[0].upper())

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield writes
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def write_tone(path, seconds=1.0, freq=440.0, rate=48000, amp=0.5, subtype=None):
    t = np.arange(int(seconds * rate)) / rate
    sf.write(str(path), (amp * np.sin(2 * np.pi * freq * t)).astype(np.float32), rate, subtype=subtype)
    return path


@pytest.fixture
def tone(tmp_path):
    def make(name="tone.wav", seconds=1.0, freq=440.0, amp=0.5):
        p = tmp_path / name
        p.parent.mkdir(parents=True, exist_ok=True)
        return write_tone(p, seconds, freq, amp=amp)
    return make


@pytest.fixture
def venue_zones():
    """The venue's zones in its settings: main, hall and yard."""
    from broadcaster.settings import save_settings

    save_settings({"zones": {"main": "null", "hall": "null", "yard": "null"}})
    return ("main", "hall", "yard")


@pytest.fixture
def service(db):
    from broadcaster.schedule.programmes import ProgrammeService

    svc = ProgrammeService(db)
    svc.set_tz("Europe/London")
    return svc


@pytest.fixture
def announcement(db):
    """make(state) -> id of an announcement in that state (approved ones carry an approval hash, as the
    workflow area's approval gate leaves them); set_state(id, state) as an edit or approval would."""
    from broadcaster.announcements.scripts import APPROVED_STATES
    from broadcaster.store.models.core import User
    from broadcaster.store.models.workflow import Announcement, AnnouncementKind, AnnouncementState
    from broadcaster.users import add_user

    def apply(ann, state):
        ann.state = AnnouncementState(state)
        ann.approved_hash = "0" * 64 if ann.state in APPROVED_STATES else None

    class Factory:
        def __call__(self, state="approved"):
            with db.session() as s:
                user = s.scalar(select(User).where(User.name == "schedule-test")) or add_user(
                    s, "schedule-test", "broadcaster")
                ann = Announcement(title="test", kind=AnnouncementKind.SCRIPT, author_id=user.id)
                apply(ann, state)
                s.add(ann)
                s.flush()
                return ann.id

        def set_state(self, aid, state):
            with db.session() as s:
                apply(s.get(Announcement, aid), state)

    return Factory()


class Newsroom:
    """Real announcements: written, submitted and approved by a supervisor (offline TTS renders the
    approved audio into ``tmp_path/media``, where the test player finds it by hash)."""

    def __init__(self, db, tmp_path):
        from audio.render import Renderer
        from broadcaster.announcements.approval import ApprovalService, renderer_for
        from broadcaster.announcements.scripts import AnnouncementService
        from broadcaster.settings import VenueSettings
        from broadcaster.store.media import MediaStore
        from broadcaster.users import add_user

        self.db = db
        self.media = MediaStore(tmp_path / "media")
        self.anns = AnnouncementService(VenueSettings(languages=["en"]), self.media)
        self.approval = ApprovalService(renderer_for(Renderer(cache_dir=tmp_path / "cache", lead_in=0.1),
                                                     self.media), self.media)
        with db.session() as s:
            add_user(s, "amy", "broadcaster")
            add_user(s, "sam", "supervisor")

    def approved(self, title="Welcome", text="Welcome to the park.") -> int:
        from broadcaster.users import get_user

        with self.db.session() as s:
            ann_id = self.anns.create_script(s, get_user(s, "amy"), title, {"en": text}).id
        with self.db.session() as s:
            self.anns.submit(s, ann_id, get_user(s, "amy"))
            self.approval.approve(s, ann_id, get_user(s, "sam"))
        return ann_id

    def edit(self, ann_id: int, text="Welcome, everyone.") -> None:
        """An edit: back to draft, a new version awaiting approval (the approved one stays in force)."""
        from broadcaster.users import get_user

        with self.db.session() as s:
            self.anns.edit(s, ann_id, get_user(s, "amy"), texts={"en": text})

    def approve_new(self, ann_id: int, who: str = "sam") -> None:
        """The edited version submitted and approved (by ``who``)."""
        from broadcaster.users import get_user

        with self.db.session() as s:
            self.anns.submit(s, ann_id, get_user(s, "amy"))
        with self.db.session() as s:
            self.approval.approve(s, ann_id, get_user(s, who))

    def audio(self, ann_id: int):
        """The approved audio's int16 samples, as the player must air them."""
        import soundfile as sf

        from broadcaster.store.models.workflow import Announcement

        with self.db.session() as s:
            ann = s.get(Announcement, ann_id)
            path = self.media.path(ann.approved_audio)
        return sf.read(str(path), dtype="int16")[0]


@pytest.fixture
def newsroom(db, tmp_path):
    return Newsroom(db, tmp_path)
