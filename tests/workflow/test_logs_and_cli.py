"""Fault lifecycle, CSV exports, and the workflow CLI end to end on a real SQLite file."""
from __future__ import annotations

import csv
import io
import json
import os
from datetime import datetime, timedelta, timezone

import pytest

from broadcaster import logs
from broadcaster.store.models.workflow import AsRun
from broadcaster.cli import main
from broadcaster.store.db import Database
from broadcaster.clock import utcnow
from broadcaster.errors import InvalidTransition, ValidationError
from broadcaster.onair import airings, outcomes
from broadcaster.store.models.workflow import Fault, FaultState


def test_fault_lifecycle(world):
    with world.db.session() as s:
        f = logs.raise_fault(s, "device_lost", "PA amplifier unplugged", zone="main")
        again = logs.raise_fault(s, "device_lost", "still unplugged", zone="main")
        assert again.id == f.id and again.occurrences == 2  # no flood of duplicates
        fid = f.id
    with world.db.session() as s:
        logs.acknowledge(s, fid, world.user(s, "dee"), "calling technician")
    with pytest.raises(InvalidTransition, match="already acknowledged"):
        with world.db.session() as s:
            logs.acknowledge(s, fid, world.user(s, "sam"))
    with world.db.session() as s:
        logs.resolve(s, fid, None, "device back")
        fault = s.get(Fault, fid)
        assert fault.state is FaultState.RESOLVED and fault.resolved_by is None
        assert "dee: calling technician" in fault.note and "system: device back" in fault.note
    with pytest.raises(InvalidTransition, match="already resolved"):
        with world.db.session() as s:
            logs.resolve(s, fid, world.user(s, "sam"))
    with world.db.session() as s:  # after resolution a new occurrence is a new fault
        assert logs.raise_fault(s, "device_lost", "again", zone="main").id != fid
    with pytest.raises(ValidationError, match="kind"):
        with world.db.session() as s:
            logs.raise_fault(s, "gremlins", "?")


def test_csv_exports_say_exactly_what_aired(world):
    """The as-run CSV as written by the on-air path: each piece's hash, the approver, the engines."""
    now = utcnow()
    piece = {"type": "audio", "sha256": "ab" * 32, "ref": "announcement:1", "title": 'Closing, "soon"',
             "approved_by": "sam", "engines": "espeak:cmn"}
    with world.db.session() as s:
        [airing] = airings.request(s, airings.Request(
            key="announcement:1:x", ref="announcement:1", kind="announcement", title='Closing, "soon"',
            zones=["main"], priority=50, pieces=[{"type": "chime", "name": "announcement"}, piece],
            content_hash="ab" * 32))
        outcomes.record(s, airing.id, "started", now)
        outcomes.record(s, airing.id, "completed", now + timedelta(seconds=4))
        logs.raise_fault(s, "tts_down", "gTTS: no network")
        rows = list(csv.DictReader(io.StringIO(logs.as_run_csv(logs.as_run_rows(s)))))
        frows = list(csv.DictReader(io.StringIO(logs.faults_csv(logs.faults(s)))))
    [row] = rows
    assert row["title"] == 'Closing, "soon"' and row["outcome"] == "completed"
    assert row["started_at"] == now.isoformat() and row["ended_at"] == (now + timedelta(seconds=4)).isoformat()
    assert (row["approved_by"], row["engines"], row["content_hash"]) == ("sam", "espeak:cmn", "ab" * 32)
    assert row["airing_id"] == str(airing.id)
    assert json.loads(row["pieces"]) == [{"type": "chime", "name": "announcement"}, piece]
    assert frows[0]["kind"] == "tts_down" and frows[0]["state"] == "raised"


def test_cli_round_trip(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("PA_VAR_DIR", str(tmp_path))
    db = ["--db", f"sqlite:///{tmp_path / 'cli.sqlite3'}"]
    assert main(db + ["user", "add", "amy", "--role", "broadcaster", "--no-login"]) == 0
    assert main(db + ["user", "add", "sam", "--role", "supervisor", "--no-login"]) == 0
    assert main(db + ["user", "add", "amy", "--role", "desk", "--no-login"]) == 1  # duplicate: clear error
    assert "already exists" in capsys.readouterr().err
    assert main(db + ["announce", "create", "--title", "Welcome", "--text", "en=Welcome to the park.",
                      "--text", "zh-CN=欢迎光临。", "--author", "amy"]) == 0
    assert main(db + ["approve", "1", "--user", "sam"]) == 1
    assert "only submitted" in capsys.readouterr().err
    assert main(db + ["submit", "1", "--user", "amy"]) == 0
    assert main(db + ["approve", "1", "--user", "amy"]) == 1
    assert "needs supervisor" in capsys.readouterr().err
    assert main(db + ["approve", "1", "--user", "sam"]) == 0
    assert "approved; audio sha256" in capsys.readouterr().out
    assert main(db + ["queue", "1", "--user", "amy"]) == 0
    capsys.readouterr()
    assert main(db + ["queue"]) == 0
    out = capsys.readouterr().out  # the zones' queue, read from the airings: no player runs here
    assert "main     waiting      p50  announcement Welcome" in out and "no zone player is running" in out
    assert main(db + ["queue", "1", "--user", "amy"]) == 1  # queued already: once is enough
    assert "is queued; only approved items can air" in capsys.readouterr().err
    assert main(db + ["unqueue", "1", "--user", "amy"]) == 0
    assert main(db + ["queue"]) == 0
    assert "queue empty" in capsys.readouterr().out
    assert main(db + ["announce", "create", "--title", "Two", "--text", "en=Hi.", "--author", "amy",
                      "--zone", "main,gate"]) == 1  # comma-separated zones are each checked
    assert "unknown zone(s) gate" in capsys.readouterr().err
    assert main(db + ["announce", "show", "1"]) == 0
    out = capsys.readouterr().out
    assert "zh-CN: 欢迎光临。" in out and "submitted -> approved sam" in out
    assert "approved -> queued amy" in out and "queued -> approved amy taken off the air" in out
    assert main(db + ["announce", "create", "--title", "Bad", "--text", "en", "--author", "amy"]) == 1
    assert "LANG=TEXT" in capsys.readouterr().err
    assert main(db + ["log", "asrun", "--csv", str(tmp_path / "asrun.csv")]) == 0
    assert (tmp_path / "asrun.csv").read_text().startswith("id,started_at")
    assert main(db + ["faults"]) == 0
    assert "no faults need attention" in capsys.readouterr().out


def test_cli_reject_users_faults_and_as_run(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("PA_VAR_DIR", str(tmp_path))
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    db = ["--db", url]
    for name, role in (("amy", "broadcaster"), ("sam", "supervisor"), ("dee", "desk")):
        assert main(db + ["user", "add", name, "--role", role, "--no-login"]) == 0
    with pytest.raises(SystemExit) as exit_:  # argparse refuses an unknown role
        main(db + ["user", "add", "bob", "--role", "janitor"])
    assert exit_.value.code == 2
    capsys.readouterr()
    assert main(db + ["user", "list"]) == 0
    assert [line.split()[:2] for line in capsys.readouterr().out.splitlines()] == [
        ["amy", "broadcaster"], ["dee", "desk"], ["sam", "supervisor"]]
    assert main(db + ["announce", "create", "--title", "Show", "--text", "en=The show starts at three.",
                      "--author", "amy"]) == 0
    assert main(db + ["queue", "1", "--user", "amy"]) == 1
    assert "only approved items can air" in capsys.readouterr().err
    assert main(db + ["submit", "1", "--user", "amy"]) == 0
    assert main(db + ["reject", "1", "--user", "sam", "--reason", " "]) == 1
    assert "reason: say why" in capsys.readouterr().err
    assert main(db + ["reject", "1", "--user", "sam", "--reason", "add the Chinese text"]) == 0
    capsys.readouterr()
    assert main(db + ["announce", "list", "--state", "rejected"]) == 0
    assert "#1     rejected" in capsys.readouterr().out
    assert main(db + ["announce", "show", "1"]) == 0
    assert "rejected: add the Chinese text" in capsys.readouterr().out

    from broadcaster.store.db import Database

    database = Database(url)
    with database.session() as s:
        fid = logs.raise_fault(s, "tts_down", "piper voice missing").id
        s.add(AsRun(ref="page:3", title="Lost child", kind="page", zone="main", priority=80, started_at=utcnow()))
    database.dispose()
    assert main(db + ["faults"]) == 0
    assert f"#{fid}" in capsys.readouterr().out
    assert main(db + ["faults", "--ack", str(fid)]) == 1
    assert "--user" in capsys.readouterr().err
    assert main(db + ["faults", "--ack", str(fid), "--user", "dee", "--note", "restarting"]) == 0
    assert main(db + ["faults", "--ack", str(fid), "--user", "sam"]) == 1
    assert "already acknowledged" in capsys.readouterr().err
    assert main(db + ["faults", "--resolve", str(fid), "--user", "sam"]) == 0
    capsys.readouterr()
    assert main(db + ["faults"]) == 0
    assert "no faults need attention" in capsys.readouterr().out
    assert main(db + ["faults", "--all", "--csv", str(tmp_path / "faults.csv")]) == 0
    row = next(csv.DictReader(open(tmp_path / "faults.csv", encoding="utf-8")))
    assert (row["state"], row["acknowledged_by"], row["resolved_by"]) == ("resolved", "dee", "sam")
    assert main(db + ["log", "asrun"]) == 0
    assert "page:3" in capsys.readouterr().out


def test_resolve_open_by_ref_leaves_other_engines_alone(world):
    with world.db.session() as s:
        logs.raise_fault(s, "tts_down", "gTTS: no network", ref="tts:gtts")
        logs.raise_fault(s, "tts_down", "piper: voice missing", ref="tts:piper")
    with world.db.session() as s:
        assert logs.resolve_open(s, "tts_down", None, "answering again", ref="tts:gtts") == 1
        assert {f.ref: f.state.value for f in logs.faults(s)} == {"tts:gtts": "resolved", "tts:piper": "raised"}


def test_a_listing_piped_into_a_reader_that_stops_early_ends_quietly(tmp_path):
    """``broadcaster log asrun | head``: the reader goes away; the command stops without a traceback."""
    import subprocess
    import sys

    db = f"sqlite:///{tmp_path / 'pipe.sqlite3'}"
    with Database(db).session() as s:
        for n in range(3000):  # more than a pipe holds
            s.add(AsRun(ref=f"announcement:{n}", title=f"Closing soon {n}", kind="announcement", zone="main",
                        priority=50, started_at=datetime(2026, 11, 28, 8, 0, tzinfo=timezone.utc), outcome="completed"))
    proc = subprocess.Popen([sys.executable, "-m", "broadcaster", "--db", db, "log", "asrun", "--limit", "3000"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, "PA_VAR_DIR": str(tmp_path)})
    proc.stdout.readline()
    proc.stdout.close()  # as head does after its lines
    err = proc.stderr.read().decode()
    assert proc.wait(60) == 0 and "Traceback" not in err and "BrokenPipeError" not in err, err
