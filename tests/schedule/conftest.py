"""Fixtures for the schedule area: real audio files, a programme service, announcements."""
from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf

from sqlalchemy import select


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
