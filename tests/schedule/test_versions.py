"""Guarding scheduled scripts: an edit of an approved announcement that upcoming slots air warns which
slots, and is a new version awaiting approval while the approved version keeps airing; once another
supervisor approves the new version, the next slot airs the new audio. The as-run log names the hash
and version number of what aired."""
from __future__ import annotations

from datetime import time, timedelta

import numpy as np
import pytest
from sqlalchemy import select

from broadcaster.clock import utcnow
from broadcaster.errors import PermissionDenied
from broadcaster.schedule.onair import writer
from broadcaster.schedule.programmes import ItemSpec
from broadcaster.schedule.rules import RuleSpec, Slot
from broadcaster.schedule.uses import slots_airing
from broadcaster.store.models.onair import AiringState
from broadcaster.store.models.schedule import MissedSlot
from broadcaster.store.models.workflow import Announcement, AsRun
from tests.schedule.test_onair import find


def air_slot(db, newsroom, onair, p, rule_id):
    at = utcnow().replace(microsecond=0)
    writer(db, media=newsroom.media)(p, Slot(at, at, p.name, rule_id, p.zones, p.priority, p.id))
    onair.wait(lambda: all(a.state is AiringState.DONE for a in onair.airings("programme:")), 30, "the slot")


def test_an_edit_keeps_the_approved_audio_airing_until_the_new_version_is_approved(db, service, newsroom, onair):
    aid = newsroom.approved(text="Welcome to the park.")
    v1 = newsroom.audio(aid)
    p = service.create_programme("Welcome", [ItemSpec("announcement", announcement_id=aid)])
    air_slot(db, newsroom, onair, p, 1)

    from broadcaster.users import add_user, get_user

    with db.session() as s:  # a supervisor edits it: version 2 is hers
        newsroom.anns.edit(s, aid, add_user(s, "sue", "supervisor"), texts={"en": "The park closes at six."})
    with db.session() as s:
        ann = s.get(Announcement, aid)
        assert ann.state.value == "draft"
    heard = len(onair.samples())
    air_slot(db, newsroom, onair, p, 2)  # the next slot: still the approved version 1, to the sample
    out = onair.samples()[heard:]
    assert find(out, v1) >= 0

    with pytest.raises(PermissionDenied, match="this version"):  # sue wrote version 2: not hers to approve
        newsroom.approve_new(aid, who="sue")
    with db.session() as s:
        assert s.get(Announcement, aid).state.value == "submitted"
    with db.session() as s:
        newsroom.approval.approve(s, aid, get_user(s, "sam"))
    v2 = newsroom.audio(aid)
    assert not np.array_equal(v1[:len(v2)], v2[:len(v1)])
    heard = len(onair.samples())
    air_slot(db, newsroom, onair, p, 3)
    out = onair.samples()[heard:]
    assert find(out, v2) >= 0 and find(out, v1) == -1

    with db.session() as s:
        runs = list(s.scalars(select(AsRun).order_by(AsRun.id)))
        ann = s.get(Announcement, aid)
        assert [r.outcome for r in runs] == ["completed"] * 3
        aired = [(r.pieces[0]["sha256"], r.pieces[0]["version"]) for r in runs]
        assert aired[0] == aired[1] != aired[2] == (ann.approved_hash, 2) and aired[0][1] == 1
        assert s.scalars(select(MissedSlot)).all() == []


def test_the_edit_warns_which_upcoming_slots_air_the_announcement(db, service, newsroom):
    aid = newsroom.approved()
    other = newsroom.approved("Other", "Something else.")
    p = service.create_programme("Welcome", [ItemSpec("chime", chime="programme"),
                                             ItemSpec("announcement", announcement_id=aid)])
    q = service.create_programme("Other", [ItemSpec("announcement", announcement_id=other)])
    service.add_rule(p.id, RuleSpec(kind="daily", at=time(9, 0)))
    service.add_rule(q.id, RuleSpec(kind="daily", at=time(10, 0)))
    slots = slots_airing(service, aid, hours=72)
    assert len(slots) == 3 and {sl.programme for sl in slots} == {"Welcome"}
    assert all(sl.local.strftime("%H:%M") == "09:00" for sl in slots)
    assert all(sl.at > utcnow() for sl in slots) and slots[-1].at - slots[0].at == timedelta(days=2)
    assert slots_airing(service, newsroom.approved("Unused", "Not scheduled."), hours=72) == []


def test_the_cli_edit_answers_which_slots_keep_airing_the_approved_version(db, service, newsroom, capsys):
    from tests.schedule.test_cli_ics_plan import run

    aid = newsroom.approved()
    p = service.create_programme("Welcome", [ItemSpec("announcement", announcement_id=aid)])
    service.add_rule(p.id, RuleSpec(kind="daily", at=time(9, 0)))
    rc, out = run(db, capsys, "announce", "edit", str(aid), "--user", "amy", "--text", "en=Hello, all.")
    assert rc == 0 and "version 2 needs approval" in out and "7 upcoming slot(s)" in out
    assert "version 1 keeps airing" in out and out.count("09:00  Welcome") == 7
    with db.session() as s:
        ann = s.get(Announcement, aid)
        assert ann.state.value == "draft" and ann.parts() == [("en", "Hello, all.")]
