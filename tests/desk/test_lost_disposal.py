"""Lost property past the venue's retention period (issue 11): it is listed as due for disposal, and a
supervisor records how it left (police, donated, destroyed, returned to the finder), who took it and
when; the item is then "disposed". Not before its retention date, not by the desk, not twice."""
from __future__ import annotations

from datetime import timedelta

import pytest

from broadcaster.cases.lost_property import LostPropertyService
from broadcaster.errors import FieldErrors, InvalidTransition, PermissionDenied
from broadcaster.settings import load_settings
from broadcaster.store.models.cases import LostItemState
from broadcaster.store.models.keeping import LostItemDisposal
from tests.desk.conftest import airings


@pytest.fixture
def lost(templates, clock):
    return LostPropertyService(templates.db, clock)


def umbrella(lost):
    return lost.register("dora", category="umbrella", colour="black", where_found="Gate", finder="Li",
                         storage_place="Shelf 3", valuable=True)


def disposals(db) -> list[LostItemDisposal]:
    with db.session() as s:
        return list(s.query(LostItemDisposal))


def test_the_venue_sets_the_retention_period_and_items_past_it_are_due(lost, clock, staff):
    item = umbrella(lost)
    assert lost.keep_until(item) == item.found_at + timedelta(days=30)
    assert lost.set_retention("sam", "7") == 7 and load_settings().lost_retention_days == 7
    with pytest.raises(FieldErrors):
        lost.set_retention("sam", "0")
    with pytest.raises(PermissionDenied):
        lost.set_retention("dora", "3")
    assert load_settings().lost_retention_days == 7 and lost.keep_until(item) == item.found_at + timedelta(days=7)
    clock.advance(days=6)
    assert lost.unclaimed() == []
    clock.advance(days=1, minutes=1)
    assert [i.number for i in lost.unclaimed()] == [item.number]


def test_a_supervisor_records_the_disposal_every_error_at_once(lost, clock, staff, paging):
    item = umbrella(lost)
    lost.announce(item.number, "dora", paging)
    with pytest.raises(InvalidTransition, match="kept until"):  # not due yet
        lost.dispose(item.number, "sam", method="police", handled_by="Officer Wang, badge 1234")
    clock.advance(days=31)
    with pytest.raises(FieldErrors) as exc:
        lost.dispose(item.number, "sam", method="burnt", handled_by=" ", disposed_at=clock.now() + timedelta(days=1))
    assert set(exc.value.fields) == {"method", "handled_by", "disposed_at"}
    with pytest.raises(PermissionDenied):
        lost.dispose(item.number, "dora", method="police", handled_by="Officer Wang")
    assert disposals(staff) == [] and lost.get(item.number).state is LostItemState.STORED
    done = lost.dispose(item.number, "sam", method="donated", handled_by="Red Cross shop", note="receipt 77")
    assert done.state is LostItemState.DISPOSED
    [row] = disposals(staff)
    assert (row.method.value, row.handled_by, row.note, row.disposed_at) == ("donated", "Red Cross shop", "receipt 77",
                                                                          clock.now())
    assert lost.unclaimed() == [] and lost.get(item.number).disposal.handled_by == "Red Cross shop"
    assert [a.state.value for a in airings(staff)] == ["cancelled"]  # its announcement no longer waits to air
    with pytest.raises(InvalidTransition):
        lost.dispose(item.number, "sam", method="destroyed", handled_by="Li")
    assert len(disposals(staff)) == 1


def test_a_claimed_item_is_not_disposed_of(lost, clock, staff):
    item = umbrella(lost)
    lost.claim(item.number, "dora", owner_name="Zhang", owner_identity="ID 1", verification_note="colour, scratch")
    clock.advance(days=40)
    with pytest.raises(InvalidTransition):
        lost.dispose(item.number, "sam", method="police", handled_by="Officer Wang")
    assert disposals(staff) == []
