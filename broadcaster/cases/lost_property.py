"""Lost property (游客拾物登记认领): register found items, announce valuable ones with an approved
template (category, colour and place only), claim with the owner's identity and how it was verified,
hand over with a signature/witness record; an item still stored past the venue's retention period is
due for disposal, and a supervisor records how it left (police, donated, destroyed, returned to the
finder), who took it or carried it out, and when: the item is then "disposed".

An announcement is a one-off page at announcement priority, written with its airing through paging
(``PagingService.add_page``); a claim takes an announcement still waiting off the air, and the zone
player's last check refuses one whose item is no longer stored.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from broadcaster.clock import Clock, SystemClock
from broadcaster.store.db import Database
from broadcaster.errors import InvalidTransition, ValidationError
from broadcaster.inputs import LostItem as LostItemInput
from broadcaster.inputs import parse
from broadcaster.inputs_cases import Claim, Disposal, ItemFilter, Retention, Unclaimed, check_time, read, refuse_if
from broadcaster.onair import airings
from broadcaster.paging.defaults import DEFAULT_KEYS
from broadcaster.cases.numbering import LOST_SERIES, by_number, next_number, venue_tz
from broadcaster.cases.resolution import page_ref
from broadcaster.cases.staff import DESK_ROLES, SUPERVISOR_ROLES, Actor, actor, session_as
from broadcaster.paging.templates import TemplateService, fill
from broadcaster.store.models.cases import LostItem, LostItemClaim, LostItemState, Page, TemplatePurpose
from broadcaster.store.models.keeping import DisposalMethod, LostItemDisposal
from broadcaster.priorities import Priority
from broadcaster.settings import load_settings, save_settings

UNCLAIMED_AFTER_DAYS = 30  # the retention period unless the venue sets its own (lost_retention_days)
DEFAULT_CLAIM_PLACE = "游客中心 Visitor Centre"


def claim_place() -> str:
    """Where owners collect: the venue's first meeting point (named in every language), else the default."""
    for place in load_settings().places or []:
        if place.get("meeting_point"):
            return next(iter(place["names"].values()))
    return DEFAULT_CLAIM_PLACE


class LostPropertyService:
    def __init__(self, db: Database, clock: Clock | None = None, tz: ZoneInfo | None = None) -> None:
        self.db, self.clock, self.tz = db, clock or SystemClock(), tz or venue_tz()

    def retention_days(self) -> int:
        """Days an unclaimed item is kept: the venue's setting (changed in the panel)."""
        return int(load_settings(self.db).lost_retention_days or UNCLAIMED_AFTER_DAYS)

    def set_retention(self, who: Actor, days) -> int:
        days = parse(Retention, {"retention_days": days}).retention_days
        with self.db.session() as s:
            actor(s, who, *SUPERVISOR_ROLES, action="set how long lost property is kept")
        save_settings({"lost_retention_days": days}, self.db)
        return days

    def register(self, who: Actor, *, category: str, where_found: str, finder: str, storage_place: str,
                 found_at: datetime | None = None, colour: str | None = None, description: str = "",
                 photo_path: str | None = None, valuable: bool = False) -> LostItem:
        now = self.clock.now()
        found_at = found_at or now
        v, errors = read(LostItemInput, {"category": category, "where_found": where_found, "finder": finder,
                                         "storage_place": storage_place, "colour": colour, "description": description})
        if len(photo_path or "") > 255:
            errors["photo_path"] = "at most 255 characters"
        check_time(errors, "found_at", found_at, now)
        refuse_if(errors)
        values = v.model_dump(exclude={"found_at", "valuable"}) | {"description": v.description or "",
                                                                   "photo_path": photo_path or None}
        with session_as(self.db, who, *DESK_ROLES, action="register lost property") as (s, user):
            item = LostItem(number=next_number(s, LOST_SERIES, found_at, self.tz), state=LostItemState.STORED,
                            found_at=found_at, valuable=bool(valuable), registered_by_id=user.id,
                            created_at=now, **values)
            s.add(item)
        return item

    def announce(self, number: str, who: Actor, paging, *, picks: dict | None = None) -> Page:
        """Announce a stored valuable item once, at announcement priority, with its approved template, in
        the zones ``paging`` (a ``PagingService``) pages. The page and its airing are written together.
        ``picks``: the category, colour and place found as the desk picked them from the lists, said
        instead of what was typed at registration (the item's record stays as registered)."""
        with session_as(self.db, who, *DESK_ROLES, action="announce lost property") as (s, user):
            item, tpl, texts = self._wording(s, number, picks)
            return paging.add_page(s, user, texts, TemplatePurpose.LOST_PROPERTY, lost_item_id=item.id,
                                   template_id=tpl.id, repeats=1, priority=Priority.ANNOUNCEMENT)

    def preview(self, number: str, *, picks: dict | None = None) -> dict[str, str]:
        """What the announcement would say, per language (checked as when it is announced; nothing stored)."""
        with self.db.session() as s:
            return self._wording(s, number, picks)[2]

    def _wording(self, s, number: str, picks: dict | None):
        item = self._load(s, number)
        if item.state is not LostItemState.STORED:
            raise InvalidTransition(f"item {item.number} is {item.state.value}: nothing to announce")
        if not item.valuable:
            raise ValidationError(f"valuable: item {item.number} is not marked valuable; only valuable "
                                  "items are announced")
        tpl = TemplateService._load(s, DEFAULT_KEYS["lost_property"])
        if tpl.purpose is not TemplatePurpose.LOST_PROPERTY:
            raise ValidationError(f"template: {tpl.key} is not a lost-property template")
        picked = {f: str(v).strip() for f, v in (picks or {}).items()
                  if f in ("category", "colour", "where_found") and str(v or "").strip()}
        values = {"category": item.category, "colour": item.colour, "where_found": item.where_found,
                  "found_time": item.found_at, "claim_place": claim_place()} | picked
        return item, tpl, fill(tpl, values, is_child=False, tz=self.tz)

    def claim(self, number: str, who: Actor, *, owner_name: str, owner_identity: str,
              verification_note: str, signature: str | None = None, owner_contact: str | None = None) -> LostItem:
        """Record the owner's claim (their phone, ``owner_contact``, for the follow-up call); with
        ``signature`` the item is handed over in the same step."""
        v = parse(Claim, {"owner_name": owner_name, "owner_identity": owner_identity, "owner_contact": owner_contact,
                          "verification_note": verification_note, "signature": signature})
        owner_name, owner_identity, note, signature = v.owner_name, v.owner_identity, v.verification_note, v.signature
        now = self.clock.now()
        with session_as(self.db, who, *DESK_ROLES, action="record a claim") as (s, user):
            item = self._load(s, number)
            if item.state is not LostItemState.STORED:
                raise InvalidTransition(f"item {item.number}: cannot go from {item.state.value} to claimed")
            claim = LostItemClaim(item_id=item.id, owner_name=owner_name, owner_identity=owner_identity,
                                  owner_contact=v.owner_contact, verification_note=note, claimed_at=now, recorded_by_id=user.id)
            s.add(claim)
            item.state = LostItemState.CLAIMED
            for page_id in s.scalars(select(Page.id).where(Page.lost_item_id == item.id)):
                airings.cancel(s, page_ref(page_id), f"item {item.number} claimed", self.db.signals, at=now)
            if signature is not None:
                self._hand_over(item, claim, user, signature, now)
            s.flush()
            item.claim = claim
        return item

    def hand_over(self, number: str, who: Actor, signature: str) -> LostItem:
        now = self.clock.now()
        with session_as(self.db, who, *DESK_ROLES, action="hand over lost property") as (s, user):
            item = self._load(s, number)
            if item.state is not LostItemState.CLAIMED or item.claim is None:
                raise InvalidTransition(f"item {item.number}: cannot go from {item.state.value} to handed_over "
                                        "(record the claim first)")
            self._hand_over(item, item.claim, user, signature, now)
        return item

    @staticmethod
    def _hand_over(item: LostItem, claim: LostItemClaim, user, signature: str | None, now: datetime) -> None:
        sig = (signature or "").strip()
        if not sig:
            raise ValidationError("signature: record the owner's signature or the witness")
        claim.handed_over_by_id, claim.handed_over_at, claim.signature = user.id, now, sig
        item.state = LostItemState.HANDED_OVER

    def unclaimed(self, days: int | None = None) -> list[LostItem]:
        """Items still stored ``days`` (default: the retention period) after they were found: due for
        disposal."""
        given = parse(Unclaimed, {"days": days}).days
        days = self.retention_days() if given is None else given
        cutoff = self.clock.now() - timedelta(days=days)
        with self.db.session() as s:
            return list(s.scalars(select(LostItem).where(LostItem.state == LostItemState.STORED,
                                                         LostItem.found_at <= cutoff).order_by(LostItem.found_at)))

    def get(self, number: str) -> LostItem:
        with self.db.session() as s:
            return self._load(s, number)

    def keep_until(self, item: LostItem) -> datetime:
        """The retention date: an item still stored then is disposed of or handed on (see ``unclaimed``)."""
        return item.found_at + timedelta(days=self.retention_days())

    def dispose(self, number: str, who: Actor, *, method: DisposalMethod | str, handled_by: str,
                disposed_at: datetime | None = None, note: str = "") -> LostItem:
        """A supervisor records how an item held past its retention date left the venue."""
        now = self.clock.now()
        at = disposed_at or now
        v, errors = read(Disposal, {"method": getattr(method, "value", method), "handled_by": handled_by, "note": note})
        check_time(errors, "disposed_at", at, now)
        refuse_if(errors)
        with session_as(self.db, who, *SUPERVISOR_ROLES, action="record a disposal") as (s, user):
            item = self._load(s, number)
            if item.state is not LostItemState.STORED:
                raise InvalidTransition(f"item {item.number}: cannot go from {item.state.value} to disposed")
            if at < self.keep_until(item):
                raise InvalidTransition(f"item {item.number} is kept until "
                                        f"{self.keep_until(item).astimezone(self.tz):%Y-%m-%d}: not due for disposal")
            item.disposal = LostItemDisposal(method=DisposalMethod(v.method), handled_by=v.handled_by, disposed_at=at,
                                             note=v.note or "",
                                             recorded_by_id=user.id, recorded_at=now)
            item.state = LostItemState.DISPOSED
            for page_id in s.scalars(select(Page.id).where(Page.lost_item_id == item.id)):
                airings.cancel(s, page_ref(page_id), f"item {item.number} disposed of", self.db.signals, at=now)
        return item

    def list(self, state: LostItemState | str | None = None, search: str | None = None) -> list[LostItem]:
        """Items, newest first; ``search`` matches the number, category, colour, place or description."""
        q = select(LostItem).options(selectinload(LostItem.claim), selectinload(LostItem.disposal)) \
            .order_by(LostItem.id.desc())
        wanted = parse(ItemFilter, {"state": getattr(state, "value", state), "q": search})
        if wanted.state:
            q = q.where(LostItem.state == LostItemState(wanted.state))
        words = wanted.q or ""
        if words:
            like = "%" + words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"  # "%" is a %
            q = q.where(or_(*(col.ilike(like, escape="\\") for col in (
                LostItem.number, LostItem.category, LostItem.colour, LostItem.where_found, LostItem.description))))
        with self.db.session() as s:
            return list(s.scalars(q))

    @staticmethod
    def _load(s, number: str) -> LostItem:
        return by_number(s, LostItem, number, "lost-property item", selectinload(LostItem.claim),
                         selectinload(LostItem.disposal))
