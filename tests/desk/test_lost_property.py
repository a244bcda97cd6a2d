from datetime import timedelta

import pytest

from broadcaster.cases.lost_property import LostPropertyService
from broadcaster.errors import InvalidTransition, NotFound, PermissionDenied, ValidationError
from broadcaster.store.models.cases import LostItem, LostItemState, PageStatus
from broadcaster.priorities import Priority
from tests.desk.conftest import airings, as_run, states


@pytest.fixture
def lost(templates, clock):
    return LostPropertyService(templates.db, clock)


def _wallet(lost, **kw):
    args = dict(category="钱包 wallet", colour="black", where_found="Carousel", finder="cleaner Li",
                storage_place="Safe 2", description="serial AB123, 500 yuan, ID of Zhang San", valuable=True)
    args.update(kw)
    return lost.register("dora", **args)


def test_register_numbers_in_their_own_series(lost, cases):
    from tests.desk.conftest import lost_child

    item = _wallet(lost)
    case = cases.open_case("dora", "missing", lost_child())
    assert item.number == "L20261122-001" and case.number == "20261122-001"
    assert _wallet(lost).number == "L20261122-002"


@pytest.mark.parametrize("field", ["category", "where_found", "finder", "storage_place"])
def test_register_requires_the_basics(lost, staff, field):
    with pytest.raises(ValidationError, match=field):
        _wallet(lost, **{field: "  "})
    with staff.session() as s:
        assert s.query(LostItem).count() == 0


def test_announcement_describes_but_never_over_describes(lost, paging, staff):
    item = _wallet(lost)
    page = lost.announce(item.number, "dora", paging)
    text = page.texts["zh-CN"] + page.texts["en"]
    assert "black" in text and "Carousel" in text and "wallet" in text
    for secret in ("AB123", "500", "Zhang", "Safe 2"):
        assert secret not in text
    assert page.priority == Priority.ANNOUNCEMENT and page.status is PageStatus.DONE and page.times_queued == 1
    [row] = airings(staff)  # written with the page: announced once, at announcement priority
    assert (row.ref, row.priority, row.state.value) == (f"page:{page.id}", Priority.ANNOUNCEMENT, "queued")
    assert row.pieces[0] == {"type": "chime", "name": "announcement"} and row.pieces[1]["parts"][1][1] == page.texts["en"]


def test_announcement_airs_through_the_player(lost, paging, player, staff):
    page = lost.announce(_wallet(lost).number, "dora", paging)
    player.wait(lambda: states(staff, f"page:{page.id}") == ["done"], what="the announcement to air")
    [run] = as_run(staff)
    assert (run.ref, run.outcome, run.priority) == (f"page:{page.id}", "completed", Priority.ANNOUNCEMENT)
    assert len(player.samples()) > 0 and paging.page(page.id).times_aired == 1


def test_a_claim_takes_the_announcement_off_the_air(lost, paging, staff):
    item = _wallet(lost)
    page = lost.announce(item.number, "dora", paging)
    lost.claim(item.number, "dora", owner_name="Zhang San", owner_identity="ID 1101", verification_note="the ID")
    assert states(staff, f"page:{page.id}") == ["cancelled"]


def test_the_players_last_check_refuses_an_announcement_of_a_claimed_item(lost, paging, staff):
    from broadcaster.paging.onair import at_air
    from broadcaster.store.models.cases import LostItem

    item = _wallet(lost)
    lost.announce(item.number, "dora", paging)
    with staff.session() as s:
        [row] = airings(staff)
        at_air(s, row)  # still stored: announced
        s.get(LostItem, item.id).state = LostItemState.CLAIMED  # claimed behind the desk's back
        with pytest.raises(InvalidTransition, match="claimed"):
            at_air(s, row)


def test_only_stored_valuable_items_are_announced(lost, paging):
    umbrella = _wallet(lost, category="umbrella", valuable=False)
    with pytest.raises(ValidationError, match="valuable"):
        lost.announce(umbrella.number, "dora", paging)
    with pytest.raises(NotFound):
        lost.announce("L20990101-001", "dora", paging)


def test_claim_and_hand_over_flow(lost, clock):
    item = _wallet(lost)
    with pytest.raises(ValidationError, match="verification_note"):
        lost.claim(item.number, "dora", owner_name="Zhang San", owner_identity="ID 1101...", verification_note=" ")
    with pytest.raises(InvalidTransition, match="claim first"):
        lost.hand_over(item.number, "dora", signature="Zhang San (signed)")
    assert lost.get(item.number).state is LostItemState.STORED  # refusals stored nothing
    claimed = lost.claim(item.number, "dora", owner_name="Zhang San", owner_identity="ID 110101199001011234",
                         verification_note="described the contents and the photo on the ID matches")
    assert claimed.state is LostItemState.CLAIMED and claimed.claim.owner_name == "Zhang San"
    with pytest.raises(InvalidTransition, match="claimed to claimed"):
        lost.claim(item.number, "dan", owner_name="Someone Else", owner_identity="x", verification_note="y")
    with pytest.raises(ValidationError, match="signature"):
        lost.hand_over(item.number, "dan", signature="")
    clock.advance(minutes=5)
    done = lost.hand_over(item.number, "dan", signature="signed by Zhang San; witness: guard Wu")
    assert done.state is LostItemState.HANDED_OVER
    shown = lost.get(item.number)
    assert shown.claim.handed_over_at == clock.now() and shown.claim.signature.startswith("signed")


def test_claim_with_signature_hands_over_at_once_and_needs_desk_role(lost):
    item = _wallet(lost)
    with pytest.raises(PermissionDenied):
        lost.claim(item.number, "bob", owner_name="A", owner_identity="B", verification_note="C", signature="D")
    got = lost.claim(item.number, "dora", owner_name="A", owner_identity="B", verification_note="C", signature="D")
    assert got.state is LostItemState.HANDED_OVER


def test_unclaimed_after_thirty_days(lost, clock):
    old = _wallet(lost, found_at=clock.now() - timedelta(days=31))
    edge = _wallet(lost, found_at=clock.now() - timedelta(days=30))
    _wallet(lost, found_at=clock.now() - timedelta(days=29))
    claimed = _wallet(lost, found_at=clock.now() - timedelta(days=40))
    lost.claim(claimed.number, "dora", owner_name="A", owner_identity="B", verification_note="C")
    assert [i.number for i in lost.unclaimed()] == [old.number, edge.number]
    assert len(lost.unclaimed(days=7)) == 3
    with pytest.raises(ValidationError, match="found_at"):
        _wallet(lost, found_at=clock.now() + timedelta(days=1))


def test_search_takes_percent_and_underscore_as_themselves(lost):
    """q=% or q=_ must not match every item: LIKE's wildcards are escaped."""
    plain = _wallet(lost)
    odd = _wallet(lost, description="100% leather, model A_1")
    assert [i.number for i in lost.list(search="%")] == [odd.number]
    assert [i.number for i in lost.list(search="_")] == [odd.number]
    assert [i.number for i in lost.list(search="a_1")] == [odd.number]
    assert lost.list(search="\\") == []
    assert plain.number in [i.number for i in lost.list(search="wallet")]
