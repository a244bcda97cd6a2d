"""The approval gate. A supervisor (never the author) approves the exact audio that will air: the
render is stored under its SHA-256 and the hash is kept. The zone player hashes the stored audio again
just before its first sample; a mismatch refuses to air and raises a fault
(:mod:`broadcaster.onair.pieces`, :func:`broadcaster.announcements.station.at_air`)."""
from __future__ import annotations

from typing import Callable

from sqlalchemy.orm import Session

from audio.pcm import AudioError, Pcm
from audio.render import Rendered, Renderer
from broadcaster import audit
from broadcaster.announcements import versions
from broadcaster.announcements.scripts import AnnouncementService, transition
from broadcaster.clock import utcnow
from broadcaster.errors import BroadcasterError, InvalidTransition, PermissionDenied, ValidationError
from broadcaster.store.media import MediaStore
from broadcaster.store.models.core import Role, User
from broadcaster.store.models.workflow import Announcement, AnnouncementKind, Approval, Decision
from broadcaster.store.models.workflow import AnnouncementState as S
from broadcaster.users import require

RenderFn = Callable[[Announcement], Rendered]
SUPERVISORS = (Role.SUPERVISOR,)


class RefusedToAir(BroadcasterError):
    """The announcement may not air now (not approved, audio changed, outside its window)."""


class OutsideWindow(RefusedToAir):
    """Before valid_from or after valid_until."""


def renderer_for(renderer: Renderer, media: MediaStore) -> RenderFn:
    """The production render: scripts through TTS, recordings framed with chimes."""
    def render(ann: Announcement) -> Rendered:
        if ann.kind is AnnouncementKind.RECORDING:
            return renderer.render_recording(media.load(ann.recording_path), chime=ann.chime)
        return renderer.render_script(ann.parts(), chime=ann.chime)
    return render


def _to_decide(s: Session, ann_id: int, supervisor: User, must: str, decided: str) -> Announcement:
    """The submitted announcement a supervisor who wrote none of its version approves or rejects."""
    ann = AnnouncementService.get(s, ann_id)
    if supervisor.id in versions.writers(s, ann):
        raise PermissionDenied(f"{supervisor.name} wrote announcement #{ann.id} or this version of it; "
                               f"another supervisor must {must}")
    if ann.state is not S.SUBMITTED:
        raise InvalidTransition(f"announcement #{ann.id} is {ann.state.value}; only submitted items can be {decided}")
    return ann


class ApprovalService:
    def __init__(self, render: RenderFn, media: MediaStore | None = None) -> None:
        self.render = render
        self.media = media or MediaStore()

    def approve(self, s: Session, ann_id: int, supervisor: User, note: str = "",
                expected_hash: str | None = None) -> Announcement:
        """Approve the audio. With ``expected_hash`` (the sha256 of what the supervisor listened to),
        the approval is refused unless exactly that audio is what will air."""
        require(supervisor, *SUPERVISORS, action="approve announcements")
        ann = _to_decide(s, ann_id, supervisor, "approve it", "approved")
        try:
            rendered = self.render(ann)
        except AudioError as exc:
            raise ValidationError(f"cannot render announcement #{ann.id}: {exc}") from None
        if expected_hash is not None and expected_hash != rendered.sha256:
            if not expected_hash:
                raise ValidationError("sha256: listen to the audio that will air before approving it")
            raise ValidationError("sha256: the audio changed since you listened to it; listen again, then approve")
        rel, digest = self.media.save(rendered.pcm, "approved")
        if digest != rendered.sha256:  # pragma: no cover - Pcm.sha256 is the store's name
            raise BroadcasterError("stored audio does not match the render")
        now = utcnow()
        ann.approved_hash, ann.approved_audio = digest, rel
        ann.approved_engines = ", ".join(rendered.engines)
        ann.approved_by_id, ann.approved_at, ann.reject_reason = supervisor.id, now, None
        s.add(Approval(announcement_id=ann.id, decision=Decision.APPROVED, content_hash=digest,
                       user_id=supervisor.id, at=now, reason=note))
        version = versions.approved(s, ann)
        transition(s, ann, S.APPROVED, supervisor, f"version {version.number} approved",  # its hash: the Approval row
                   at=now)
        audit.record(s, "announcement_approved", supervisor, subject=ann.title, detail=str(version.number))
        return ann

    def reject(self, s: Session, ann_id: int, supervisor: User, reason: str) -> Announcement:
        require(supervisor, *SUPERVISORS, action="reject announcements")
        reason = (reason or "").strip()
        if not reason:
            raise ValidationError("reason: say why, so the author can fix it")
        ann = _to_decide(s, ann_id, supervisor, "decide", "rejected")
        ann.reject_reason = reason
        s.add(Approval(announcement_id=ann.id, decision=Decision.REJECTED, user_id=supervisor.id, reason=reason))
        transition(s, ann, S.REJECTED, supervisor, f"rejected: {reason}")
        audit.record(s, "announcement_rejected", supervisor, subject=ann.title, detail=reason)
        return ann

    def preview(self, s: Session, ann_id: int) -> Pcm:
        """The audio a supervisor listens to before approving: exactly what approval would store."""
        return self.render(AnnouncementService.get(s, ann_id)).pcm
