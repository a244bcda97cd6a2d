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


def spoken(renderer, parts):
    """A page's speech exactly as a player airs it, sentence by sentence, with the pauses between."""
    from audio.pcm import Pcm

    return Pcm.concat([Pcm.silence(p) if isinstance(p, float) else renderer.say(p[1], p[0])[0]
                       for p in renderer.plan([tuple(x) for x in parts])])


class RenderFirst:
    """The player's speech, rendered by the real renderer before the player hands the page to its engine.
    With an unpaced sink the engine would otherwise write silence as fast as it can while a page's
    speech renders (tens of millions of samples a second); on air, the chime covers the render
    (``test_page_on_engine`` checks that with a paced sink)."""

    def __init__(self, renderer) -> None:
        self.renderer = renderer

    def render(self, parts, *, now: bool = True) -> tuple[list, Future, object]:
        from audio.pcm import Pcm

        said, engines = [], []
        for step in self.renderer.plan([tuple(p) for p in parts]):
            if isinstance(step, float):
                said.append(Pcm.silence(step))
                continue
            pcm, engine = self.renderer.say(step[1], step[0])
            said.append(pcm)
            engines.append(engine)
        whole: Future = Future()
        whole.set_result((Pcm.concat(said).sha256(), ", ".join(dict.fromkeys(engines))))
        return said, whole, lambda: None  # rendered already


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


#: The places the desk gives in each page language (a venue that has not named its places in the panel).
SAID_PLACES = {"Carousel": {"zh-CN": "旋转木马", "en": "Carousel"},
               "Visitor Centre": {"zh-CN": "游客中心", "en": "Visitor Centre"}}


def lost_child(**kw) -> CaseDetails:
    base = dict(person_name="王小明", age=5, sex="boy", clothing="red jacket", shoes="white sneakers",
                last_seen_place="Carousel", meeting_point="Visitor Centre", reporter_name="王芳",
                reporter_contact="13800000000")
    base.update(kw)
    said = {f: SAID_PLACES[base[f]] for f in ("last_seen_place", "meeting_point") if base.get(f) in SAID_PLACES}
    return CaseDetails(**{"wording": said or None, **base})


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
    """The real renderer behind a gate: a page's sentences are rendered only once ``go`` is set (so its
    chime airs, then silence, while the speech is "still rendering"; a page stays on air meanwhile).
    ``free`` sentences (the first ones) render at once."""

    def __init__(self, renderer, free: int = 0) -> None:
        self.renderer, self.go = renderer, threading.Event()
        self.dropped = False
        self.free = free
        self.said: list[str] = []  # sentences rendered, in order
        self._lock = threading.Lock()

    def plan(self, parts):
        return self.renderer.plan(parts)

    def say(self, sentence, lang):
        with self._lock:
            turn, self.free = self.free > 0, self.free - 1
        if not turn:
            self.go.wait(30)
        if self.dropped:
            raise RuntimeError("the player is gone: nothing to render for")
        out = self.renderer.say(sentence, lang)
        with self._lock:
            self.said.append(sentence)
        return out

    def drop(self) -> None:
        """Never render what waits (its player was stopped or killed)."""
        self.dropped = True
        self.go.set()


def hold_speech(air: OnAir, free: int = 0) -> HeldSpeech:
    """Put ``air``'s player's speech behind a gate (before it starts airing anything)."""
    from broadcaster.onair.pieces import Speech

    held = HeldSpeech(air.renderer, free)
    air.player.speech = Speech(held)
    return held
