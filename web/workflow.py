"""Adapter over the workflow area's session-level services (broadcaster.announcements.scripts, .approval):
open a session, load the acting user, call the service, return detached results. No rules here."""
from __future__ import annotations

from contextlib import contextmanager

from flask import abort

from web.i18n import t
from web.views import svc


def _approval():
    service = svc().approval
    if service is None:
        abort(501, t("Service not available in this installation"))
    return service


@contextmanager
def acting(name: str):
    """(session, user) for ``name``; the services check the user's role themselves."""
    from broadcaster.users import get_user

    with svc().db.session() as s:
        yield s, get_user(s, name)


def _detach(s, obj):
    s.flush()
    return obj


def announcements(*states: str, author: str | None = None):
    from broadcaster.errors import choice
    from broadcaster.store.models.workflow import AnnouncementState

    service = svc().announcements
    with svc().db.session() as s:
        user = None
        if author:
            from broadcaster.users import get_user

            user = get_user(s, author)
        return service.list(s, *(choice("state", x, AnnouncementState) for x in states), author=user)


def pending():
    return announcements("submitted")


def get(ann_id: int):
    with svc().db.session() as s:
        return svc().announcements.get(s, ann_id)


def wrote(ann_id: int, who: str) -> bool:
    """``who`` wrote the version awaiting approval (the four-eyes rule: they may not decide on it)."""
    from broadcaster.announcements.versions import writers

    with acting(who) as (s, user):
        return user.id in writers(s, svc().announcements.get(s, ann_id))


def history(ann_id: int):
    with svc().db.session() as s:
        return svc().announcements.history(s, ann_id)


def create_script(who: str, title: str, texts: dict, **kw):
    with acting(who) as (s, user):
        return _detach(s, svc().announcements.create_script(s, user, title, texts, **kw))


def create_recording(who: str, title: str, audio: bytes, **kw):
    with acting(who) as (s, user):
        return _detach(s, svc().announcements.create_recording(s, user, title, audio, **kw))


def check_recording(audio: bytes, max_seconds: float) -> None:
    """The recording's sound checked, nothing stored (ValidationError "recording: ..." if refused)."""
    svc().announcements.check_recording(audio, max_seconds)


def edit(who: str, ann_id: int, **kw):
    with acting(who) as (s, user):
        return _detach(s, svc().announcements.edit(s, ann_id, user, **kw))


def submit(who: str, ann_id: int):
    with acting(who) as (s, user):
        return _detach(s, svc().announcements.submit(s, ann_id, user))


def media():
    return svc().announcements.media


# -- approval ------------------------------------------------------------------------------------------
def approve(ann_id: int, who: str, listened_sha256: str | None = None):
    """Approve the audio the supervisor listened to (its sha256); refused if it differs or is missing."""
    heard = (listened_sha256 or "").strip()
    with acting(who) as (s, user):
        return _detach(s, _approval().approve(s, ann_id, user, f"listened to audio sha256 {heard[:16]}",
                                              expected_hash=heard))


def reject(ann_id: int, who: str, reason: str):
    with acting(who) as (s, user):
        return _detach(s, _approval().reject(s, ann_id, user, reason))


def audio(ann_id: int):
    """(Pcm, sha256) of the audio that will air: the approved file once approved, else exactly what
    approval would store (the approval service's preview)."""
    with svc().db.session() as s:
        ann = svc().announcements.get(s, ann_id)
        if ann.approved_audio and ann.state.value not in ("draft", "submitted", "rejected"):
            pcm = _approval().media.load(ann.approved_audio)  # (a pending version: its own render below)
        elif ann.kind.value == "recording" and svc().approval is None:
            pcm = svc().announcements.media.load(ann.recording_path)
        else:
            pcm = _approval().preview(s, ann_id)
    return pcm, pcm.sha256()


def queue(ann_id: int, who: str):
    return svc().station.queue(ann_id, who)
