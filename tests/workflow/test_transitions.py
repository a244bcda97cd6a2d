"""The announcement state machine: every allowed move is recorded, every other one refused; edits void
approvals; the station expires items past their window (and a player or the leader expires those whose
window passes while they wait: tests/workflow/test_station.py). Real SQLite, real renderer, manual clock."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from broadcaster.announcements.scripts import TRANSITIONS, transition
from broadcaster.announcements.approval import OutsideWindow
from broadcaster.errors import InvalidTransition
from broadcaster.store.models.onair import Airing
from broadcaster.store.models.workflow import Announcement, AnnouncementState as S, StateChange
from tests.clock import ManualClock


def _history(s, ann_id):
    return list(s.scalars(select(StateChange).where(StateChange.announcement_id == ann_id)
                          .order_by(StateChange.id)))


def test_every_allowed_transition_is_recorded_and_every_other_refused(world):
    ann_id = world.script()
    allowed = refused = 0
    with world.db.session() as s:
        ann, amy = s.get(Announcement, ann_id), world.user(s, "amy")
        for frm in S:
            for to in S:
                ann.state = frm
                before = len(_history(s, ann_id))
                if to in TRANSITIONS[frm]:
                    transition(s, ann, to, amy, f"{frm.value}->{to.value}")
                    s.flush()
                    row = _history(s, ann_id)[-1]
                    assert (row.from_state, row.to_state, row.user_id, row.note) == (
                        frm.value, to.value, amy.id, f"{frm.value}->{to.value}")
                    assert ann.state is to and row.at.tzinfo is not None
                    allowed += 1
                else:
                    with pytest.raises(InvalidTransition) as err:
                        transition(s, ann, to, amy)
                    assert f"is {frm.value}" in str(err.value) and f"cannot become {to.value}" in str(err.value)
                    assert ann.state is frm and len(_history(s, ann_id)) == before
                    refused += 1
    assert allowed == sum(len(v) for v in TRANSITIONS.values()) and allowed + refused == len(S) ** 2
    assert S.DRAFT not in TRANSITIONS[S.QUEUED] and S.AIRED not in TRANSITIONS[S.APPROVED]  # no shortcuts


def test_engine_moves_are_recorded_without_a_user(world):
    ann_id = world.approved()
    with world.db.session() as s:
        ann = s.get(Announcement, ann_id)
        for to in (S.QUEUED, S.AIRING, S.AIRED):
            transition(s, ann, to, None, "engine")
    with world.db.session() as s:
        rows = _history(s, ann_id)[-3:]
        assert [(r.to_state, r.user) for r in rows] == [("queued", None), ("airing", None), ("aired", None)]


@pytest.mark.parametrize("state", ["submitted", "rejected", "approved"])
def test_edit_returns_to_draft_from_every_reviewable_state(world, state):
    world.anns.settings.zones = {"main": "null", "lobby": "null"}  # a venue with a lobby too
    ann_id = world.approved(zones=["main"]) if state == "approved" else world.script(zones=["main"])
    with world.db.session() as s:
        amy, sam = world.user(s, "amy"), world.user(s, "sam")
        if state != "approved":
            world.anns.submit(s, ann_id, amy)
        if state == "rejected":
            world.approval.reject(s, ann_id, sam, "too long")
    with world.db.session() as s:
        ann = world.anns.edit(s, ann_id, world.user(s, "amy"), zones=["main", "lobby"], priority=40)
        assert ann.state is S.DRAFT and (ann.approved_hash is None) == (state != "approved")
        assert ann.zones == ["main", "lobby"] and ann.priority == 40 and ann.reject_reason is None
    with world.db.session() as s:
        last = _history(s, ann_id)[-1]
        assert (last.from_state, last.to_state) == (state, "draft")
        assert ("version 1 keeps airing" in last.note) == (state == "approved")


def test_items_on_air_cannot_be_edited_or_resubmitted(world):
    ann_id = world.approved()
    with world.db.session() as s:
        transition(s, s.get(Announcement, ann_id), S.QUEUED, None)
    with pytest.raises(InvalidTransition, match="queued; take it off the queue"):
        with world.db.session() as s:
            world.anns.edit(s, ann_id, world.user(s, "amy"), title="Changed")
    with pytest.raises(InvalidTransition, match="only drafts can be submitted"):
        with world.db.session() as s:
            world.anns.submit(s, ann_id, world.user(s, "amy"))
    with world.db.session() as s:
        ann = s.get(Announcement, ann_id)
        assert ann.title == "Closing" and ann.approved_hash is not None and ann.state is S.QUEUED


def test_queue_past_the_window_expires_and_before_it_refuses(world):
    clock = ManualClock()
    station = world.station(clock)
    now = clock.now()
    late = world.approved(title="Parade", valid_until=now - timedelta(minutes=1))
    early = world.approved(title="Fireworks", valid_from=now + timedelta(hours=2))
    with pytest.raises(OutsideWindow, match="expired at"):
        station.queue(late, "amy")
    with pytest.raises(OutsideWindow, match="may air from"):
        station.queue(early, "amy")
    with world.db.session() as s:
        assert s.get(Announcement, late).state is S.EXPIRED
        assert s.get(Announcement, early).state is S.APPROVED
        last = _history(s, late)[-1]
        assert (last.from_state, last.to_state, last.user_id) == ("approved", "expired", None)
        assert s.scalar(select(func.count()).select_from(Airing)) == 0  # nothing written for either
    with pytest.raises(InvalidTransition, match="expired"):  # it can never air now
        station.queue(late, "amy")
    clock.advance(hours=3)
    [airing_id] = station.queue(early, "amy")  # written for the zone players to air
    with world.db.session() as s:
        assert s.get(Announcement, early).state is S.QUEUED
        row = s.get(Airing, airing_id)
        assert (row.ref, row.zone, row.state.value, row.requested_by) == (f"announcement:{early}", "main", "queued", "amy")
        assert row.not_before == now + timedelta(hours=2) and row.not_after is None


def test_reject_and_approve_leave_an_approval_record_each(world):
    from broadcaster.store.models.workflow import Approval

    ann_id = world.script()
    with world.db.session() as s:
        amy, sam, sue = (world.user(s, n) for n in ("amy", "sam", "sue"))
        world.anns.submit(s, ann_id, amy)
        world.approval.reject(s, ann_id, sam, "wrong time")
        world.anns.submit(s, ann_id, amy)  # resubmitted unchanged
        world.approval.approve(s, ann_id, sue)
    with world.db.session() as s:
        rows = list(s.scalars(select(Approval).order_by(Approval.id)))
        ann = s.get(Announcement, ann_id)
        assert [(r.decision.value, r.user.name, r.reason) for r in rows] == [
            ("rejected", "sam", "wrong time"), ("approved", "sue", "")]
        assert rows[0].content_hash is None and rows[1].content_hash == ann.approved_hash
        assert ann.approved_by.name == "sue" and ann.approved_at.tzinfo is not None
        assert s.scalar(select(func.count()).select_from(StateChange)) == 5
