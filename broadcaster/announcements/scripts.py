"""Announcements: bilingual scripts and recordings, their states and the history of every transition.

Nothing airs unapproved (see approval.py). Any edit returns the item to draft for approval; when an
approved version is in force it keeps airing (in scheduled slots) until the new version is approved
(see versions.py).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from audio.decode import load_audio
from audio.loudness import normalize
from audio.pcm import AudioError
from audio.text import Unspeakable, UnsupportedLanguage, clean_text, normalize_lang, speakable
from broadcaster.clock import utcnow
from broadcaster.errors import FieldErrors, InvalidTransition, NotFound, ValidationError
from broadcaster.venue import script_problem
from broadcaster.announcements import versions
from broadcaster.onair import airings
from broadcaster.store.media import MediaStore
from broadcaster.store.models.core import Role, User
from broadcaster.store.models.workflow import (Announcement, AnnouncementKind, AnnouncementState as S,
                                         AnnouncementText, StateChange)
from broadcaster.priorities import Priority
from broadcaster.settings import VenueSettings
from broadcaster.users import require

#: Allowed transitions. Edits (-> draft) are allowed from every state not on air.
TRANSITIONS: dict[S, set[S]] = {
    S.DRAFT: {S.SUBMITTED},
    S.SUBMITTED: {S.APPROVED, S.REJECTED, S.DRAFT},
    S.REJECTED: {S.DRAFT, S.SUBMITTED},
    S.APPROVED: {S.QUEUED, S.DRAFT, S.EXPIRED},
    S.QUEUED: {S.AIRING, S.APPROVED, S.EXPIRED, S.FAILED},
    S.AIRING: {S.AIRED, S.INTERRUPTED, S.FAILED, S.QUEUED},
    S.INTERRUPTED: {S.QUEUED, S.FAILED, S.DRAFT, S.EXPIRED},
    S.AIRED: {S.QUEUED, S.DRAFT, S.EXPIRED},
    S.FAILED: {S.QUEUED, S.DRAFT},
    S.EXPIRED: {S.DRAFT},
}
ON_AIR = {S.QUEUED, S.AIRING}
APPROVED_STATES = versions.APPROVED_STATES  # states in which the approval is in force
AUTHORS = (Role.BROADCASTER, Role.SUPERVISOR)
MAX_TEXT = 2000


def transition(s: Session, ann: Announcement, to: S, user: User | None, note: str = "",
               at: datetime | None = None) -> None:
    if to not in TRANSITIONS[ann.state]:
        raise InvalidTransition(f"announcement #{ann.id} is {ann.state.value}; it cannot become {to.value}")
    at = at or utcnow()
    s.add(StateChange(announcement_id=ann.id, from_state=ann.state.value, to_state=to.value,
                      user_id=user.id if user else None, at=at, note=note))
    ann.state, ann.updated_at = to, at


def check_script(field: str, code: str, text: str) -> None:
    """ValidationError naming ``texts[field]`` when ``text`` is written in another language's script
    than ``code``'s: the engines would spell it out as letter names, or stall on it."""
    if why := script_problem(code, text):
        raise ValidationError(f"texts[{field}]: the {code} text is not in {code}'s script: {why}")


def _texts(texts: dict[str, str], settings: VenueSettings) -> list[tuple[str, str]]:
    if not texts:
        raise ValidationError("texts: give the text in at least one language")
    clean: dict[str, str] = {}
    for lang, text in texts.items():
        try:
            code = normalize_lang(lang)
        except UnsupportedLanguage as exc:
            raise ValidationError(f"texts: {exc}") from None
        text = (text or "").strip()
        if not text:
            raise ValidationError(f"texts[{lang}]: empty text")
        if not speakable(clean_text(text)):
            raise ValidationError(f"texts[{lang}]: {Unspeakable(code, text)}")
        check_script(lang, code, text)
        if len(text) > MAX_TEXT:
            raise ValidationError(f"texts[{lang}]: {len(text)} characters; the limit is {MAX_TEXT}")
        if code in clean:
            raise ValidationError(f"texts: {lang} given twice")
        clean[code] = text
    return [(lang, clean[lang]) for lang in settings.order(list(clean))]


def _common(title: str, priority, zones, valid_from, valid_until) -> tuple[str, int, list[str]]:
    title = (title or "").strip()
    if not title or len(title) > 200:
        raise ValidationError("title: 1-200 characters")
    try:
        priority = int(Priority.parse(priority if priority is not None else Priority.ANNOUNCEMENT))
    except ValueError as exc:
        raise ValidationError(f"priority: {exc}") from None
    if not 0 < priority < int(Priority.URGENT_PAGE):
        raise ValidationError("priority: announcements range 1-79; pages and emergencies have their own paths")
    zones = list(zones or ["main"])
    if not all(isinstance(z, str) and z.strip() for z in zones):
        raise ValidationError("zones: names must be non-empty")
    if valid_from and valid_until and valid_until <= valid_from:
        raise ValidationError("valid_until: must be after valid_from")
    for name, v in (("valid_from", valid_from), ("valid_until", valid_until)):
        if v is not None and v.tzinfo is None:
            raise ValidationError(f"{name}: give a time zone")
    return title, priority, [z.strip() for z in zones]


def check_speech(renderer, parts: list[tuple[str, str]]) -> None:
    """Speak every part (cached: approval reuses it) and refuse, naming the part, a text that yields no
    speech or much less speech than its letters imply. Engines that are down do not refuse it."""
    from audio.text import EmptyText
    from audio.tts.base import TooLittleSpeech

    bad = {}
    for lang, text in parts:
        try:
            renderer.speak(text, lang)
        except EmptyText as exc:
            bad[f"texts[{lang}]"] = str(exc)
        except TooLittleSpeech:
            bad[f"texts[{lang}]"] = (f"the {lang} text gives far less speech than its length implies: the speech "
                                     "engines cannot say part of it (letters of another script?)")
        except AudioError:
            pass  # no engine now: the render before approval says so
    if bad:
        raise FieldErrors(bad)


def _draft(s: Session, author: User, note: str, ann: Announcement) -> Announcement:
    """A new announcement stored as a draft, its first version written by ``author``."""
    s.add(ann)
    s.flush()
    s.add(StateChange(announcement_id=ann.id, from_state=None, to_state=S.DRAFT.value, user_id=author.id, note=note))
    versions.snapshot(versions.written(s, ann, author), ann)
    return ann


class AnnouncementService:
    def __init__(self, settings: VenueSettings | None = None, media: MediaStore | None = None,
                 renderer=None) -> None:
        self.settings = settings or VenueSettings()
        self.media = media or MediaStore()
        self.renderer = renderer  # an audio.render.Renderer: scripts are spoken once at submit (checked)

    def create_script(self, s: Session, author: User, title: str, texts: dict[str, str], *, priority=None,
                      zones=None, valid_from=None, valid_until=None, chime: str = "announcement") -> Announcement:
        require(author, *AUTHORS, action="write announcements")
        title, priority, zones = _common(title, priority, self._zones(s, zones), valid_from, valid_until)
        parts = _texts(texts, self.settings)
        return _draft(s, author, "created", Announcement(
            title=title, kind=AnnouncementKind.SCRIPT, priority=priority, zones=zones, valid_from=valid_from,
            valid_until=valid_until, author_id=author.id, chime=chime,
            texts=[AnnouncementText(lang=lang, text=t, position=i) for i, (lang, t) in enumerate(parts)]))

    def create_recording(self, s: Session, author: User, title: str, audio: bytes | str, *, priority=None,
                         zones=None, valid_from=None, valid_until=None, max_seconds: float = 300) -> Announcement:
        """A recorded announcement: decoded (content decides, never the file name), normalised, stored."""
        require(author, *AUTHORS, action="record announcements")
        title, priority, zones = _common(title, priority, self._zones(s, zones), valid_from, valid_until)
        rel, digest = self._store_recording(audio, max_seconds)
        return _draft(s, author, "recorded", Announcement(
            title=title, kind=AnnouncementKind.RECORDING, priority=priority, zones=zones, valid_from=valid_from,
            valid_until=valid_until, author_id=author.id, recording_path=rel, recording_sha256=digest))

    def _zones(self, s: Session, zones) -> list[str]:
        """The zones an announcement airs in: the venue's own (settings, or announced by a zone player);
        by default all of them. An unknown zone is refused when written, never at air time."""
        if zones is None or zones == []:
            return list(self.settings.zones)
        if isinstance(zones, str) or not all(isinstance(z, str) for z in zones):
            raise ValidationError("zones: a list of zone names")
        return airings.check_zones(s, zones, self.settings.zones)

    @staticmethod
    def check_recording(audio: bytes | str, max_seconds: float = 300):
        """Check a recording without storing it (a form says it with its other errors): decoded, not
        too long, not too short or silent; its sound, else ValidationError "recording: ..."."""
        try:
            pcm = load_audio(audio, max_seconds=max_seconds)
        except AudioError as exc:
            raise ValidationError(f"recording: {exc}") from None
        if pcm.duration < 0.3 or pcm.peak < 1e-3:
            raise ValidationError("recording: too short or silent")
        return pcm

    def _store_recording(self, audio: bytes | str, max_seconds: float) -> tuple[str, str]:
        return self.media.save(normalize(self.check_recording(audio, max_seconds)), "recordings")

    def edit(self, s: Session, ann_id: int, user: User, *, title=None, texts: dict[str, str] | None = None,
             audio: bytes | str | None = None, priority=None, zones=None, valid_from=..., valid_until=...) -> Announcement:
        """Change an announcement: a new version, back to draft for approval. When an approved version is
        in force it keeps airing until the new one is approved; otherwise any approval is void."""
        require(user, *AUTHORS, action="edit announcements")
        ann = self.get(s, ann_id)
        if ann.state in ON_AIR:
            raise InvalidTransition(f"announcement #{ann.id} is {ann.state.value}; take it off the queue first")
        new_title, new_priority, new_zones = _common(
            title if title is not None else ann.title, priority if priority is not None else ann.priority,
            self._zones(s, zones) if zones is not None else ann.zones,
            ann.valid_from if valid_from is ... else valid_from, ann.valid_until if valid_until is ... else valid_until)
        parts = None
        if texts is not None:
            if ann.kind is not AnnouncementKind.SCRIPT:
                raise ValidationError("texts: this announcement is a recording")
            parts = _texts(texts, self.settings)
        if audio is None and (parts is None or parts == [(t.lang, t.text) for t in ann.texts]) and (
                new_title, new_priority, list(new_zones)) == (ann.title, ann.priority, list(ann.zones)) and (
                valid_from is ... or valid_from == ann.valid_from) and (
                valid_until is ... or valid_until == ann.valid_until):
            return ann  # saved as it was: no new version, its approval (or its place in the inbox) stands
        kept = versions.airing(s, ann)
        version = versions.written(s, ann, user)
        if parts is not None:
            ann.texts.clear()
            s.flush()
            ann.texts.extend(AnnouncementText(lang=lang, text=t, position=i) for i, (lang, t) in enumerate(parts))
        if audio is not None:
            if ann.kind is not AnnouncementKind.RECORDING:
                raise ValidationError("audio: this announcement is a script")
            ann.recording_path, ann.recording_sha256 = self._store_recording(audio, 300)
        ann.title, ann.priority, ann.zones = new_title, new_priority, new_zones
        if valid_from is not ...:
            ann.valid_from = valid_from
        if valid_until is not ...:
            ann.valid_until = valid_until
        s.flush()
        versions.snapshot(version, ann)
        ann.reject_reason = None
        if kept is not None:
            note = f"edited: version {version.number} awaits approval; version {kept.number} keeps airing"
        else:
            voided = ann.approved_hash is not None
            ann.approved_hash = ann.approved_audio = ann.approved_engines = None
            ann.approved_by_id = ann.approved_at = None
            note = "edited" + ("; approval void" if voided else "")
        if ann.state is S.DRAFT:
            s.add(StateChange(announcement_id=ann.id, from_state="draft", to_state="draft", user_id=user.id, note=note))
        else:
            transition(s, ann, S.DRAFT, user, note)
        ann.updated_at = utcnow()
        return ann

    def submit(self, s: Session, ann_id: int, user: User) -> Announcement:
        require(user, *AUTHORS, action="submit announcements")
        ann = self.get(s, ann_id)
        if ann.state not in (S.DRAFT, S.REJECTED):
            raise InvalidTransition(f"announcement #{ann.id} is {ann.state.value}; only drafts can be submitted")
        if self.renderer is not None and ann.kind is AnnouncementKind.SCRIPT:
            check_speech(self.renderer, ann.parts())
        transition(s, ann, S.SUBMITTED, user, "submitted for approval")
        return ann

    @staticmethod
    def get(s: Session, ann_id: int) -> Announcement:
        ann = s.get(Announcement, ann_id)
        if ann is None:
            raise NotFound(f"no announcement #{ann_id}")
        return ann

    @staticmethod
    def list(s: Session, *states: S, author: User | None = None) -> list[Announcement]:
        q = select(Announcement).order_by(Announcement.id)
        if states:
            q = q.where(Announcement.state.in_(states))
        if author is not None:
            q = q.where(Announcement.author_id == author.id)
        return list(s.scalars(q))

    @staticmethod
    def history(s: Session, ann_id: int) -> list[StateChange]:
        return list(s.scalars(select(StateChange).where(StateChange.announcement_id == ann_id)
                              .order_by(StateChange.id)))
