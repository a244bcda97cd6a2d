"""The desk CLI end to end against a real SQLite file."""
import pytest

from broadcaster.cli import main
from broadcaster.store.db import Database
from broadcaster.store.models.cases import LostItem, Page, PersonCase
from broadcaster.store.models.core import Role, User
from broadcaster.store.models.onair import Airing


@pytest.fixture
def url(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    db = Database(url)
    with db.session() as s:
        s.add_all([User(name="dora", role=Role.DESK), User(name="sam", role=Role.SUPERVISOR)])
    db.dispose()
    return url


def run(url, *argv) -> int:
    return main(["--db", url, *argv])


def _approve_all(url, capsys):
    assert run(url, "templates", "seed") == 0
    out = capsys.readouterr().out
    assert "7 template(s) created" in out
    for n in range(1, 7):
        assert run(url, "template", "approve", str(n), "--user", "sam") == 0


#: The venue has not named its places in the panel: the desk gives them in Chinese too.
SAID = ("--said", "place", "zh-CN", "旋转木马", "--said", "meeting-point", "zh-CN", "游客中心")


def test_page_missing_records_case_and_page_for_the_service(url, capsys):
    _approve_all(url, capsys)
    rc = run(url, "page", "missing", "--age", "5", "--sex", "boy", "--clothing", "red jacket", "--shoes",
             "white sneakers", "--place", "Carousel", "--meeting-point", "Visitor Centre", "--reporter",
             "Wang Fang", "--contact", "13800000000", "--name", "王小明", "--user", "dora", *SAID)
    out = capsys.readouterr().out
    assert rc == 0 and "case 2026" in out and "王小明" not in out
    # no zone player runs: the desk is told the page is not on air, at once, not that it is
    assert "NOT ON AIR in main: no zone player is running there" in out and "on air in main since" not in out
    db = Database(url)
    with db.session() as s:
        case = s.query(PersonCase).one()
        page = s.query(Page).one()
        assert case.person_name == "王小明" and page.status.value == "active" and page.times_queued == 1
        [airing] = s.query(Airing).all()  # written with the page: no service tick needed
        assert (airing.ref, airing.zone, airing.state.value) == (f"page:{page.id}", "main", "queued")
    number = case.number
    assert run(url, "case", "list") == 0 and number in capsys.readouterr().out
    assert run(url, "case", "resolve", number, "--state", "closed", "--user", "dora") == 1
    assert "result" in capsys.readouterr().err
    assert run(url, "case", "resolve", number, "--state", "reunited", "--user", "dora") == 0
    with db.session() as s:  # off the air; the all-clear on its way
        assert [(a.ref, a.state.value) for a in s.query(Airing).order_by(Airing.id)] == [
            (f"page:{page.id}", "cancelled"), (f"page:{page.id + 1}", "queued")]
    assert run(url, "case", "resolve", number, "--state", "closed", "--result", "with mother", "--user",
               "dora") == 0
    assert run(url, "case", "followup", number, "--outcome", "family satisfied", "--user", "dora") == 0
    capsys.readouterr()
    assert run(url, "case", "show", number) == 0
    shown = capsys.readouterr().out
    assert "open->paged" in shown and "reunited->closed" in shown and "family satisfied" in shown
    assert "last airing: main cancelled" in shown and "last airing: main queued" in shown


PAGE = ("page", "missing", "--age", "5", "--sex", "boy", "--clothing", "red jacket", "--shoes", "boots",
        "--place", "Carousel", "--meeting-point", "Visitor Centre", "--reporter", "Wang Fang", "--contact", "138",
        "--user", "dora", *SAID)


def _paged(url):
    with Database(url).session() as s:
        page = s.query(Page).order_by(Page.id.desc()).first()
        return page, sorted(a.zone for a in s.query(Airing).filter_by(ref=f"page:{page.id}"))


def test_cli_pages_follow_the_venue_settings(url, capsys, monkeypatch, tmp_path):
    """A page from the CLI goes where a page from the panel goes, repeating as the venue says: its
    zones and interval come from the venue settings in the database (whatever machine's panel saved
    them: machine B's own old var/settings.json is not read), and PA_ZONES overrides them."""
    from broadcaster.settings import save_settings

    _approve_all(url, capsys)
    save_settings({"zones": {"lobby": "null", "hall": "null"}, "page_interval_min": 1.5, "page_max_repeats": 2,
                   "escalate_after_min": 20}, url)  # machine A's panel
    machine_b = tmp_path / "machine-b"
    machine_b.mkdir()
    (machine_b / "settings.json").write_text('{"zones": {"main": "device"}, "page_interval_min": 3}')
    monkeypatch.setenv("PA_VAR_DIR", str(machine_b))
    assert run(url, *PAGE) == 0
    assert "for lobby, hall" in capsys.readouterr().out
    page, zones = _paged(url)
    assert (page.zones, page.interval_s, page.max_repeats) == ("lobby,hall", 90, 2) and zones == ["hall", "lobby"]
    monkeypatch.setenv("PA_ZONES", "gate=null")
    assert run(url, *PAGE) == 0
    page, zones = _paged(url)
    assert (page.zones, page.interval_s, zones) == ("gate", 90, ["gate"])


def test_cli_page_to_chosen_zones_and_never_to_an_unknown_one(url, capsys, monkeypatch):
    monkeypatch.setenv("PA_ZONES", "lobby=null,hall=null")
    _approve_all(url, capsys)
    assert run(url, *PAGE, "--zones", "hall") == 0
    assert _paged(url)[1] == ["hall"]
    capsys.readouterr()
    assert run(url, *PAGE, "--zones", "carpark") == 1
    assert "unknown zone(s) carpark" in capsys.readouterr().err
    with Database(url).session() as s:  # refused before anything was stored
        assert (s.query(PersonCase).count(), s.query(Page).count(), s.query(Airing).count()) == (1, 1, 1)


def test_cli_page_reaches_the_zones_players_announced_and_says_it_is_on_air(url, capsys, tmp_path):
    """``serve --zone lobby=...`` adds the lobby to that service's own pages: a CLI page for every zone
    reaches it too (the settings name main only). The desk is told zone by zone that the page is on air,
    as the airings the player started report it."""
    from sqlalchemy import select

    from tests.conftest import OnAir

    _approve_all(url, capsys)
    db = Database(url)
    air = OnAir(db, tmp_path, zones=("main", "lobby"), realtime=True).start()  # a real player, paced sinks
    try:
        assert run(url, *PAGE) == 0
        out = capsys.readouterr().out
    finally:
        air.stop()
    page, zones = _paged(url)
    assert page.zones == "main,lobby" and zones == ["lobby", "main"]
    with db.session() as s:
        started = set(s.scalars(select(Airing.zone).where(Airing.ref == f"page:{page.id}",
                                                          Airing.started_at.is_not(None))))
    assert started == {"main", "lobby"}
    assert "on air in main since" in out and "on air in lobby since" in out and "NOT ON AIR" not in out, out


def test_page_with_unapproved_template_keeps_the_case(url, capsys):
    assert run(url, "templates", "seed") == 0
    rc = run(url, "page", "found", "--age", "4", "--sex", "girl", "--clothing", "yellow dress",
             "--meeting-point", "Gate 2", "--user", "dora")
    captured = capsys.readouterr()
    assert rc == 1 and "NOT paged" in captured.out and "approve" in captured.err
    with Database(url).session() as s:
        assert s.query(PersonCase).count() == 1 and s.query(Page).count() == 0


def test_missing_field_is_named(url, capsys):
    _approve_all(url, capsys)
    rc = run(url, "page", "missing", "--age", "5", "--reporter", "A", "--contact", "B", "--user", "dora")
    assert rc == 1 and "clothing" in capsys.readouterr().err
    with Database(url).session() as s:
        assert s.query(PersonCase).count() == 0
    rc = run(url, "page", "missing", "--age", "5", "--clothing", "red jacket", "--user", "dora")
    err = capsys.readouterr().err  # named as the options the desk types, not the stored fields
    assert rc == 1 and "--reporter:" in err and "--contact:" in err and "reporter_name" not in err
    with Database(url).session() as s:
        assert s.query(PersonCase).count() == 0


def test_lost_property_commands(url, capsys):
    assert run(url, "lost", "add", "--what", "phone", "--where", "Cafe", "--finder", "guest",
               "--storage", "Safe 1", "--found-at", "2026-10-01T12:00", "--user", "dora") == 0
    number = capsys.readouterr().out.split()[1]
    assert number.startswith("L20261001-")
    assert run(url, "lost", "unclaimed") == 0 and number in capsys.readouterr().out
    assert run(url, "lost", "claim", number, "--owner", "Li Lei", "--identity", "139", "--verification",
               "knew the lock screen", "--signature", "Li Lei", "--user", "dora") == 0
    assert "handed_over" in capsys.readouterr().out
    assert run(url, "lost", "unclaimed") == 0 and "0 item(s)" in capsys.readouterr().out
    with Database(url).session() as s:
        assert s.query(LostItem).one().state.value == "handed_over"


# -- hostile option values: one clear line naming the option, exit 1, nothing stored ----------------
TEXT = {"NUL": "x\x00", "control": "x\x1b[2J", "bidi": "x\u202e1", "100k": "x" * 100_000}
WHEN = {"25:99": "25:99", "no such day": "2026-02-30T10:00", "year 1": "0001-01-01T00:00",
        "far future": "2999-12-31T23:59", "words": "yesterday", **TEXT}
PAGE_FOUND = ["page", "found", "--meeting-point", "Gate", "--age", "3", "--sex", "girl", "--clothing", "pink",
              "--user", "dora"]
HOSTILE = [
    (["lost", "unclaimed"], "--days", {"word": "abc", "negative": "-1", "23 digits": "1" * 23, "fraction": "2.5",
                                      "past 10 years": "3651", **TEXT}),
    (["case", "list"], "--state", {"junk": "junk", "NUL": "open\x00", "upper": "OPEN ", **TEXT}),
    (["case", "stats"], "--month", {"13": "2026-13", "words": "last month", "23 digits": "1" * 23, **TEXT}),
    (PAGE_FOUND, "--seen-at", WHEN),
    (["case", "followup", "NO-SUCH", "--outcome", "Fine", "--user", "dora"], "--at", WHEN),
    (["lost", "add", "--what", "umbrella", "--where", "Gate", "--finder", "Li", "--storage", "Shelf",
      "--user", "dora"], "--found-at", WHEN),
]


def test_hostile_option_values_get_one_line_naming_the_option_and_store_nothing(url, capsys):
    from tests.web.test_hostile_inputs import dump

    _approve_all(url, capsys)
    db, wrong = Database(url), []
    before = dump(db)
    for argv, option, values in HOSTILE:
        for label, value in values.items():
            rc = run(url, *argv, option, value)
            err = capsys.readouterr().err
            if rc != 1 or not err.startswith(f"error: {option}: ") or err.count("\n") != 1 or "Traceback" in err:
                wrong.append((argv[:2], option, label, rc, err[:160]))
    assert wrong == []
    assert dump(db) == before


def test_good_option_values_still_pass(url, capsys):
    assert run(url, "lost", "unclaimed", "--days", "0") == 0 and "after 0 days" in capsys.readouterr().out
    assert run(url, "lost", "unclaimed") == 0 and "after 30 days" in capsys.readouterr().out
    assert run(url, "case", "list", "--state", "closed", "--all") == 0
    assert run(url, "case", "stats", "--month", "2026-11") == 0


@pytest.mark.parametrize("ref", ["9" * 23, "²", "١٢"])
def test_a_template_number_no_template_can_have_is_not_found_not_a_traceback(url, capsys, ref):
    from tests.web.test_hostile_inputs import dump

    _approve_all(url, capsys)
    db = Database(url)
    before = dump(db)
    for verb in (["template", "show", ref], ["template", "approve", ref, "--user", "sam"]):
        rc = run(url, *verb)
        err = capsys.readouterr().err
        assert rc == 1 and "no such page template" in err and "Traceback" not in err, (verb, rc, err)
    assert dump(db) == before


def test_template_show_gives_the_wording_on_air_and_the_new_one_waiting(url, capsys):
    """An approved template edited in the panel: the CLI shows the wording that airs and, apart, the new
    wording waiting for a supervisor, and `template approve` puts the new one on air."""
    from broadcaster.paging.templates import TemplateService

    _approve_all(url, capsys)
    svc = TemplateService(Database(url))
    tpl = svc.list()[0]
    on_air = dict(tpl.texts)
    svc.edit(tpl.id, "dora", texts={**on_air, "en": on_air["en"] + " Please call the desk."})
    capsys.readouterr()
    assert run(url, "templates", "list") == 0
    listed = [line for line in capsys.readouterr().out.splitlines() if line.startswith(f"#{tpl.id} ")]
    assert listed and "new wording waiting" in listed[0]
    assert run(url, "template", "show", str(tpl.id)) == 0
    shown = capsys.readouterr().out
    head, _, waiting = shown.partition("new wording waiting for approval")
    assert f"[en] {on_air['en']}\n" in head and "Please call the desk." not in head
    assert f"[en] {on_air['en']} Please call the desk." in waiting
    assert run(url, "template", "approve", str(tpl.id), "--user", "sam") == 0
    capsys.readouterr()
    assert run(url, "template", "show", str(tpl.id)) == 0
    shown = capsys.readouterr().out
    assert "Please call the desk." in shown and "waiting" not in shown


def test_as_run_and_fault_lists_show_venue_time(url, capsys):
    """The desk reads the as-run and fault lists by the venue's clock, as every other list of the CLI
    and the panel (they printed UTC: 21:11 for an airing the venue heard at 05:11 the next day)."""
    from datetime import datetime, timezone

    from broadcaster import logs
    from broadcaster.store.models.workflow import AsRun

    at = datetime(2026, 11, 27, 21, 11, 30, tzinfo=timezone.utc)  # 2026-11-28 05:11:30 in Shanghai
    with Database(url).session() as s:
        s.add(AsRun(ref="page:1", title="Page 20261128-001", kind="page", zone="main", started_at=at))
        logs.raise_fault(s, "device_lost", "zone main: gone", zone="main").raised_at = at
    capsys.readouterr()
    assert run(url, "log", "asrun") == 0 and run(url, "faults") == 0
    out = capsys.readouterr().out
    assert "2026-11-28 05:11:30 main" in out and "2026-11-28 05:11 raised" in out and "21:11" not in out


def test_cli_refuses_a_detail_in_one_language_naming_the_option_and_takes_it_in_each(url, capsys):
    _approve_all(url, capsys)
    raincoat = [a for a in PAGE if a != "red jacket"]
    raincoat.insert(raincoat.index("--clothing") + 1, "yellow raincoat")
    assert run(url, *raincoat) == 1
    assert "--said clothing zh-CN" in capsys.readouterr().err
    with Database(url).session() as s:
        assert s.query(PersonCase).count() == 0 and s.query(Page).count() == 0
    assert run(url, *raincoat, "--said", "clothing", "zh-CN", "黄色雨衣") == 0
    with Database(url).session() as s:
        texts = s.query(Page).one().texts
    assert "黄色雨衣" in texts["zh-CN"] and "旋转木马" in texts["zh-CN"] and "yellow raincoat" in texts["en"]
