"""Programme service: playlists in the DB, programmes, approval gate, rules, closed days, missed log."""
from datetime import date, datetime, time, timezone

import pytest
from sqlalchemy import func, select

from broadcaster.errors import NotFound, ValidationError
from broadcaster.store.models.schedule import Programme, ScheduleRule
from broadcaster.schedule.programmes import ItemSpec, NotApproved, ProgrammeService
from broadcaster.schedule.rules import RuleSpec, parse_days


def count(db, model):
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(model))


@pytest.fixture
def music(service, tmp_path, tone):
    tone("music/a.wav", 2.0)
    tone("music/b.wav", 3.0)
    m3u = tmp_path / "music" / "bed.m3u8"
    m3u.write_text("#EXTM3U\na.wav\nb.wav\n", encoding="utf-8")
    service.import_playlist(m3u, shuffle=True)
    return "bed"


def opening(service, aid, music, name="Opening 09:00"):
    return service.create_programme(name, [
        ItemSpec("chime", chime="programme"), ItemSpec("announcement", announcement_id=aid),
        ItemSpec("playlist", playlist=music, seconds=1800)])


def test_playlist_import_export_round_trip(service, music, tmp_path):
    assert service.list_playlists() == [("bed", 2, pytest.approx(5.0), True)]
    (tmp_path / "out").mkdir()
    out = service.export_playlist("bed", tmp_path / "out" / "bed.m3u")
    text = out.read_text(encoding="utf-8")
    assert "../music/a.wav" in text and "#EXTINF:3,b" in text
    with pytest.raises(ValidationError, match="already exists"):
        service.import_playlist(tmp_path / "music" / "bed.m3u8")


def test_playlist_import_missing_file_stores_nothing(service, tmp_path, tone, db):
    tone("x/ok.wav")
    (tmp_path / "x" / "l.m3u").write_text("ok.wav\nmissing.wav\n")
    with pytest.raises(ValidationError, match="missing.wav"):
        service.import_playlist(tmp_path / "x" / "l.m3u")
    assert service.list_playlists() == []


def test_create_programme_and_estimate(service, music, announcement):
    aid = announcement("approved")
    p = opening(service, aid, music)
    assert [i.kind for i in p.items] == ["chime", "announcement", "playlist"]
    assert p.items[2].tracks and p.items[2].shuffle
    assert p.estimated_duration == pytest.approx(2.5 + 30 + 5.0)
    assert service.programme("Opening 09:00").id == p.id
    assert "playlist 'bed'" in p.describe()


@pytest.mark.parametrize("items,field", [
    ([], "items"),
    ([ItemSpec("dance")], r"items\[0\].kind"),
    ([ItemSpec("silence", seconds=0)], r"items\[0\].seconds"),
    ([ItemSpec("chime", chime="trumpet")], r"items\[0\].chime"),
    ([ItemSpec("silence", seconds=2), ItemSpec("playlist", playlist="nope")], r"items\[1\].playlist"),
    ([ItemSpec("recording", path="/no/such.wav")], r"items\[0\].path"),
    ([ItemSpec("announcement", announcement_id=999)], r"items\[0\].announcement_id"),
])
def test_bad_programmes_name_the_field_and_store_nothing(service, db, items, field, announcement):
    announcement("approved")  # the table exists
    with pytest.raises(ValidationError, match=field):
        service.create_programme("Bad", items)
    assert count(db, Programme) == 0


def test_unapproved_announcement_refuses_scheduling(service, music, announcement, db):
    aid = announcement("draft")
    opening(service, aid, music)
    spec = RuleSpec("weekly", at=time(9), days=parse_days("mon,tue,wed,thu,fri"))
    with pytest.raises(NotApproved, match=rf"announcement #{aid} in programme 'Opening 09:00' is 'draft'"):
        service.add_rule("Opening 09:00", spec)
    assert count(db, ScheduleRule) == 0
    announcement.set_state(aid, "approved")
    rid = service.add_rule("Opening 09:00", spec)
    assert [r.rule_id for r in service.rules()] == [rid]


def test_rules_round_trip_through_db_and_expand(service, music, announcement, venue_zones):
    opening(service, announcement("approved"), music)
    service.create_programme("Safety", [ItemSpec("silence", seconds=1)], priority="announcement", zones="hall,yard")
    service.add_rule("Opening 09:00", RuleSpec("daily", at=time(9), except_dates=frozenset({date(2026, 12, 25)})))
    service.add_rule("Safety", RuleSpec("interval", every_minutes=30, window_start=time(10), window_end=time(17)))
    service.add_closed_day(date(2026, 12, 26), "Boxing Day")
    slots = service.expand(date(2026, 12, 24), date(2026, 12, 27))
    by_day = {}
    for s in slots:
        by_day.setdefault(s.local.date(), []).append(s.programme)
    assert by_day[date(2026, 12, 24)].count("Opening 09:00") == 1 and by_day[date(2026, 12, 24)].count("Safety") == 15
    assert "Opening 09:00" not in by_day[date(2026, 12, 25)]
    assert date(2026, 12, 26) not in by_day
    safety = next(s for s in slots if s.programme == "Safety")
    assert safety.zones == ("hall", "yard") and safety.priority == 50
    with pytest.raises(ValidationError, match="already a closed day"):
        service.add_closed_day(date(2026, 12, 26))


def test_remove_rule_and_not_found(service):
    service.create_programme("P", [ItemSpec("silence", seconds=1)])
    rid = service.add_rule("P", RuleSpec("daily", at=time(8)))
    service.remove_rule(rid)
    assert service.rules() == []
    with pytest.raises(NotFound):
        service.remove_rule(rid)
    with pytest.raises(NotFound):
        service.add_rule("Nope", RuleSpec("daily", at=time(8)))


def test_background_programme_is_unique(service, music):
    service.create_programme("Bed 1", [ItemSpec("playlist", playlist=music)], priority="background_music", background=True)
    service.create_programme("Bed 2", [ItemSpec("playlist", playlist=music)], priority=10, background=True)
    assert service.background().name == "Bed 2"


def test_venue_tz_setting_persists(db):
    ProgrammeService(db).set_tz("Asia/Shanghai")
    assert ProgrammeService(db).tz == "Asia/Shanghai"
    with pytest.raises(ValidationError, match="tz"):
        ProgrammeService(db).set_tz("Nowhere/City")


def test_the_schedule_and_the_desk_read_one_venue_time_zone(db):
    """One place (the venue settings): the schedule's zone is the zone the desk numbers cases by."""
    from broadcaster.cases.numbering import venue_tz
    from broadcaster.settings import save_settings

    ProgrammeService(db).set_tz("Europe/London")
    assert str(venue_tz()) == "Europe/London"
    save_settings({"timezone": "Asia/Shanghai"})  # edited in settings.json: both follow
    assert ProgrammeService(db).tz == "Asia/Shanghai" and str(venue_tz()) == "Asia/Shanghai"


def test_an_old_database_copy_of_the_zone_moves_into_the_settings(db, caplog):
    from broadcaster.schedule import store
    from broadcaster.settings import save_settings, stored_settings

    with db.session() as s:  # as an earlier version left it
        store.set_setting(s, "venue_tz", "Europe/London")
    assert "timezone" not in stored_settings()
    assert ProgrammeService(db).tz == "Europe/London"  # kept: moved into settings.json
    assert stored_settings()["timezone"] == "Europe/London"
    with db.session() as s:
        assert store.get_setting(s, "venue_tz") is None  # one copy only from now on
        store.set_setting(s, "venue_tz", "Asia/Tokyo")  # both say something, and differ
    save_settings({"timezone": "Asia/Shanghai"})
    assert ProgrammeService(db).tz == "Asia/Shanghai"  # the settings win, and say so
    assert "Asia/Tokyo" in caplog.text and "keeping Asia/Shanghai" in caplog.text


def test_record_missed_once(service):
    from broadcaster.schedule.rules import Slot
    service.create_programme("P", [ItemSpec("silence", seconds=1)])
    at = datetime(2026, 1, 1, 9, tzinfo=timezone.utc)
    slot = Slot(at, at, "P", 7, ("main",), 30, service.programme("P").id)
    assert service.record_missed(slot, "late") is True
    assert service.record_missed(slot, "late again") is False
    [m] = service.missed()
    assert (m.slot_at, m.programme_name, m.rule_id, m.reason) == (at, "P", 7, "late")


def test_schedule_changes_check_the_role_in_the_service(service, db):
    from broadcaster.errors import PermissionDenied
    from broadcaster.users import add_user

    with db.session() as s:
        add_user(s, "bea", "broadcaster")
        add_user(s, "dan", "desk")
    service.create_programme("P", [ItemSpec("silence", seconds=1)], who="bea")
    with pytest.raises(PermissionDenied):
        service.create_programme("Q", [ItemSpec("silence", seconds=1)], who="dan")
    rid = service.add_rule("P", RuleSpec("daily", at=time(8)), who="bea")
    with pytest.raises(PermissionDenied):
        service.add_rule("P", RuleSpec("daily", at=time(9)), who="dan")
    with pytest.raises(PermissionDenied):
        service.remove_rule(rid, who="dan")
    with pytest.raises(PermissionDenied):
        service.add_closed_day(date(2026, 12, 25), who="dan")
    assert [r.rule_id for r in service.rules()] == [rid]
    assert [p.name for p in service.list_programmes()] == ["P"]
    assert service.closed_days() == {}


def test_edit_rule_replaces_in_one_step_and_a_refused_edit_keeps_the_old(service, db):
    from broadcaster.errors import PermissionDenied
    from broadcaster.users import add_user

    with db.session() as s:
        add_user(s, "bea", "broadcaster")
        add_user(s, "dan", "desk")
    service.create_programme("P", [ItemSpec("silence", seconds=1)])
    rid = service.add_rule("P", RuleSpec("daily", at=time(8)))
    new = service.add_rule("P", RuleSpec("daily", at=time(9, 30)), replaces=rid, who="bea")
    assert [(r.rule_id, r.spec.at) for r in service.rules()] == [(new, time(9, 30))]
    with pytest.raises(ValidationError):
        service.add_rule("P", RuleSpec("interval", every_minutes=0), replaces=new, who="bea")
    with pytest.raises(PermissionDenied):
        service.add_rule("P", RuleSpec("daily", at=time(7)), replaces=new, who="dan")
    with pytest.raises(NotFound):
        service.add_rule("P", RuleSpec("daily", at=time(7)), replaces=rid, who="bea")  # the old one is gone
    assert [(r.rule_id, r.spec.at) for r in service.rules()] == [(new, time(9, 30))]


def _audio(tmp_path, name, seconds=1.0, fmt="WAV", freq=440.0):
    import io

    import numpy as np
    import soundfile as sf

    t = np.arange(int(seconds * 48000)) / 48000
    buf = io.BytesIO()
    sf.write(buf, (0.4 * np.sin(2 * np.pi * freq * t)).astype(np.float32), 48000, format=fmt)
    return name, buf.getvalue()


def test_uploaded_music_becomes_a_playlist_kept_as_it_came(db, tmp_path):
    """Files are decoded to be checked (the names only give titles, even a hostile one), kept in their
    own container, content-addressed, and the playlist plays them from there."""
    from broadcaster.store.media import MediaStore
    from broadcaster.store.models.core import User, Role

    media = MediaStore(tmp_path / "media")
    with db.session() as s:
        s.add(User(name="bob", role=Role.BROADCASTER))
    files = [_audio(tmp_path, "Morning Theme.flac", 1.5, "FLAC"), _audio(tmp_path, "../../etc/passwd.wav", 1.0),
             _audio(tmp_path, "dup.wav", 1.0)]
    files[2] = ("again.wav", files[1][1])  # the same bytes twice: one file on disk
    pid = ProgrammeService(db).upload_playlist("Lobby", files, media=media, who="bob", shuffle=True)
    pl = ProgrammeService(db).playlist("Lobby")
    assert [t.title for t in pl.tracks] == ["Morning Theme", "passwd", "again"]
    assert [round(t.duration, 2) for t in pl.tracks] == [1.5, 1.0, 1.0] and pid
    root = (tmp_path / "media").resolve()
    assert all(root in t.path.parents and t.path.is_file() for t in pl.tracks)  # never where a name says
    assert pl.tracks[0].path.suffix == ".flac" and pl.tracks[1].path == pl.tracks[2].path
    assert ProgrammeService(db).list_playlists() == [("Lobby", 3, pytest.approx(3.5), True)]


def test_a_bad_music_upload_stores_nothing(db, tmp_path):
    from broadcaster.errors import PermissionDenied
    from broadcaster.store.media import MediaStore
    from broadcaster.store.models.core import User, Role

    media = MediaStore(tmp_path / "media")
    with db.session() as s:
        s.add(User(name="bob", role=Role.BROADCASTER))
        s.add(User(name="dora", role=Role.DESK))
    good = _audio(tmp_path, "ok.wav")
    svc = ProgrammeService(db)
    with pytest.raises(ValidationError, match=r"file 2 \(song\): not an audio file"):
        svc.upload_playlist("Lobby", [good, ("song.mp3", b"ID3 but not really an mp3" * 100)], media=media, who="bob")
    with pytest.raises(ValidationError, match="no sound"):
        svc.upload_playlist("Lobby", [_audio(tmp_path, "blip.wav", 0.1)], media=media, who="bob")
    with pytest.raises(ValidationError, match="name"):
        svc.upload_playlist("  ", [good], media=media, who="bob")
    with pytest.raises(ValidationError, match="at least one"):
        svc.upload_playlist("Lobby", [], media=media, who="bob")
    with pytest.raises(PermissionDenied):
        svc.upload_playlist("Lobby", [good], media=media, who="dora")
    assert svc.list_playlists() == [] and not (tmp_path / "media").exists()  # no row, no file
    svc.upload_playlist("Lobby", [good], media=media, who="bob")
    with pytest.raises(ValidationError, match="already exists"):
        svc.upload_playlist("Lobby", [good], media=media, who="bob")


@pytest.fixture
def staff(db):
    from broadcaster.users import add_user

    with db.session() as s:
        add_user(s, "bea", "broadcaster")
        add_user(s, "sid", "supervisor")
    return {"broadcaster": "bea", "supervisor": "sid"}


@pytest.mark.parametrize("priority", [100000, "emergency", "urgent_page", 80])
@pytest.mark.parametrize("who", [None, "sid", "bea"])
def test_nothing_but_an_emergency_out_ranks_a_page(service, db, staff, priority, who):
    """Issue 10: a programme at 100000 (or 'emergency') would pre-empt a lost-child page. Refused for
    everyone, the supervisor and the operator's shell included, and nothing is stored."""
    service.create_programme("P", [ItemSpec("silence", seconds=1)])
    with pytest.raises(ValidationError, match="priority: .*out-rank lost-child pages"):
        service.create_programme("Loud", [ItemSpec("silence", seconds=1)], priority=priority, who=who)
    with pytest.raises(ValidationError, match="priority: .*out-rank lost-child pages"):
        service.add_rule("P", RuleSpec("daily", at=time(8)), priority=priority, who=who)
    rid = service.add_rule("P", RuleSpec("daily", at=time(8)))
    with pytest.raises(ValidationError, match="priority: .*out-rank lost-child pages"):
        service.add_rule("P", RuleSpec("daily", at=time(9)), replaces=rid, priority=priority, who=who)
    assert [p.name for p in service.list_programmes()] == ["P"]
    assert [(r.rule_id, r.spec.at, r.priority) for r in service.rules()] == [(rid, time(8), 30)]
    assert service.expand(date(2026, 6, 1), date(2026, 6, 1))[0].priority == 30


def test_above_the_announcement_class_needs_a_supervisor(service, db, staff):
    from broadcaster.errors import PermissionDenied

    service.create_programme("P", [ItemSpec("silence", seconds=1)], who="bea")
    with pytest.raises(PermissionDenied, match="above 50 .*needs a supervisor"):
        service.create_programme("Loud", [ItemSpec("silence", seconds=1)], priority=51, who="bea")
    with pytest.raises(PermissionDenied, match="needs a supervisor"):
        service.add_rule("P", RuleSpec("daily", at=time(8)), priority=60, who="bea")
    rid = service.add_rule("P", RuleSpec("daily", at=time(8)), priority="announcement", who="bea")  # 50: fine
    with pytest.raises(PermissionDenied, match="needs a supervisor"):
        service.add_rule("P", RuleSpec("daily", at=time(9)), replaces=rid, priority=79, who="bea")
    assert [p.name for p in service.list_programmes()] == ["P"]
    assert [(r.rule_id, r.spec.at, r.priority) for r in service.rules()] == [(rid, time(8), 50)]

    loud = service.create_programme("Loud", [ItemSpec("silence", seconds=1)], priority=79, who="sid")
    new = service.add_rule("P", RuleSpec("daily", at=time(9)), replaces=rid, priority=70, who="sid")
    assert loud.priority == 79
    assert [(r.rule_id, r.priority) for r in service.rules()] == [(new, 70)]
    with pytest.raises(ValidationError, match="negative"):
        service.create_programme("Quiet", [ItemSpec("silence", seconds=1)], priority=-1, who="sid")


def test_unknown_zones_are_refused_and_nothing_is_stored(service, db, venue_zones):
    with pytest.raises(ValidationError, match="zones: unknown zone.*attic"):
        service.create_programme("P", [ItemSpec("silence", seconds=1)], zones="hall,attic")
    assert count(db, Programme) == 0
    p = service.create_programme("P", [ItemSpec("silence", seconds=1)], zones="hall, yard")
    assert p.zones == ("hall", "yard")
    with pytest.raises(ValidationError, match="zones: unknown zone.*cellar"):
        service.add_rule("P", RuleSpec("daily", at=time(8)), zones="cellar")
    rid = service.add_rule("P", RuleSpec("daily", at=time(8)), zones="main")
    with pytest.raises(ValidationError, match="zones: unknown zone.*cellar"):
        service.add_rule("P", RuleSpec("daily", at=time(9)), replaces=rid, zones="main,cellar")
    assert [(r.rule_id, r.zones) for r in service.rules()] == [(rid, ("main",))]
    with db.session() as s:  # a zone player that announced itself makes its zone known
        from broadcaster.store.models.onair import PlayerStatus

        s.add(PlayerStatus(name="cellar-box", zones=["cellar"]))
    service.add_rule("P", RuleSpec("daily", at=time(9)), replaces=rid, zones="cellar")
    assert [r.zones for r in service.rules()] == [("cellar",)]
