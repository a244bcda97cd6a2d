"""Desk fixtures: staff users, approved default templates, a recording pager and the services."""
from __future__ import annotations

from concurrent.futures import Future

import numpy as np
import pytest

from audio.pcm import Pcm
from broadcaster.paging.defaults import seed_defaults
from broadcaster.cases.missing import CaseDetails, CaseService
from broadcaster.cases.pager import Pager
from broadcaster.paging.paging import PagingService
from broadcaster.paging.templates import TemplateService
from broadcaster.store.models.core import Role, User


@pytest.fixture
def staff(db):
    with db.session() as s:
        for name, role in [("dora", Role.DESK), ("dan", Role.DESK), ("sam", Role.SUPERVISOR),
                           ("sue", Role.SUPERVISOR), ("bob", Role.BROADCASTER)]:
            s.add(User(name=name, role=role))
    return db


@pytest.fixture
def templates(staff, clock):
    svc = TemplateService(staff, clock)
    for tpl in seed_defaults(staff, clock):
        svc.approve(tpl.id, "sam")
    return svc


class Recorder:
    """Stands in for the playout engine behind the Pager interface: keeps what was submitted/cancelled."""

    def __init__(self) -> None:
        self.items: dict[int, object] = {}
        self.cancelled: list[int] = []
        self.rendered: list[list[tuple[str, str]]] = []

    def submit(self, item) -> int:
        item_id = len(self.items) + 1
        self.items[item_id] = item
        return item_id

    def cancel(self, item_id: int) -> bool:
        self.cancelled.append(item_id)
        return True

    def render(self, parts):
        self.rendered.append(parts)
        fut: Future = Future()  # still "rendering": the chime part is ready before the speech
        fut.set_running_or_notify_cancel()
        return fut

    @staticmethod
    def chime(kind: str) -> Pcm:
        return Pcm(np.full(480, 0.1 if kind == "urgent_page" else 0.05, dtype=np.float32))

    def pager(self) -> Pager:
        return Pager(submit=self.submit, cancel=self.cancel, render=self.render, chime=self.chime)

    def live(self) -> list[int]:
        return [i for i in self.items if i not in self.cancelled]


@pytest.fixture
def engine():
    return Recorder()


@pytest.fixture
def cases(staff, clock):
    return CaseService(staff, clock)


@pytest.fixture
def paging(templates, clock, engine):
    return PagingService(templates.db, clock, engine.pager())


def lost_child(**kw) -> CaseDetails:
    base = dict(person_name="王小明", age=5, sex="boy", clothing="red jacket", shoes="white sneakers",
                last_seen_place="Carousel", meeting_point="Visitor Centre", reporter_name="王芳",
                reporter_contact="13800000000")
    base.update(kw)
    return CaseDetails(**base)
