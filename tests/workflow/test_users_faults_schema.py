"""Users and roles, the fault state machine, venue settings, and the 0002 migration against the models."""
from __future__ import annotations

import csv
import io

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, select

import broadcaster.store.models  # noqa: F401
from broadcaster import logs
from broadcaster.store.models.base import Base
from broadcaster.errors import InvalidTransition, PermissionDenied, ValidationError
from broadcaster.store.models.core import Role, User
from broadcaster.store.models.workflow import AsRun, Fault, FaultState
from broadcaster.settings import VenueSettings, load_settings, save_settings, stored_settings
from broadcaster.users import add_user, authenticate, get_user, parse_role, require
from tests.clock import ManualClock

WORKFLOW_TABLES = {"announcements", "announcement_texts", "announcement_history", "approvals", "as_run", "faults"}


def test_migrated_workflow_tables_match_the_models_including_types(db):
    with db.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True, "compare_server_default": True})
        diffs = compare_metadata(ctx, Base.metadata)

    def table_of(d):
        d = d[0] if isinstance(d, list) else d
        for part in d[1:]:
            name = getattr(part, "name", None) if not isinstance(part, str) else part
            table = getattr(part, "table", None)
            if table is not None:
                return table.name
            if name in WORKFLOW_TABLES:
                return name
        return None

    assert WORKFLOW_TABLES <= set(Base.metadata.tables)
    assert [d for d in diffs if table_of(d) in WORKFLOW_TABLES] == []


def test_users_roles_and_passwords(db):
    with db.session() as s:
        amy = add_user(s, "amy", "broadcaster", "correct horse")
        add_user(s, "root", Role.ADMIN)
        assert amy.password_hash and "correct horse" not in amy.password_hash
    with db.session() as s:
        amy, root = get_user(s, "amy"), get_user(s, "root")
        assert authenticate(s, "amy", "correct horse").id == amy.id
        assert authenticate(s, "amy", "wrong") is None and authenticate(s, "root", "") is None
        assert require(amy, Role.BROADCASTER, Role.SUPERVISOR) is amy
        assert require(root, Role.SUPERVISOR) is root  # admin holds every role
        with pytest.raises(PermissionDenied, match="amy .broadcaster. may not do this: needs supervisor"):
            require(amy, Role.SUPERVISOR)
        with pytest.raises(ValidationError, match="role"):
            parse_role("boss")


def test_passwords_are_hashed_one_at_a_time(db, monkeypatch):
    """Five desks logging in at the same moment: one scrypt at a time (each takes 32 MB and ~100 ms of
    CPU), known and unknown names alike, each checked once."""
    import threading
    import time

    import broadcaster.users as users

    with db.session() as s:
        for name in ("amy", "ben", "cat", "dan"):
            add_user(s, name, "desk", "correct horse")
    running, most, calls = [0], [0], []
    lock = threading.Lock()
    real = users.check_password_hash

    def check(password_hash, password):
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
            calls.append(password)
        time.sleep(0.05)
        with lock:
            running[0] -= 1
        return real(password_hash, password)

    monkeypatch.setattr(users, "check_password_hash", check)
    found: dict[str, bool] = {}

    def log_in(name: str) -> None:
        with db.session() as s:
            found[name] = authenticate(s, name, "correct horse") is not None

    desks = [threading.Thread(target=log_in, args=(n,)) for n in ("amy", "ben", "cat", "dan", "nobody")]
    for d in desks:
        d.start()
    for d in desks:
        d.join(10)
    assert found == {"amy": True, "ben": True, "cat": True, "dan": True, "nobody": False}
    assert most[0] == 1 and len(calls) == 5


@pytest.mark.parametrize("name, role, password, field", [
    ("amy", "desk", None, "already exists"),
    ("x", "desk", None, "name"),
    ("bob", "janitor", None, "role"),
    ("bob", "desk", "short", "password"),
])
def test_bad_users_are_refused_and_nothing_is_stored(db, name, role, password, field):
    with db.session() as s:
        add_user(s, "amy", "broadcaster")
    with pytest.raises(ValidationError, match=field):
        with db.session() as s:
            add_user(s, name, role, password)
    with db.session() as s:
        assert [(u.name, u.role) for u in s.scalars(select(User))] == [("amy", Role.BROADCASTER)]


def test_fault_states_raised_acknowledged_resolved(world):
    clock = ManualClock()
    with world.db.session() as s:
        fid = logs.raise_fault(s, "hash_mismatch", "audio changed", ref="announcement:7").id
        auto = logs.raise_fault(s, "device_lost", "unplugged", zone="lobby").id
    with world.db.session() as s:
        f = logs.acknowledge(s, fid, world.user(s, "sam"), "checking", at=clock.advance(minutes=1))
        assert f.state is FaultState.ACKNOWLEDGED
        logs.resolve(s, fid, world.user(s, "sam"), "re-approved", at=clock.advance(minutes=5))
        assert logs.resolve_open(s, "device_lost", "lobby", "device back") == 1
    with pytest.raises(InvalidTransition, match="already acknowledged"):
        with world.db.session() as s:
            logs.acknowledge(s, fid, world.user(s, "dee"))
    with world.db.session() as s:  # cleared by the system, never seen by a person: still on the dashboard
        assert [f.id for f in logs.faults(s, attention=True)] == [auto]
    with pytest.raises(PermissionDenied, match="not active"):
        with world.db.session() as s:
            new = logs.raise_fault(s, "tts_down", "espeak missing")
            logs.acknowledge(s, new.id, User(name="ghost", role=Role.DESK, active=False))
    with world.db.session() as s:
        assert s.scalar(select(func.count()).select_from(Fault)) == 2  # the failed transaction stored nothing
        assert s.get(Fault, auto).acknowledged_at is None
        assert [f.id for f in logs.faults(s) if f.state is not FaultState.RESOLVED] == []
        logs.acknowledge(s, auto, world.user(s, "dee"), "seen: cable reseated overnight")
        assert s.get(Fault, auto).state is FaultState.RESOLVED
        assert logs.faults(s, attention=True) == []
        rows = list(csv.DictReader(io.StringIO(logs.faults_csv(logs.faults(s)))))
    first = next(r for r in rows if r["id"] == str(fid))
    assert first["state"] == "resolved" and first["acknowledged_by"] == "sam" and first["resolved_by"] == "sam"
    assert first["acknowledged_at"] == "2026-11-22T10:01:00+00:00"
    assert first["resolved_at"] == "2026-11-22T10:06:00+00:00"
    assert first["ref"] == "announcement:7" and "sam: checking" in first["note"]
    assert next(r for r in rows if r["id"] == str(auto))["resolved_by"] == ""


def test_as_run_csv_is_newest_first_with_iso_times(world):
    clock = ManualClock()
    with world.db.session() as s:
        for n in (1, 2):
            at = clock.advance(minutes=1)
            s.add(AsRun(ref=f"announcement:{n}", title=f"Item {n}", kind="announcement", zone="main",
                        priority=50, started_at=at, content_hash=str(n) * 64))
            s.flush()
        cut = s.scalar(select(AsRun).where(AsRun.ref == "announcement:2"))
        cut.outcome, cut.ended_at, cut.detail = "interrupted", clock.advance(seconds=3), "pre-empted by page:4"
        text = logs.as_run_csv(logs.as_run_rows(s))
    lines = text.splitlines()
    assert lines[0] == ",".join(logs.AS_RUN_COLUMNS)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["ref"] for r in rows] == ["announcement:2", "announcement:1"]
    assert rows[0]["started_at"] == "2026-11-22T10:02:00+00:00" and rows[0]["ended_at"] == "2026-11-22T10:02:03+00:00"
    assert rows[0]["outcome"] == "interrupted" and rows[0]["detail"] == "pre-empted by page:4"
    assert rows[1]["outcome"] == "airing" and rows[1]["ended_at"] == ""


def test_settings_saved_then_environment(db, monkeypatch):
    for var in ("PA_LANGUAGES", "PA_VENUE_TZ", "PA_ZONES"):
        monkeypatch.delenv(var, raising=False)
    save_settings({"languages": ["en", "zh-CN"], "timezone": "Europe/London"}, db)
    s = load_settings(db)
    assert s.languages == ["en", "zh-CN"] and s.tz.key == "Europe/London"
    assert s.order(["zh-CN", "ja", "en"]) == ["en", "zh-CN", "ja"]
    monkeypatch.setenv("PA_LANGUAGES", "zh-CN,en")
    monkeypatch.setenv("PA_ZONES", "main=null,lobby=wav:/tmp/x.wav")
    s = load_settings(db)
    assert s.languages == ["zh-CN", "en"] and s.zones == {"main": "null", "lobby": "wav:/tmp/x.wav"}
    monkeypatch.setenv("PA_ZONES", "lobby")
    with pytest.raises(ValidationError, match="zones"):
        load_settings(db)
    monkeypatch.delenv("PA_ZONES")
    monkeypatch.setenv("PA_VENUE_TZ", "Mars/Olympus")
    with pytest.raises(ValidationError, match="timezone"):
        load_settings(db)
    monkeypatch.delenv("PA_VENUE_TZ")
    assert load_settings().tz.key == "Europe/London"  # the process's store: the same database
    assert stored_settings(db) == {"languages": ["en", "zh-CN"], "timezone": "Europe/London"}  # no environment
    assert VenueSettings().languages == ["zh-CN", "en"]
