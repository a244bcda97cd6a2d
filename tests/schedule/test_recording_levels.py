"""A programme recording's gain (to the venue's target through the limiter) is measured once, in the
background when the recording enters a programme, and kept by the sha256 of its bytes and the target:
a new process reads it instead of measuring, a slot's airing carries it, a changed target (or changed
bytes) gets a gain of its own, found by the leader's look or at warm time if not before."""
from __future__ import annotations

import hashlib

import numpy as np
import pytest
import soundfile as sf
from sqlalchemy import select

from broadcaster.schedule import levels
from broadcaster.schedule.onair import pieces_of, warmer
from broadcaster.schedule.programmes import ItemSpec
from broadcaster.settings import save_settings
from broadcaster.store.models.schedule import RecordingLevel


def peaky(path, seed=13, seconds=8):
    """A quiet voice with claps near full scale: the limiter has work to do."""
    rng = np.random.default_rng(seed)
    t = np.arange(48_000 * seconds) / 48_000
    x = rng.normal(0, 0.02, t.size) * (np.sin(2 * np.pi * 3.7 * t) > -0.2)
    for at in range(20_000, t.size - 4_800, 60_000):
        x[at:at + 2_400] += 0.97 * np.sign(rng.normal(size=2_400)) * np.exp(-np.arange(2_400) / 240)
    sf.write(path, np.clip(x, -1, 1), 48_000, subtype="PCM_16")
    return path


@pytest.fixture
def counted(monkeypatch):
    """Each measurement this test makes, by (path, target); a fresh process's copy to begin with."""
    from playlists import library

    levels.forget()
    made = []
    real = library.recording_gain

    def measure(path, target):
        made.append((str(path), target))
        return real(path, target)
    monkeypatch.setattr(library, "recording_gain", measure)
    yield made
    levels.leveller.idle()
    levels.forget()


def rows(db):
    with db.session() as s:
        return [(r.sha256, r.target_lufs, r.gain_db) for r in s.scalars(select(RecordingLevel).order_by(
            RecordingLevel.target_lufs))]


def test_a_recording_is_measured_once_when_it_enters_a_programme_and_read_after_a_restart(db, service, tmp_path,
                                                                                         counted):
    path = peaky(tmp_path / "notice.wav")
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    p = service.create_programme("Notice", [ItemSpec("recording", path=str(path))])
    assert levels.leveller.idle()  # measured in the background, right after it was saved
    [(stored_sha, target, gain)] = rows(db)
    assert (stored_sha, target) == (sha, -20.0) and gain > 10 and counted == [(str(path.resolve()), -20.0)]
    for _ in range(2):  # a restarted service: its own copy is empty, the table is not
        levels.forget()
        with db.session() as s:
            [piece] = pieces_of(s, service.programme(p.id))
        assert piece["sha256"] == sha and piece["gain_db"] == gain and piece["limiter"] is True
    assert len(counted) == 1 and levels.missing(db) == []
    service.create_programme("Notice again", [ItemSpec("recording", path=str(path))])  # the same bytes
    assert levels.leveller.idle() and len(counted) == 1 and len(rows(db)) == 1


def test_a_new_target_gets_a_gain_of_its_own(db, service, tmp_path, counted):
    path = peaky(tmp_path / "notice.wav")
    p = service.create_programme("Notice", [ItemSpec("recording", path=str(path))])
    levels.leveller.idle()
    [(_, _, at_20)] = rows(db)
    save_settings({"loudness_lufs": -16.0})
    assert levels.missing(db) == [str(path.resolve())]  # what the leader's look finds
    levels.sweep_soon(db)
    assert levels.leveller.idle()
    assert [r[1] for r in rows(db)] == [-20.0, -16.0] and len(counted) == 2
    at_16 = rows(db)[1][2]
    assert at_16 > at_20 + 3  # about 4 dB more (the limiter takes a little more of it)
    levels.forget()
    with db.session() as s:
        [piece] = pieces_of(s, service.programme(p.id))
    assert piece["gain_db"] == at_16 and len(counted) == 2
    save_settings({"loudness_lufs": -23.0})
    warmer(db)(service.programme(p.id))  # the scheduler's job ahead of the slot measures a missing one
    assert [r[1] for r in rows(db)] == [-23.0, -20.0, -16.0] and len(counted) == 3


def test_a_slot_written_before_the_gain_is_stored_measures_it_then_and_keeps_it(db, service, tmp_path, counted):
    path = peaky(tmp_path / "notice.wav")
    p = service.create_programme("Notice", [ItemSpec("recording", path=str(path))])
    levels.leveller.idle()
    peaky(path, seed=14)  # the file changed in place after it was measured: new bytes, no gain yet
    levels.forget()
    with db.session() as s:
        [piece] = pieces_of(s, service.programme(p.id))
    assert len(counted) == 2 and piece["gain_db"] > 10
    assert len(rows(db)) == 2 and piece["sha256"] in {r[0] for r in rows(db)}  # stored with the airing
