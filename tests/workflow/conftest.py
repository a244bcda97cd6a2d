from __future__ import annotations

import time

import numpy as np
import pytest
from sqlalchemy import select

from audio.render import Renderer
from broadcaster.announcements.approval import ApprovalService, renderer_for
from broadcaster.announcements.scripts import AnnouncementService
from broadcaster.announcements.station import Station
from broadcaster.settings import VenueSettings
from broadcaster.store.media import MediaStore
from broadcaster.store.models.onair import Airing
from broadcaster.store.models.workflow import Announcement, AsRun
from broadcaster.users import add_user
from tests.conftest import BLOCK


class World:
    """Users, announcements and their approval on the test's database; media under tmp_path/media,
    where the test players (tests/conftest.py ``OnAir``) find the approved audio."""

    def __init__(self, db, tmp_path):
        self.db = db
        self.media = MediaStore(tmp_path / "media")
        self.renderer = Renderer(cache_dir=tmp_path / "cache", lead_in=0.1)
        self.anns = AnnouncementService(VenueSettings(languages=["zh-CN", "en"]), self.media)
        self.approval = ApprovalService(renderer_for(self.renderer, self.media), self.media)
        with db.session() as s:
            for name, role in (("amy", "broadcaster"), ("sam", "supervisor"), ("sue", "supervisor"),
                               ("dee", "desk"), ("root", "admin")):
                add_user(s, name, role, password="correct horse")

    def user(self, s, name):
        from broadcaster.users import get_user

        return get_user(s, name)

    def script(self, title="Closing", texts=None, author="amy", **kw) -> int:
        with self.db.session() as s:
            ann = self.anns.create_script(s, self.user(s, author), title,
                                          {"en": "The park closes soon.", "zh-CN": "园区即将闭园。"} if texts is None else texts, **kw)
            return ann.id

    def approved(self, **kw) -> int:
        ann_id = self.script(**kw)
        with self.db.session() as s:
            self.anns.submit(s, ann_id, self.user(s, kw.get("author", "amy")))
            self.approval.approve(s, ann_id, self.user(s, "sam"))
        return ann_id

    # -- on air -----------------------------------------------------------------------------------
    def station(self, clock=None) -> Station:
        return Station(self.db, self.media, clock, ("main",))

    def ann(self, ann_id) -> Announcement:
        with self.db.session() as s:
            return s.get(Announcement, ann_id)

    def wait_state(self, ann_id, state, timeout=30.0, step=None):
        """Wait until the announcement is in ``state`` (``step()`` is called each round: a player
        driven by the test)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if step is not None:
                step()
            got = self.ann(ann_id).state
            if got is state:
                return
            time.sleep(0.02)
        raise AssertionError(f"announcement #{ann_id} is {got.value}, expected {state.value}")

    def history(self, ann_id) -> list[str]:
        with self.db.session() as s:
            return [h.to_state for h in self.anns.history(s, ann_id)]

    def as_run(self, ann_id) -> list[AsRun]:
        with self.db.session() as s:
            return list(s.scalars(select(AsRun).where(AsRun.ref == f"announcement:{ann_id}").order_by(AsRun.id)))

    def airings(self, ann_id) -> list[Airing]:
        with self.db.session() as s:
            return list(s.scalars(select(Airing).where(Airing.ref == f"announcement:{ann_id}").order_by(Airing.id)))

    def audio(self, ann_id) -> np.ndarray:
        """The approved audio as int16 samples: what must reach the sink."""
        return self.media.load(self.ann(ann_id).approved_audio).to_int16()

    def audio_path(self, ann_id):
        return self.media.path(self.ann(ann_id).approved_audio)


def aired_at(out: np.ndarray, audio: np.ndarray, block: int = BLOCK) -> list[int]:
    """Block boundaries at which the whole of ``audio`` went out, sample for sample (the engine starts
    every item on a block boundary)."""
    return [at for at in range(0, len(out) - len(audio) + 1, block) if np.array_equal(out[at:at + len(audio)], audio)]


@pytest.fixture
def world(db, tmp_path):
    return World(db, tmp_path)
