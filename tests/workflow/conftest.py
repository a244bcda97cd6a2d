from __future__ import annotations

import pytest

from audio.render import Renderer
from broadcaster.announcements.scripts import AnnouncementService
from broadcaster.announcements.approval import ApprovalService, renderer_for
from broadcaster.store.media import MediaStore
from broadcaster.settings import VenueSettings
from broadcaster.users import add_user


class World:
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


@pytest.fixture
def world(db, tmp_path):
    return World(db, tmp_path)
