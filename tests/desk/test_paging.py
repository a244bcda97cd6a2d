"""Paging with ManualClock: the first airing written with the page, repeats every 3 min (each once the
previous airing has ended), cancel on resolve, escalation. Airings are checked in the database; where a
page has to air (so that its repeat may follow), a real zone player airs it."""
import threading

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from broadcaster.cases.missing import load_case, move
from broadcaster.errors import InvalidTransition, PermissionDenied, ValidationError
from broadcaster.paging.onair import at_air
from broadcaster.paging.paging import PagingService
from broadcaster.priorities import Priority
from broadcaster.store.models.cases import CaseEvent, CaseState, Escalation, Page, PageStatus, PersonCase
from broadcaster.store.models.onair import Airing
from tests.desk.conftest import airings, as_run, lost_child, states


def _ended(db, ref):
    return lambda: all(a.state.value in ("done", "failed", "cancelled") for a in airings(db, ref))


def test_page_is_written_with_its_first_airing(paging, cases, staff):
    case = cases.open_case("dora", "missing", lost_child())
    page = paging.page_case(case.number, "dora")
    [row] = airings(staff)
    assert (row.ref, row.kind, row.zone, row.priority, row.state.value, row.key) == (
        f"page:{page.id}", "page", "main", Priority.URGENT_PAGE, "queued", f"page:{page.id}:1@main")
    assert row.pieces == [{"type": "chime", "name": "urgent_page"},
                          {"type": "speech", "parts": [["zh-CN", page.texts["zh-CN"]], ["en", page.texts["en"]]],
                           "approved_by": "sam"}]  # the template's approver: the as-run names who approved the words
    assert row.player is None and row.title == f"Page {case.number} (missing)"
    assert page.times_queued == 1 and cases.get(case.number).state.value == "paged"


def test_repeats_every_three_minutes_until_the_case_is_resolved(paging, cases, clock, player, staff):
    """The venue's practice: a found child's page repeats at its interval for as long as the case is
    open (past the escalation, past any count), and stops when it is resolved."""
    case = cases.open_case("dora", "found", lost_child(person_name=None))
    page = paging.page_case(case.number, "dora")
    ref = f"page:{page.id}"
    player.wait(_ended(staff, ref), what="the first airing")
    clock.advance(minutes=2, seconds=59)
    assert paging.tick().queued == [] and len(airings(staff, ref)) == 1
    clock.advance(seconds=1)
    assert paging.tick().queued == [page.id]
    for minutes in (3, 1):  # 6:00, then 7:00 (nothing due)
        player.wait(_ended(staff, ref), what="the repeat")
        clock.advance(minutes=minutes)
        paging.tick()
    assert len(airings(staff, ref)) == 3
    clock.advance(minutes=2)  # 9:00
    assert paging.tick().queued == [page.id]
    player.wait(_ended(staff, ref), what="the 4th airing")
    clock.advance(minutes=1)  # 10:00: escalated, the security page airs
    report = paging.tick()
    assert report.escalated == [case.number] and report.queued == [report.alerts[0].security_page_id]
    player.wait(_ended(staff, "page:"), what="the security page")
    for minutes in (12, 15, 18):  # past the escalation and past five: the case is still open
        clock.advance(minutes=minutes - 10 if minutes == 12 else 3)
        assert paging.tick().queued == [page.id], f"the repeat at {minutes}:00"
        player.wait(_ended(staff, ref), what=f"the airing at {minutes}:00")
    paging.resolve(case.number, "dora", "reunited", result="mother collected her")
    for _ in range(3):
        clock.advance(minutes=3)
        assert page.id not in paging.tick().queued
    assert states(staff, ref) == ["done"] * 7
    runs = [r for r in as_run(staff) if r.ref == ref]
    assert [r.outcome for r in runs] == ["completed"] * 7 and len({r.content_hash for r in runs}) == 1
    found = [p for p in paging.pages(case_number=case.number) if p.purpose.value == "found"]
    assert [(p.status, p.times_queued, p.times_aired) for p in found] == [(PageStatus.CANCELLED, 7, 7)]


def test_a_zone_whose_player_is_down_does_not_hold_back_the_repeats_elsewhere(paging, cases, clock, player, staff,
                                                                               tmp_path):
    """A page for the main hall and the lobby while the lobby's player is down (its machine off): the
    lobby's airing waits there, and the main hall still hears the page at its interval. A repeat waits
    only for the page's previous airing in its own zone (before, one zone's waiting airing stopped the
    page's repeats in every zone)."""
    from tests.desk.conftest import fast_player

    lobby = fast_player(staff, tmp_path / "lobby", clock, name="lobby-player", zones=("lobby",)).start()
    lobby.stop()  # the lobby is one of the venue's zones; its player is not running
    case = cases.open_case("dora", "missing", lost_child())
    page = paging.page_case(case.number, "dora", zones=["main", "lobby"])
    ref = f"page:{page.id}"

    def in_zones():
        return sorted((a.zone, a.state.value) for a in airings(staff, ref))
    player.wait(lambda: in_zones() == [("lobby", "queued"), ("main", "done")], what="the first airing in main")
    clock.advance(minutes=3)
    assert paging.tick().queued == [page.id]
    player.wait(lambda: in_zones() == [("lobby", "queued"), ("main", "done"), ("main", "done")],
                what="the repeat in main, the lobby's first airing still waiting (no second one piled up)")
    clock.advance(minutes=3)
    assert paging.tick().queued == [page.id]
    player.wait(lambda: in_zones().count(("main", "done")) == 3, what="the third airing in main")
    assert in_zones().count(("lobby", "queued")) == 1


def test_a_venue_may_cap_the_repeats(templates, cases, clock, player, staff):
    """A venue that sets page_max_repeats: the page stops after that many airings, the case still open."""
    paging = PagingService(templates.db, clock, max_repeats=2)
    case = cases.open_case("dora", "missing", lost_child())
    page = paging.page_case(case.number, "dora")
    ref = f"page:{page.id}"
    for _ in range(2):
        player.wait(_ended(staff, ref), what="an airing")
        clock.advance(minutes=3)
        paging.tick()
    player.wait(_ended(staff, ref), what="the second airing")
    assert states(staff, ref) == ["done"] * 2 and paging.page(page.id).status is PageStatus.DONE
    assert paging.page(page.id).max_repeats == 2 and cases.get(case.number).state.value == "paged"
    with pytest.raises(ValidationError):
        PagingService(templates.db, clock, max_repeats=0)


def test_resolving_cancels_the_queued_airing_and_airs_all_clear(paging, cases, clock, staff):
    case = cases.open_case("dora", "missing", lost_child())
    page = paging.page_case(case.number, "dora")
    clock.advance(minutes=3)
    assert paging.tick().queued == []  # no player here: the first airing still waits, no repeat piles up
    paging.resolve(case.number, "dora", "reunited", result="mother collected him")
    first, all_clear = airings(staff)
    assert (first.ref, first.state.value) == (f"page:{page.id}", "cancelled")
    assert "resolved" in first.detail and first.ended_at == clock.now()
    assert all_clear.state.value == "queued" and all_clear.title.endswith("(all_clear)")
    words = all_clear.pieces[1]["parts"]
    assert "已经找到" in words[0][1] and "王小明" not in str(words)
    pages = paging.pages(case_number=case.number)
    assert [(p.purpose.value, p.status.value) for p in pages] == [("missing", "cancelled"), ("all_clear", "done")]
    for _ in range(5):
        clock.advance(minutes=3)
        assert paging.tick().queued == []
    assert len(airings(staff)) == 2 and cases.get(case.number).state.value == "reunited"


def test_escalation_at_ten_minutes(paging, cases, clock, staff):
    case = cases.open_case("dora", "missing", lost_child())
    paging.page_case(case.number, "dora")
    for _ in range(3):  # 3, 6, 9 minutes
        clock.advance(minutes=3)
        assert paging.tick().escalated == []
    clock.advance(seconds=59)
    assert paging.tick().escalated == []
    clock.advance(seconds=1)  # 10:00 after the first page
    report = paging.tick()
    assert report.escalated == [case.number]
    assert cases.get(case.number).state.value == "escalated"
    with staff.session() as s:
        alert = s.query(Escalation).one()
        security = s.get(Page, alert.security_page_id)
        assert security.purpose.value == "security" and "安保" in security.texts["zh-CN"]
        assert "王小明" not in security.texts["zh-CN"] + security.texts["en"]
    assert report.queued == [security.id] and states(staff, f"page:{security.id}") == ["queued"]
    assert paging.tick().escalated == []  # only once


def test_escalation_skips_a_security_page_nobody_could_hear(templates, cases, clock, staff):
    paging = PagingService(templates.db, clock, security_zones=("carpark",))  # not a zone of the venue
    case = cases.open_case("dora", "missing", lost_child())
    paging.page_case(case.number, "dora")
    clock.advance(minutes=10)
    report = paging.tick()
    assert report.escalated == [case.number] and report.alerts[0].security_page_id is None
    assert [a.title for a in airings(staff)] == [f"Page {case.number} (missing)"]
    assert any(e.action == "security page skipped" and "carpark" in e.detail for e in cases.get(case.number).events)


def test_free_text_needs_a_supervisor_other_than_the_author(paging, cases, staff):
    case = cases.open_case("dora", "missing", lost_child())
    page = paging.page_case(case.number, "sam", extra_text="请留意出口。")
    assert page.status is PageStatus.PENDING_APPROVAL and airings(staff) == []
    assert cases.get(case.number).state.value == "open"
    with pytest.raises(PermissionDenied, match="four-eyes"):
        paging.approve_page(page.id, "sam")
    with pytest.raises(PermissionDenied):
        paging.approve_page(page.id, "dora")
    approved = paging.approve_page(page.id, "sue")
    assert approved.status is PageStatus.ACTIVE and approved.times_queued == 1
    [row] = airings(staff)
    assert row.pieces[1]["parts"][0][1].endswith("请留意出口。")
    with pytest.raises(InvalidTransition):
        paging.approve_page(page.id, "sue")


def test_one_process_pages_another_repeats_it_and_the_timeline_follows_the_air(templates, cases, clock, player,
                                                                               staff):
    """The desk CLI writes the page and its airing; the player airs it at once; the leader (another
    PagingService) writes the repeat once the first airing has ended."""
    desk, leader = PagingService(templates.db, clock), PagingService(templates.db, clock)
    case = cases.open_case("dora", "missing", lost_child())
    page = desk.page_case(case.number, "dora")
    player.wait(_ended(staff, f"page:{page.id}"), what="the page to air")
    clock.advance(minutes=3)
    assert leader.tick().queued == [page.id]
    player.wait(_ended(staff, f"page:{page.id}"), what="the repeat to air")
    assert states(staff, f"page:{page.id}") == ["done", "done"]
    assert desk.page(page.id).times_aired == 2
    with staff.session() as s:
        actions = [e.action for e in s.query(CaseEvent).filter_by(case_id=case.id).order_by(CaseEvent.id)]
    assert actions == ["opened", "state", "page", "page queued", "page started", "page completed",
                       "page queued", "page started", "page completed"]


def test_the_players_last_check_refuses_a_page_whose_case_was_resolved(paging, cases, staff):
    case = cases.open_case("dora", "missing", lost_child())
    paging.page_case(case.number, "dora")
    with staff.session() as s:
        row = s.scalar(select(Airing))
        at_air(s, row)  # still wanted
        move(s, load_case(s, case.number), CaseState.FOUND, None, case.created_at)  # resolved behind paging
        with pytest.raises(InvalidTransition, match="no longer wanted"):
            at_air(s, row)


def test_resolved_case_cannot_be_paged(paging, cases, staff):
    case = cases.open_case("dora", "missing", lost_child())
    paging.resolve(case.number, "dora", "closed", result="false alarm")
    with pytest.raises(InvalidTransition, match="closed"):
        paging.page_case(case.number, "dora")
    assert airings(staff) == []


def test_ticks_from_two_threads_write_a_due_repeat_once(templates, cases, clock, player, staff):
    """The leader's loop and a panel request can tick at the same moment: a due repeat is still written
    once, not twice."""
    paging = PagingService(templates.db, clock)
    case = cases.open_case("dora", "missing", lost_child())
    page = paging.page_case(case.number, "dora")
    player.wait(_ended(staff, f"page:{page.id}"), what="the page to air")
    clock.advance(minutes=3)
    others = [PagingService(templates.db, clock) for _ in range(2)]  # ... or two leaders in a fail-over
    start, errors = threading.Barrier(4), []

    def tick(p):
        start.wait()
        try:
            p.tick()
        except IntegrityError as exc:  # another process wrote it first: this tick changes nothing
            errors.append(exc)

    threads = [threading.Thread(target=tick, args=(p,)) for p in [paging, paging, *others]]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(errors) <= 2  # only the other "processes" can collide; the key stores the repeat once
    assert [a.key for a in airings(staff)] == [f"page:{page.id}:1@main", f"page:{page.id}:2@main"]
    assert paging.page(page.id).times_queued == 2


def _counts(db):
    with db.session() as s:
        return tuple(s.scalar(select(func.count()).select_from(m)) for m in (PersonCase, Page, CaseEvent, Airing))


def test_open_and_page_stores_the_case_its_page_and_its_airing_in_one_step(paging, staff):
    case, page, err = paging.open_and_page("dora", "missing", lost_child())
    assert err is None and case.state is CaseState.PAGED and page.case_id == case.id
    assert page.times_queued == 1 and states(staff, f"page:{page.id}") == ["queued"]  # on its way at once
    assert all("王小明" not in text for text in page.texts.values())  # a child: never the name
    with staff.session() as s:
        actions = [e.action for e in s.query(CaseEvent).filter_by(case_id=case.id).order_by(CaseEvent.id)]
    assert actions == ["opened", "state", "page", "page queued"]


def test_open_and_page_keeps_the_case_when_only_the_page_is_refused(paging, staff):
    """The desk has typed a report: a refused page (here an adult template for a child) must not lose
    it. The case is stored with no page, and the error says why."""
    from broadcaster.paging.templates import NoNameViolation

    before = _counts(staff)
    case, page, err = paging.open_and_page("dora", "missing", lost_child(), template="missing_adult")
    assert page is None and isinstance(err, NoNameViolation)
    assert case.state is CaseState.OPEN
    assert _counts(staff) == (before[0] + 1, before[1], before[2] + 1, before[3])  # the case and its "opened"
    assert paging.page_case(case.number, "dora").case_id == case.id  # fixed: page it again
    assert len(airings(staff)) == 1


def test_open_and_page_with_bad_details_or_role_stores_nothing(paging, staff):
    before = _counts(staff)
    with pytest.raises(ValidationError, match="kind"):
        paging.open_and_page("dora", "lost", lost_child())
    with pytest.raises(ValidationError, match="age"):
        paging.open_and_page("dora", "missing", lost_child(age=-3))
    with pytest.raises(PermissionDenied):
        paging.open_and_page("bob", "missing", lost_child())  # a broadcaster is not desk staff
    assert _counts(staff) == before


def test_desks_triggering_at_once_each_get_their_own_answer(templates, clock, staff):
    """Eight calls at the same moment (desks and a kiosk): one is by a broadcaster (refused, nothing
    stored for it), one uses an adult template for a child (its case is kept, its page refused); the
    others are paged, each with its airing. Numbers are unique and consecutive."""
    from broadcaster.paging.templates import NoNameViolation

    paging = PagingService(templates.db, clock)
    calls = [("dora", None)] * 3 + [("bob", None), ("dan", "missing_adult")] + [("dan", None)] * 3
    out: list = [None] * len(calls)
    start = threading.Barrier(len(calls))

    def desk(i):
        who, template = calls[i]
        start.wait()
        try:
            out[i] = paging.open_and_page(who, "missing", lost_child(), template=template)
        except Exception as exc:  # noqa: BLE001
            out[i] = exc

    threads = [threading.Thread(target=desk, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert isinstance(out[3], PermissionDenied)
    case, page, err = out[4]
    assert page is None and isinstance(err, NoNameViolation) and case.state is CaseState.OPEN
    paged = [r for i, r in enumerate(out) if i not in (3, 4)]
    assert all(err is None and page.case_id == case.id and page.times_queued == 1 for case, page, err in paged)
    numbers = sorted(r[0].number for i, r in enumerate(out) if i != 3)
    assert len(set(numbers)) == 7 and [int(n[-3:]) for n in numbers] == list(range(1, 8))
    assert _counts(staff)[:2] == (7, 6)  # seven cases, six pages: nothing for the broadcaster
    assert sorted(a.ref for a in airings(staff)) == sorted(f"page:{p.id}" for _, p, _ in paged)
