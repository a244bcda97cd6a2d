"""Desk fixtures: staff users, approved default templates, the services, and a real zone player."""
from __future__ import annotations

import threading
from concurrent.futures import Future

import pytest
from sqlalchemy import select

from broadcaster.cases.missing import CaseDetails, CaseService
from broadcaster.paging.defaults import seed_defaults
from broadcaster.paging.paging import PagingService
from broadcaster.paging.templates import TemplateService
from broadcaster.store.models.core import Role, User
from broadcaster.store.models.onair import Airing
from broadcaster.store.models.workflow import AsRun
from tests.conftest import OnAir


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


@pytest.fixture
def cases(staff, clock):
    return CaseService(staff, clock)


@pytest.fixture
def paging(templates, clock):
    return PagingService(templates.db, clock)


class RenderFirst:
    """The player's speech, rendered by the real renderer before the player hands the page to its engine.
    With an unpaced sink the engine would otherwise write silence as fast as it can while a page's
    speech renders (tens of millions of samples a second); on air, the chime covers the render
    (``test_page_on_engine`` checks that with a paced sink)."""

    def __init__(self, renderer) -> None:
        self.renderer = renderer

    def render(self, parts) -> Future:
        fut: Future = Future()
        try:
            fut.set_result(self.renderer.render_script(parts=[tuple(p) for p in parts], chime=None, lead_in=0.0))
        except Exception as exc:  # noqa: BLE001
            fut.set_exception(exc)
        return fut


def fast_player(db, tmp_path, clock, name: str = "test-player", zones=("main",)) -> OnAir:
    """A real zone player (null sinks keeping samples, not paced: audio airs as fast as it is mixed),
    not started."""
    air = OnAir(db, tmp_path, zones=zones, clock=clock, name=name)
    air.player.speech = RenderFirst(air.renderer)
    return air


@pytest.fixture
def player(templates, clock, tmp_path):
    """A started :func:`fast_player` on the test's clock."""
    air = fast_player(templates.db, tmp_path, clock).start()
    yield air
    air.stop()


def lost_child(**kw) -> CaseDetails:
    base = dict(person_name="王小明", age=5, sex="boy", clothing="red jacket", shoes="white sneakers",
                last_seen_place="Carousel", meeting_point="Visitor Centre", reporter_name="王芳",
                reporter_contact="13800000000")
    base.update(kw)
    return CaseDetails(**base)


def airings(db, ref_prefix: str = "page:") -> list[Airing]:
    """Every airing of refs starting with ``ref_prefix``, oldest first."""
    with db.session() as s:
        return list(s.scalars(select(Airing).where(Airing.ref.like(ref_prefix + "%")).order_by(Airing.id)))


def as_run(db, ref_prefix: str = "page:") -> list[AsRun]:
    with db.session() as s:
        return list(s.scalars(select(AsRun).where(AsRun.ref.like(ref_prefix + "%")).order_by(AsRun.id)))


def states(db, ref: str) -> list[str]:
    return [a.state.value for a in airings(db, ref) if a.ref == ref]


class HeldSpeech:
    """The real renderer behind a gate: a page's speech is rendered only once ``go`` is set (so its
    chime airs, then silence, while the speech is "still rendering"; a page stays on air meanwhile)."""

    def __init__(self, renderer) -> None:
        self.renderer, self.go = renderer, threading.Event()
        self.dropped = False

    def render_script(self, **kw):
        self.go.wait(30)
        if self.dropped:
            raise RuntimeError("the player is gone: nothing to render for")
        return self.renderer.render_script(**kw)

    def drop(self) -> None:
        """Never render what waits (its player was stopped or killed)."""
        self.dropped = True
        self.go.set()


def hold_speech(air: OnAir) -> HeldSpeech:
    """Put ``air``'s player's speech behind a gate (before it starts airing anything)."""
    from broadcaster.onair.pieces import Speech

    held = HeldSpeech(air.renderer)
    air.player.speech = Speech(held)
    return held
