"""Building programmes from pieces picked by title: the pieces on offer (approved announcements, chimes,
playlists, silence) with their lengths, a programme's pieces changed in one go, and a programme deleted
(when rules schedule it, only once the person confirmed, with the rules named)."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select

from audio.pcm import AudioError
from broadcaster.announcements import versions
from broadcaster.errors import NotFound, ValidationError
from broadcaster.schedule.playlist_shelf import may_schedule
from broadcaster.schedule.programmes import (ANNOUNCEMENT_ESTIMATE_S, CHANGED, CHIMES, ItemSpec, ItemView,
                                             ProgrammeService, _priority, _zones, programme_name)
from broadcaster.store.models.schedule import Programme, ScheduleRule
from broadcaster.store.models.workflow import Announcement, AnnouncementKind

#: Pieces that take a length from the person: silence (required), a playlist (optional: its whole length).
TIMED = ("silence", "playlist")


@dataclass(frozen=True)
class Piece:
    key: str  # "announcement:12", "chime:programme", "playlist:Lobby", "silence"
    kind: str
    title: str
    seconds: float  # its own length (a playlist: all its tracks; silence: 0 until given)
    detail: str = ""  # e.g. "recording", or a playlist's number of tracks


class InUse(ValidationError):
    """The programme is scheduled by rules; ``rules`` says which."""

    def __init__(self, message: str, rules: list) -> None:
        super().__init__(message)
        self.rules = rules


def _chime_seconds(name: str) -> float:
    from audio.chimes import chime

    try:
        return round(chime(name).duration, 1)
    except AudioError:
        return 2.5


def _announcement_seconds(media, ann: Announcement) -> float:
    if media is not None and ann.approved_audio:
        try:
            import soundfile as sf

            return round(sf.info(str(media.path(ann.approved_audio))).duration, 1)
        except (OSError, RuntimeError):
            pass
    return ANNOUNCEMENT_ESTIMATE_S


def catalogue(service: ProgrammeService, media=None) -> list[Piece]:
    """Every piece a programme may use, by title: approved announcements (their approved audio's
    length), chimes, playlists (with the length of all their tracks), and silence."""
    out: list[Piece] = []
    with service.db.session() as s:
        for ann in s.scalars(select(Announcement).order_by(Announcement.title)):
            if versions.in_force(s, ann):
                out.append(Piece(f"announcement:{ann.id}", "announcement", ann.title, _announcement_seconds(media, ann),
                                 "recording" if ann.kind is AnnouncementKind.RECORDING else "script"))
    out += [Piece(f"chime:{c}", "chime", c, _chime_seconds(c)) for c in CHIMES]
    out += [Piece(f"playlist:{name}", "playlist", name, round(total, 1), str(n))
            for name, n, total, _shuffle in service.list_playlists()]
    out.append(Piece("silence", "silence", "silence", 0.0))
    return out


def spec_of(n: int, key: str, seconds) -> ItemSpec:
    """Row ``n`` of the editor as an item: the piece's key and, for silence and playlists, a length."""
    kind, _, ref = (key or "").partition(":")
    secs = None
    if seconds not in (None, ""):
        try:
            secs = float(seconds)
        except ValueError:
            raise ValidationError(f"items[{n}].seconds: a number of seconds") from None
        if secs <= 0:
            raise ValidationError(f"items[{n}].seconds: more than 0 seconds")
    if kind == "announcement" and ref.isdigit():
        return ItemSpec("announcement", announcement_id=int(ref))
    if kind == "chime":
        return ItemSpec("chime", chime=ref)
    if kind == "playlist" and ref:
        return ItemSpec("playlist", playlist=ref, seconds=secs)
    if kind == "silence":
        if secs is None:
            raise ValidationError(f"items[{n}].seconds: how many seconds of silence")
        return ItemSpec("silence", seconds=secs)
    if kind == "recording" and ref:
        return ItemSpec("recording", path=ref)
    raise ValidationError(f"items[{n}].piece: choose a piece")


def key_of(item: ItemView) -> str:
    """The editor's key for a stored item (the other way round from :func:`spec_of`)."""
    if item.kind == "announcement":
        return f"announcement:{item.announcement_id}"
    if item.kind == "chime":
        return f"chime:{item.chime or 'programme'}"
    if item.kind == "playlist":
        return f"playlist:{item.playlist}"
    if item.kind == "recording":
        return f"recording:{item.path}"
    return "silence"


def length(pieces: dict[str, Piece], key: str, seconds: float | None) -> float:
    """A row's length: silence as given; a playlist up to the length given (else all of it)."""
    piece = pieces.get(key)
    if key == "silence":
        return float(seconds or 0)
    if piece is None:
        return 0.0
    if piece.kind == "playlist" and seconds:
        return min(piece.seconds, float(seconds)) if piece.seconds else float(seconds)
    return piece.seconds


def save(service: ProgrammeService, programme_id: int | None, name: str, items: list[ItemSpec], *,
         priority="programme", zones="main", description: str = "", who=None):
    """Create (``programme_id`` None) or change a programme; its pieces replaced in one transaction."""
    if programme_id is None:
        return service.create_programme(name, items, priority=priority, zones=zones, description=description,
                                        who=who)
    name = programme_name(name, items)
    with service.db.session() as s:
        user = may_schedule(s, who, action="change programmes")
        prog = s.get(Programme, programme_id)
        if prog is None:
            raise NotFound(f"no programme #{programme_id}")
        if s.scalar(select(Programme.id).where(Programme.name == name, Programme.id != programme_id)) is not None:
            raise ValidationError(f"name: a programme called {name!r} already exists")
        rows = [service._item(s, n, it) for n, it in enumerate(items)]
        prog.name, prog.description = name, description[:500]
        prog.priority, prog.zones = _priority(priority, user), _zones(s, zones, service.venue_zones)
        prog.items.clear()
        s.flush()
        prog.items.extend(rows)
        s.flush()
        service.db.signals.send(s, CHANGED)
        return service._view(s, prog)


def remove(service: ProgrammeService, programme_id: int, *, who=None, confirmed: bool = False) -> list[int]:
    """Delete a programme. Rules that schedule it go with it, but only when ``confirmed``: otherwise
    :class:`InUse` names them and nothing is deleted. Returns the ids of the rules deleted."""
    with service.db.session() as s:
        may_schedule(s, who, action="delete programmes")
        prog = s.get(Programme, programme_id)
        if prog is None:
            raise NotFound(f"no programme #{programme_id}")
        rules = list(s.scalars(select(ScheduleRule.id).where(ScheduleRule.programme_id == programme_id)
                               .order_by(ScheduleRule.id)))
        if rules and not confirmed:
            raise InUse(f"programme: {prog.name!r} is scheduled by {len(rules)} rule(s); confirm to delete them too",
                        rules)
        s.execute(delete(ScheduleRule).where(ScheduleRule.programme_id == programme_id))
        s.delete(prog)
        service.db.signals.send(s, CHANGED)
        return rules


def preview(service: ProgrammeService, programme_id: int, media, limit_s: float = 300.0):
    """The whole programme as one sound to listen to in the browser (the first ``limit_s`` seconds):
    announcements by their approved audio, chimes, silence, playlists' tracks in order up to the length
    given. A preview only: at air time each piece is checked and played by the zone player."""
    import numpy as np
    import soundfile as sf

    from audio.chimes import chime
    from audio.pcm import SAMPLE_RATE, Pcm

    prog = service.programme(programme_id)
    parts: list[Pcm] = []
    left = limit_s

    def add(pcm: Pcm) -> None:
        nonlocal left
        pcm = pcm.resampled(SAMPLE_RATE)
        keep = min(len(pcm), int(left * SAMPLE_RATE))
        parts.append(Pcm(pcm.samples[:keep], SAMPLE_RATE))
        left -= keep / SAMPLE_RATE

    def read(path, seconds: float) -> Pcm | None:
        try:
            with sf.SoundFile(str(path)) as f:
                data = f.read(frames=int(seconds * f.samplerate), dtype="float32", always_2d=True)
                return Pcm(data.mean(axis=1), f.samplerate)
        except (OSError, RuntimeError):
            return None

    with service.db.session() as s:
        for it in prog.items:
            if left <= 0:
                break
            if it.kind == "silence":
                add(Pcm.silence(float(it.seconds or 0)))
            elif it.kind == "chime":
                add(chime(it.chime or "programme"))
            elif it.kind == "announcement":
                ann = s.get(Announcement, it.announcement_id)
                if ann is not None and versions.in_force(s, ann) and media is not None:
                    add(media.load(ann.approved_audio))
            else:
                want = min(left, float(it.seconds) if it.kind == "playlist" and it.seconds else left)
                for track in it.tracks:
                    if want <= 0:
                        break
                    pcm = read(track.path, want)
                    if pcm is not None and len(pcm):
                        add(pcm)
                        want -= pcm.duration
    return Pcm.concat(parts) if parts else Pcm(np.zeros(0, np.float32))
