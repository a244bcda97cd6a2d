"""The venue settings are in the database every machine shares (they were var/settings.json, one file per
machine): a change saved through one process's Database is what another process on the same store reads
and adopts (the leader's paging, another panel), on real SQLite and real PostgreSQL. A venue's settings
file is imported once, losing nothing; a broken one imports nothing and says so; bad input stores nothing."""
from __future__ import annotations

import json
import logging
from datetime import timedelta
from pathlib import Path

import pytest

from broadcaster.errors import ValidationError
from broadcaster.settings import load_settings, save_settings, settings_version, stored_settings, var_dir
from broadcaster.store.db import Database


@pytest.fixture(params=["sqlite", "postgres"])
def store(request):
    """The test's store (its first process's Database), SQLite or PostgreSQL."""
    return request.getfixturevalue("db" if request.param == "sqlite" else "pg_db")


def another_process(store) -> Database:
    """The same store as another process (another machine) opens it: its own engine and connections."""
    return Database(store.url, migrate=False)


def settings_file() -> Path:
    return var_dir() / "settings.json"


def test_a_setting_saved_through_one_process_is_what_another_reads(store):
    other = another_process(store)
    try:
        assert settings_version(other) == 0 and load_settings(other).page_interval_min == 3.0
        save_settings({"page_interval_min": 1.5, "venue_name": "海港乐园"}, store)
        assert settings_version(other) == 1
        assert load_settings(other).page_interval_min == 1.5 and load_settings(other).venue_name == "海港乐园"
        save_settings({"page_max_repeats": 2}, other)  # merged: what the first saved stays
        assert settings_version(store) == 2
        assert stored_settings(store) == {"page_interval_min": 1.5, "venue_name": "海港乐园", "page_max_repeats": 2}
    finally:
        other.dispose()


def test_the_leader_adopts_a_change_saved_elsewhere_for_its_next_page_and_escalation(store):
    from broadcaster.cases.missing import CaseService
    from broadcaster.service import REMOTE, BroadcastService
    from tests.desk.conftest import lost_child
    from tests.test_service import staff_and_templates

    staff_and_templates(store)
    leader = BroadcastService(db_url=store.url, zones={"main": REMOTE}, scheduler=False)  # serve --no-web
    try:
        assert leader.paging.interval == timedelta(minutes=3)
        save_settings({"page_interval_min": 1.0, "escalate_after_min": 4.0, "page_max_repeats": 2}, store)
        assert leader.paging.interval == timedelta(minutes=3)  # until its next round
        assert leader.lead()
        assert leader.paging.interval == timedelta(minutes=1) and leader.paging.escalate_after == timedelta(minutes=4)
        assert leader.settings.page_max_repeats == 2
        case = CaseService(leader.db).open_case("dora", "missing", lost_child())
        page = leader.paging.page_case(case.number, "dora")
        assert page.interval_s == 60 and page.max_repeats == 2  # its repeats come at the new interval
        assert page.next_due_at - page.first_queued_at == timedelta(minutes=1)
    finally:
        leader.stop()


def test_a_settings_file_is_imported_once_losing_nothing(db, caplog):
    saved = {"languages": ["zh-CN", "en", "ru"], "timezone": "Europe/Moscow", "page_interval_min": 2.5,
             "places": [{"names": {"zh-CN": "旋转木马", "en": "Carousel", "ru": "Карусель"}, "meeting_point": True}],
             "complaint_answer_hours": 2, "something_a_later_version_reads": {"kept": [1, 2]}}
    settings_file().write_text(json.dumps(saved, ensure_ascii=False), encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="broadcaster.settings"):
        assert load_settings(db).timezone == "Europe/Moscow"
    assert "imported into the database" in caplog.text and "not read any more" in caplog.text
    assert stored_settings(db) == saved and settings_version(db) == 1
    settings_file().write_text(json.dumps({"timezone": "UTC"}))  # not read again
    other = another_process(db)
    try:
        assert load_settings(other).timezone == "Europe/Moscow" and settings_version(other) == 1
    finally:
        other.dispose()
    assert save_settings({"venue_name": "Park"}, db).places == saved["places"]
    assert stored_settings(db) == {**saved, "venue_name": "Park"}


def test_a_broken_settings_file_imports_nothing_and_says_so(db):
    settings_file().write_text("{not json", encoding="utf-8")
    for attempt in (lambda: load_settings(db), lambda: save_settings({"page_interval_min": 2}, db)):
        with pytest.raises(ValidationError, match="not valid JSON.*nothing was imported"):
            attempt()
    assert settings_version(db) == 0 and settings_file().read_text() == "{not json"
    settings_file().write_text("[1, 2]")  # JSON, but not settings
    with pytest.raises(ValidationError, match="not a JSON object"):
        load_settings(db)
    settings_file().write_text('{"page_interval_min": 2}')  # mended: imported then
    assert load_settings(db).page_interval_min == 2 and settings_version(db) == 1


@pytest.mark.parametrize("bad", [{"timezone": "Mars/Olympus"}, {"air_log_zones": "some"},
                                 {"air_log_max_gb": -1}, {"page_max_repeats": 0}, {"page_max_repeats": "5"}])
def test_bad_input_stores_nothing(store, bad):
    save_settings({"venue_name": "Park"}, store)
    with pytest.raises(ValidationError):
        save_settings({**bad, "page_interval_min": 9}, store)
    assert stored_settings(store) == {"venue_name": "Park"} and settings_version(store) == 1



SAVER = """
import os, sys
from broadcaster.settings import save_settings
from broadcaster.store.db import Database
url, key, go = sys.argv[1], sys.argv[2], sys.argv[3]
db = Database(url, migrate=False)
print("ready", flush=True)
while not os.path.exists(go):
    pass
for i in range(150):
    save_settings({f"{key}{i}": i}, db)
"""


def test_two_processes_saving_at_the_same_moment_both_succeed_and_every_key_is_kept(store, tmp_path):
    """Two processes (two panels, a panel and the desk CLI) save different settings at the very same
    moment, 150 times each, the first save of the venue included: every save succeeds (none is 'database
    is locked', none a duplicate first row) and none is lost (a save merged into what the other had just
    stored, not into what it read before)."""
    import os
    import subprocess
    import sys

    go = tmp_path / "go"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    procs = [subprocess.Popen([sys.executable, "-c", SAVER, store.url, key, str(go)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) for key in ("a", "b")]
    assert [p.stdout.readline() for p in procs] == ["ready\n", "ready\n"]  # both started: now both save
    go.touch()
    outs = [(p.communicate(timeout=120)[0], p.returncode) for p in procs]
    assert [code for _, code in outs] == [0, 0], outs
    assert stored_settings(store) == {f"{key}{i}": i for key in ("a", "b") for i in range(150)}
    assert settings_version(store) == 300
