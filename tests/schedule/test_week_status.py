"""What became of past slots (aired on a real player, refused at air time, never written) and the next
24 hours with the slots that will be refused flagged (an announcement not approved, an empty playlist)."""
from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from broadcaster.clock import utcnow
from broadcaster.schedule import week_status
from broadcaster.schedule.onair import writer
from broadcaster.schedule.programmes import ItemSpec
from broadcaster.schedule.rules import RuleSpec, Slot
from broadcaster.store.models.onair import AiringState
from tests.conftest import OnAir


def slot(p, rule_id, at=None):
    at = at or utcnow().replace(microsecond=0)
    return Slot(at, at, p.name, rule_id, p.zones, p.priority, p.id)


def test_past_slots_are_aired_refused_or_missed_with_the_reason(db, service, newsroom, tmp_path):
    aid = newsroom.approved()
    p = service.create_programme("Welcome", [ItemSpec("announcement", announcement_id=aid)])
    aired, refused = slot(p, 1), slot(p, 2)
    never = slot(p, 3, aired.at - timedelta(hours=1))
    later = slot(p, 4, aired.at + timedelta(hours=1))
    writer(db, media=newsroom.media)(p, aired)
    air = OnAir(db, tmp_path).start()
    try:
        air.wait(lambda: [a.state for a in air.airings("programme:")] == [AiringState.DONE], 30, "the slot")
        writer(db, media=newsroom.media)(p, refused)  # written with version 1 ...
        air.stop()
        newsroom.edit(aid)
        newsroom.approve_new(aid)  # ... version 2 approved before it aired
        air = OnAir(db, tmp_path).start()
        air.wait(lambda: air.airings("programme:")[-1].state is AiringState.FAILED, 30, "the refusal")
    finally:
        air.stop()
    out = week_status.past(service, [never, aired, refused, later], utcnow())
    assert out[aired.uid] == week_status.Outcome("aired")
    assert out[refused.uid].status == "refused" and f"announcement #{aid}" in out[refused.uid].reason
    assert out[refused.uid].cause == "not_approved" and out[aired.uid].cause == ""
    assert (out[never.uid].status, out[never.uid].cause) == ("missed", "not_written") and later.uid not in out


def test_the_next_24_hours_flag_slots_that_will_be_refused(db, service, newsroom, tmp_path):
    good = newsroom.approved("Good", "Hello.")
    bad = newsroom.approved("Changing", "Hello again.")
    ok = service.create_programme("Fine", [ItemSpec("announcement", announcement_id=good)])
    worry = service.create_programme("Worry", [ItemSpec("announcement", announcement_id=bad)])
    now = utcnow()
    for p in (ok, worry):
        at = (now + timedelta(hours=2)).astimezone(ZoneInfo(service.tz)).time().replace(second=0, microsecond=0)
        service.add_rule(p.id, RuleSpec("daily", at=at))
    with db.session() as s:  # the approval voided (as an expiry would): nothing of it may air
        from broadcaster.store.models.workflow import Announcement, AnnouncementState

        s.get(Announcement, bad).state = AnnouncementState.EXPIRED
    flagged = {sl.programme: problems for sl, problems in week_status.next_slots(service, now)}
    assert flagged == {"Fine": [], "Worry": [("not_approved", "Changing")]}


def test_slots_before_their_rule_was_written_are_not_missed(service):
    p = service.create_programme("Later", [ItemSpec("chime", chime="programme")])
    now = utcnow()
    at = (now - timedelta(hours=1)).astimezone(ZoneInfo(service.tz)).time().replace(second=0, microsecond=0)
    service.add_rule(p.id, RuleSpec("daily", at=at))
    slots = service.slots_between(now - timedelta(days=3), now)
    assert len(slots) == 3 and week_status.past(service, slots, now) == {}
