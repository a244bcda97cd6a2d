"""The week view: a "today" line, past slots marked with what became of them (from the missed slots and
the airings), and the next 24 hours with the slots that will not air flagged."""
from __future__ import annotations

from datetime import date, time, timedelta
from zoneinfo import ZoneInfo

from broadcaster.clock import utcnow
from broadcaster.schedule import store
from broadcaster.schedule.programmes import ItemSpec
from broadcaster.schedule.rules import RuleSpec
from tests.web.conftest import Browser
from tests.web.test_programmes_editor import scheduled_announcement


def test_the_week_marks_today_past_slots_and_what_will_not_air(app):
    programmes = app.extensions["pa"].programmes
    zone = ZoneInfo(programmes.tz)
    ann_id = scheduled_announcement(app)
    p = programmes.create_programme("Morning", [ItemSpec("announcement", announcement_id=ann_id)])
    past = (utcnow() - timedelta(minutes=30)).replace(second=0, microsecond=0)
    soon = (utcnow() + timedelta(hours=3)).replace(second=0, microsecond=0)
    programmes.add_rule(p.id, RuleSpec("once", at=past.astimezone(zone).time(), on_date=past.astimezone(zone).date()))
    programmes.add_rule(p.id, RuleSpec("once", at=soon.astimezone(zone).time(), on_date=soon.astimezone(zone).date()))
    [gone] = [sl for sl in programmes.slots_between(past - timedelta(seconds=1), past)]
    with programmes.db.session() as s:  # the player refused it (as broadcaster.schedule.onair logs it)
        store.log_missed(s, gone.uid, gone.at, p.id, p.name, gone.rule_id,
                         "refused in main: announcement no longer approved")
    with programmes.db.session() as s:  # and now its approval is void: the next slot will not air either
        from broadcaster.store.models.workflow import Announcement, AnnouncementState

        s.get(Announcement, ann_id).state = AnnouncementState.EXPIRED
    bob = Browser(app, "bob")
    page = bob.get(f"/schedule/?week={past.astimezone(zone).date().isoformat()}").get_data(as_text=True)
    assert 'id="today"' in page and 'id="now-line"' in page
    assert f'data-uid="{gone.uid}"' in page and 'data-status="refused"' in page and "no longer approved with this audio" in page
    assert "refused in main" not in page
    soon_page = bob.get(f"/schedule/?week={soon.astimezone(zone).date().isoformat()}").get_data(as_text=True)
    nxt = soon_page.split('id="next-24h"')[1]
    assert "Morning" in nxt and "Will not air" in nxt and "not approved: Welcome words" in nxt


def test_a_day_in_the_week_opens_the_form_for_a_slot_on_that_day(app):
    app.extensions["pa"].programmes.create_programme("Parade", [ItemSpec("chime", chime="programme")])
    bob = Browser(app, "bob")
    week = bob.get("/schedule/?week=2026-11-23").get_data(as_text=True)
    assert "/schedule/rules?kind=once&amp;on_date=2026-11-26" in week
    form = bob.get("/schedule/rules?kind=once&on_date=2026-11-26").get_data(as_text=True)
    assert 'value="2026-11-26"' in form and '<option value="once" selected>' in form
    resp = bob.post("/schedule/rules", {"programme": "Parade", "kind": "once", "on_date": "2026-11-26", "at": "09:00"})
    assert resp.status_code == 302
    [rule] = app.extensions["pa"].programmes.rules()
    assert (rule.spec.kind, str(rule.spec.on_date), str(rule.spec.at)) == ("once", "2026-11-26", "09:00:00")


def test_one_slot_moves_from_the_week_and_a_bad_move_changes_nothing(app):
    programmes = app.extensions["pa"].programmes
    p = programmes.create_programme("Parade", [ItemSpec("chime", chime="programme")])
    rid = programmes.add_rule(p.id, RuleSpec("weekly", at=time(9), days=(3,)))
    bob = Browser(app, "bob")
    week = bob.get("/schedule/?week=2026-11-23").get_data(as_text=True)
    assert f"rule_id={rid}&amp;day=2026-11-26" in week and f'data-rule="{rid}"' in week
    form = bob.get(f"/schedule/slots/move?rule_id={rid}&day=2026-11-26&at=09:00&programme=Parade")
    assert 'value="09:00"' in form.get_data(as_text=True)
    bad = bob.post("/schedule/slots/move", {"rule_id": rid, "day": "2026-11-26", "to_day": "", "to_time": "10:00"})
    assert bad.status_code == 400 and 'id="err-to_day"' in bad.get_data(as_text=True)
    assert [r.rule_id for r in programmes.rules()] == [rid]
    ok = bob.post("/schedule/slots/move", {"rule_id": rid, "day": "2026-11-26", "to_day": "2026-11-26",
                                           "to_time": "10:00"})
    assert ok.status_code == 302
    thu = [sl.local.strftime("%H:%M") for sl in programmes.expand(date(2026, 11, 26), date(2026, 11, 26))]
    assert thu == ["10:00"]


def test_a_slot_s_length_is_kept_on_its_rule_and_a_bad_length_changes_nothing(app, tmp_path):
    from tests.schedule.conftest import write_tone

    programmes = app.extensions["pa"].programmes
    for name in ("a", "b"):
        write_tone(tmp_path / f"{name}.wav", 60.0)
    (tmp_path / "l.m3u").write_text("a.wav\nb.wav\n")
    programmes.import_playlist(tmp_path / "l.m3u", "Lobby")
    p = programmes.create_programme("Music", [ItemSpec("playlist", playlist="Lobby", seconds=60.0)])
    rid = programmes.add_rule(p.id, RuleSpec("weekly", at=time(9), days=(3,)))
    bob = Browser(app, "bob")
    week = bob.get("/schedule/?week=2026-11-23").get_data(as_text=True)
    assert 'class="grip"' in week and 'data-len="1.0"' in week
    bad = bob.post("/schedule/slots/resize", {"rule_id": rid, "day": "2026-11-26", "minutes": "5"})
    assert bad.status_code == 400 and 'id="err-minutes"' in bad.get_data(as_text=True)
    assert "music lasts only 2.0 min" in bad.get_data(as_text=True)
    assert programmes.programme(p.id).items[0].seconds == 60.0
    ok = bob.post("/schedule/slots/resize", {"rule_id": rid, "day": "2026-11-26", "minutes": "1.5"})
    assert ok.status_code == 302 and programmes.programme(p.id).items[0].seconds == 60.0  # the programme as it was
    assert [sl.length_s for sl in programmes.expand(date(2026, 11, 26), date(2026, 11, 26))] == [90.0]
    week = bob.get("/schedule/?week=2026-11-23").get_data(as_text=True)
    assert 'data-len="1.5"' in week
