"""Announcements through the approval gate, with the real renderer and a real SQLite database."""
from __future__ import annotations

import io
from datetime import timedelta

import numpy as np
import pytest
import soundfile as sf
from sqlalchemy import func, select

from broadcaster.announcements.approval import OutsideWindow, RefusedToAir
from broadcaster.announcements.station import check_window
from broadcaster.clock import utcnow
from broadcaster.errors import InvalidTransition, NotFound, PermissionDenied, ValidationError
from broadcaster.onair.pieces import HashMismatch as PieceHashMismatch, MediaSource
from broadcaster.store.models.workflow import Announcement, Approval, StateChange


def states(world, ann_id):
    with world.db.session() as s:
        return [(h.from_state, h.to_state, h.user.name if h.user else None)
                for h in world.anns.history(s, ann_id)]


def test_script_is_stored_in_venue_language_order(world):
    ann_id = world.script(texts={"en": "Hello.", "zh-CN": "你好。"})
    with world.db.session() as s:
        ann = world.anns.get(s, ann_id)
        assert ann.parts() == [("zh-CN", "你好。"), ("en", "Hello.")]
        assert ann.state.value == "draft"


def test_full_path_submit_approve_binds_the_audio_hash(world):
    ann_id = world.script()
    with world.db.session() as s:
        world.anns.submit(s, ann_id, world.user(s, "amy"))
        ann = world.approval.approve(s, ann_id, world.user(s, "sam"))
        pcm = world.media.load(ann.approved_audio)
        assert ann.approved_hash == pcm.sha256()
        assert ann.approved_engines == "espeak:cmn, piper:en_US-joe-medium"
        assert world.approval.preview(s, ann_id).sha256() == ann.approved_hash  # what the supervisor hears
        assert s.scalar(select(func.count()).select_from(Approval)) == 1
    assert states(world, ann_id) == [(None, "draft", "amy"), ("draft", "submitted", "amy"),
                                     ("submitted", "approved", "sam")]


def test_a_cache_entry_changed_on_disk_is_rendered_again_and_approved_under_its_true_hash(world, tmp_path):
    """The render cache serves a disk hit with the hash written with it (SHA-256 not taken again): a
    sample changed on disk afterwards fails the entry's CRC-32, so the script is rendered again and the
    approval binds the hash of the audio stored, never a hash the samples do not have."""
    from audio.render import Renderer
    from broadcaster.announcements.approval import ApprovalService, renderer_for

    ann_id = world.script()
    with world.db.session() as s:
        world.anns.submit(s, ann_id, world.user(s, "amy"))
        listened = world.approval.preview(s, ann_id)  # rendered: on disk in the cache
    entry = max((p for p in (tmp_path / "cache").rglob("*.pcm")), key=lambda p: p.stat().st_size)  # the script
    data = bytearray(entry.read_bytes())
    data[-len(listened)] ^= 0x01  # one bit of one sample half way through (the samples end the file)
    entry.write_bytes(bytes(data))
    fresh = ApprovalService(renderer_for(Renderer(cache_dir=tmp_path / "cache", lead_in=0.1), world.media), world.media)
    with world.db.session() as s:
        ann = fresh.approve(s, ann_id, world.user(s, "sam"), expected_hash=listened.sha256())
        assert ann.approved_hash == listened.sha256() == world.media.load(ann.approved_audio).sha256()
    assert entry.read_bytes() != bytes(data)  # the damaged entry was replaced by the new render


def test_author_never_approves_own_item(world):
    ann_id = world.script(author="sam")
    with world.db.session() as s:
        world.anns.submit(s, ann_id, world.user(s, "sam"))
    with pytest.raises(PermissionDenied, match="another supervisor"):
        with world.db.session() as s:
            world.approval.approve(s, ann_id, world.user(s, "sam"))
    with world.db.session() as s:
        assert world.anns.get(s, ann_id).state.value == "submitted"
        world.approval.approve(s, ann_id, world.user(s, "sue"))


@pytest.mark.parametrize("who", ["amy", "dee"])
def test_only_supervisors_approve(world, who):
    ann_id = world.script()
    with world.db.session() as s:
        world.anns.submit(s, ann_id, world.user(s, "amy"))
    with pytest.raises(PermissionDenied, match="needs supervisor"):
        with world.db.session() as s:
            world.approval.approve(s, ann_id, world.user(s, who))


def test_desk_cannot_write_announcements(world):
    with pytest.raises(PermissionDenied):
        world.script(author="dee")


def test_reject_needs_a_reason_and_author_sees_it(world):
    ann_id = world.script()
    with world.db.session() as s:
        world.anns.submit(s, ann_id, world.user(s, "amy"))
    with pytest.raises(ValidationError, match="reason"):
        with world.db.session() as s:
            world.approval.reject(s, ann_id, world.user(s, "sam"), "  ")
    with world.db.session() as s:
        world.approval.reject(s, ann_id, world.user(s, "sam"), "say 18:00, not six")
    with world.db.session() as s:
        ann = world.anns.get(s, ann_id)
        assert ann.state.value == "rejected" and ann.reject_reason == "say 18:00, not six"
        world.anns.edit(s, ann_id, world.user(s, "amy"), texts={"zh-CN": "园区将于18:00闭园。", "en": "The park closes at 18:00."})
        assert ann.state.value == "draft" and ann.reject_reason is None
        world.anns.submit(s, ann_id, world.user(s, "amy"))
        world.approval.approve(s, ann_id, world.user(s, "sam"))


def test_only_submitted_items_can_be_approved_or_rejected(world):
    ann_id = world.script()
    with pytest.raises(InvalidTransition, match="draft"):
        with world.db.session() as s:
            world.approval.approve(s, ann_id, world.user(s, "sam"))
    with pytest.raises(InvalidTransition):
        with world.db.session() as s:
            world.approval.reject(s, ann_id, world.user(s, "sam"), "no")


def test_an_edit_is_a_new_version_and_the_approved_one_stays_in_force(world):
    """An edit of an approved announcement goes back to draft (it cannot be put on air by hand) but
    keeps its approved version on record and in force (scheduled slots keep airing it, see
    tests/schedule/test_versions.py) until the new version is approved, by someone who did not write it."""
    from broadcaster.announcements import versions
    from broadcaster.errors import PermissionDenied

    ann_id = world.approved()
    with world.db.session() as s:
        old = world.anns.get(s, ann_id).approved_hash
        world.anns.edit(s, ann_id, world.user(s, "sue"), texts={"zh-CN": "园区即将闭园！", "en": "The park closes soon!"})
    with world.db.session() as s:
        ann = world.anns.get(s, ann_id)
        assert ann.state.value == "draft" and ann.approved_hash == old and ann.approved_by.name == "sam"
        assert versions.in_force(s, ann, old) and versions.pending(s, ann).number == 2
        with pytest.raises(RefusedToAir, match="not approved"):
            check_window(ann, utcnow())
        world.anns.submit(s, ann_id, world.user(s, "amy"))
    with pytest.raises(PermissionDenied, match="this version"):  # sue wrote version 2
        with world.db.session() as s:
            world.approval.approve(s, ann_id, world.user(s, "sue"))
    with world.db.session() as s:
        ann = world.approval.approve(s, ann_id, world.user(s, "sam"))
        assert ann.approved_hash != old and not versions.in_force(s, ann, old) and versions.in_force(s, ann)
        assert [(v.number, v.state.value) for v in versions.rows(s, ann_id)] == [(1, "replaced"), (2, "approved")]
    assert states(world, ann_id)[3][1:] == ("draft", "sue")


def test_tampered_audio_refuses_to_air(world, tmp_path):
    """The player's last-moment check (the whole path: tests/workflow/test_station.py)."""
    media = MediaSource(world.db, tmp_path / "media", tmp_path / "player-cache")
    ann_id = world.approved()
    with world.db.session() as s:
        ann = world.anns.get(s, ann_id)
        assert media.audio(ann.approved_hash).sha256() == ann.approved_hash
        path = world.media.path(ann.approved_audio)
        data, rate = sf.read(path, dtype="int16")
        data[1000] ^= 1  # one bit in one sample
        sf.write(path, data, rate, subtype="PCM_16")
        with pytest.raises(PieceHashMismatch, match="hash mismatch: audio about to air is"):
            media.audio(ann.approved_hash)
        path.write_bytes(b"RIFF....WAVE")
        with pytest.raises(PieceHashMismatch, match="unreadable"):
            media.audio(ann.approved_hash)
        path.unlink()
        with pytest.raises(PieceHashMismatch, match="not stored anywhere"):
            media.audio(ann.approved_hash)


def test_validity_window(world):
    now = utcnow()
    ann_id = world.approved(valid_from=now + timedelta(hours=1), valid_until=now + timedelta(hours=2))
    with world.db.session() as s:
        ann = world.anns.get(s, ann_id)
        with pytest.raises(OutsideWindow, match="may air from"):
            check_window(ann, now)
        check_window(ann, now + timedelta(minutes=90))
        with pytest.raises(OutsideWindow, match="expired"):
            check_window(ann, now + timedelta(hours=3))


@pytest.mark.parametrize("kw, field", [
    ({"title": ""}, "title"),
    ({"texts": {}}, "texts"),
    ({"texts": {"en": "  "}}, r"texts\[en\]"),
    ({"texts": {"xx": "hi"}}, "unsupported language"),
    ({"priority": 90}, "priority"),
    ({"priority": "loud"}, "priority"),
    ({"valid_from": utcnow(), "valid_until": utcnow() - timedelta(hours=1)}, "valid_until"),
])
def test_bad_input_is_refused_and_stores_nothing(world, kw, field):
    with pytest.raises(ValidationError, match=field):
        world.script(**kw)
    with world.db.session() as s:
        assert s.scalar(select(func.count()).select_from(Announcement)) == 0
        assert s.scalar(select(func.count()).select_from(StateChange)) == 0


def _wav_bytes(seconds=1.0, amp=0.3):
    t = np.arange(int(seconds * 44_100)) / 44_100
    buf = io.BytesIO()
    sf.write(buf, (amp * np.sin(2 * np.pi * 330 * t)).astype(np.float32), 44_100, format="WAV")
    return buf.getvalue()


def test_recording_is_decoded_normalised_and_approved(world):
    with world.db.session() as s:
        ann = world.anns.create_recording(s, world.user(s, "amy"), "Lost property", _wav_bytes())
        ann_id = ann.id
        assert world.media.load(ann.recording_path).sha256() == ann.recording_sha256
        world.anns.submit(s, ann_id, world.user(s, "amy"))
        ann = world.approval.approve(s, ann_id, world.user(s, "sam"))
        aired = world.media.load(ann.approved_audio)
        assert aired.sha256() == ann.approved_hash
        assert aired.duration > 1.0 + 0.1 and ann.approved_engines == "recording"


def test_not_audio_is_refused_and_stores_nothing(world, tmp_path):
    with pytest.raises(ValidationError, match="recording: not a readable audio file"):
        with world.db.session() as s:
            world.anns.create_recording(s, world.user(s, "amy"), "x", b"GIF89a....")
    with pytest.raises(ValidationError, match="silent"):
        with world.db.session() as s:
            world.anns.create_recording(s, world.user(s, "amy"), "x", _wav_bytes(amp=0.0))
    with world.db.session() as s:
        assert s.scalar(select(func.count()).select_from(Announcement)) == 0
    assert not (tmp_path / "media" / "recordings").exists()


def test_unknown_announcement(world):
    with pytest.raises(NotFound):
        with world.db.session() as s:
            world.anns.get(s, 999)


def test_saving_a_script_unchanged_keeps_its_approval_and_makes_no_version(world):
    """A broadcaster opens an approved script and saves it as it is: before, that was a new version
    back in draft, out of the inbox, waiting for a supervisor again. Nothing changed: nothing happens;
    a real change is still a new version."""
    from broadcaster.announcements import versions

    ann_id = world.approved()
    with world.db.session() as s:
        ann = world.anns.get(s, ann_id)
        before = (ann.state, ann.approved_hash, len(versions.rows(s, ann_id)), len(world.anns.history(s, ann_id)))
        texts = dict(ann.parts())
        world.anns.edit(s, ann_id, world.user(s, "sue"), title=ann.title, texts=texts, zones=list(ann.zones),
                        priority=ann.priority)
    with world.db.session() as s:
        ann = world.anns.get(s, ann_id)
        assert (ann.state, ann.approved_hash, len(versions.rows(s, ann_id)),
                len(world.anns.history(s, ann_id))) == before
        world.anns.edit(s, ann_id, world.user(s, "sue"), texts=dict(texts, en=texts["en"] + " Thank you."))
    with world.db.session() as s:
        ann = world.anns.get(s, ann_id)
        assert ann.state.value == "draft" and len(versions.rows(s, ann_id)) == before[2] + 1
