"""What a venue adds to the desk and keeps a record of: its own words for the desk's pick-lists (each
named in every venue language; retired, never deleted once a case uses it), and how a lost-property
item held past the retention period was disposed of."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from broadcaster.clock import utcnow
from broadcaster.store.models.base import Base
from broadcaster.store.models.cases import LostItem
from broadcaster.store.models.core import enum_col


class WordKind(str, enum.Enum):
    COLOUR = "colour"
    TOP = "top"        # garments, by where they are worn
    BOTTOM = "bottom"
    SHOES = "shoes"
    ACCESSORY = "accessory"  # carried or worn: a backpack, a cap
    HEIGHT = "height"  # a height band: "about 100-120 cm"
    HAIR = "hair"  # a whole phrase: "short black hair"


class VenueWord(Base):
    """A pick-list value a venue added: ``key`` is how descriptions store it ("teal", one word),
    ``names`` its word per language, ``forms`` what a language needs beyond the word (Russian: a
    colour's three prepositional forms, a garment's gender; English: a garment said with "a")."""

    __tablename__ = "venue_words"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[WordKind] = mapped_column(enum_col(WordKind, "word_kind"))
    key: Mapped[str] = mapped_column(String(40), unique=True)
    names: Mapped[dict] = mapped_column(JSON)
    forms: Mapped[dict] = mapped_column(JSON, default=dict)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    retired_at: Mapped[datetime | None] = mapped_column(default=None)


class DisposalMethod(str, enum.Enum):
    POLICE = "police"
    DONATED = "donated"
    DESTROYED = "destroyed"
    RETURNED_TO_FINDER = "returned_to_finder"


class LostItemDisposal(Base):
    """How an item held past the retention period left the venue: how, to whom (or by whom), when, and
    the supervisor who recorded it."""

    __tablename__ = "lost_item_disposals"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("lost_items.id"), unique=True)
    method: Mapped[DisposalMethod] = mapped_column(enum_col(DisposalMethod, "disposal_method"))
    handled_by: Mapped[str] = mapped_column(String(120))  # who received it or carried it out
    disposed_at: Mapped[datetime]
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    item: Mapped[LostItem] = relationship(back_populates="disposal")
