"""Paging timing with ManualClock: immediate queue, repeats every 3 min, cancel on resolve, escalation."""
from concurrent.futures import Future

import pytest

from audio.pcm import Pcm
from broadcaster.cases.missing import load_case, move
from broadcaster.errors import InvalidTransition, PermissionDenied
from broadcaster.store.models.cases import CaseEvent, CaseState, Escalation, Page, PageStatus
from broadcaster.priorities import Priority
from tests.desk.conftest import lost_child


def _queued(engine, kind=None):
    return [i for i, item in engine.items.items() if kind is None or item.meta.get("purpose") == kind]


def test_page_is_queued_at_once_as_chime_then_rendering_speech(paging, cases, engine):
    case = cases.open_case("dora", "missing", lost_child())
    page = paging.page_case(case.number, "dora")
    assert list(engine.items) == [1]
    item = engine.items[1]
    assert item.priority == Priority.URGENT_PAGE and item.kind == "page" and item.ref == f"page:{page.id}"
    chime, speech = item.parts
    assert isinstance(chime, Pcm) and isinstance(speech, Future) and not speech.done()
    assert engine.rendered == [[("zh-CN", page.texts["zh-CN"]), ("en", page.texts["en"])]]
    assert cases.get(case.number).state.value == "paged"


def test_repeats_every_three_minutes_up_to_five_times(paging, cases, engine, clock):
    case = cases.open_case("dora", "found", lost_child(person_name=None))
    paging.page_case(case.number, "dora")
    clock.advance(minutes=2, seconds=59)
    assert paging.tick().queued == [] and len(engine.items) == 1
    clock.advance(seconds=1)
    assert len(paging.tick().queued) == 1 and len(engine.items) == 2
    assert engine.cancelled == [1]  # the previous repeat never doubles up
    for _ in range(5):
        clock.advance(minutes=3)
        paging.tick()
    assert len(_queued(engine, "found")) == 5  # max repeats
    assert len(_queued(engine, "security")) == 1  # escalated at 10 minutes meanwhile
    assert len(engine.rendered) == 2  # page speech rendered once, shared by its repeats (+ security)
    assert [p.status for p in paging.pages(case_number=case.number) if p.purpose.value == "found"] == [PageStatus.DONE]


def test_resolving_cancels_pending_repeats_and_airs_all_clear(paging, cases, engine, clock):
    case = cases.open_case("dora", "missing", lost_child())
    paging.page_case(case.number, "dora")
    clock.advance(minutes=3)
    paging.tick()
    paging.resolve(case.number, "dora", "reunited", result="mother collected him")
    assert 2 in engine.cancelled  # the queued repeat is withdrawn
    all_clear = engine.items[3]
    assert all_clear.meta == {"page_id": 2, "purpose": "all_clear", "case": case.number}
    assert "已经找到" in engine.rendered[-1][0][1] and "王小明" not in str(engine.rendered[-1])
    pages = paging.pages(case_number=case.number)
    assert [(p.purpose.value, p.status.value) for p in pages] == [("missing", "cancelled"), ("all_clear", "done")]
    for _ in range(5):
        clock.advance(minutes=3)
        assert paging.tick().queued == []
    assert len(engine.items) == 3 and cases.get(case.number).state.value == "reunited"


def test_escalation_at_ten_minutes(paging, cases, engine, clock, staff):
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
    assert report.queued == [security.id]
    assert paging.tick().escalated == []  # only once
    clock.advance(minutes=2)
    assert len(paging.tick().queued) == 1  # the 5th repeat still airs while escalated


def test_free_text_needs_a_supervisor_other_than_the_author(paging, cases, engine):
    case = cases.open_case("dora", "missing", lost_child())
    page = paging.page_case(case.number, "sam", extra_text="请留意出口。")
    assert page.status is PageStatus.PENDING_APPROVAL and engine.items == {}
    assert cases.get(case.number).state.value == "open"
    with pytest.raises(PermissionDenied, match="four-eyes"):
        paging.approve_page(page.id, "sam")
    with pytest.raises(PermissionDenied):
        paging.approve_page(page.id, "dora")
    approved = paging.approve_page(page.id, "sue")
    assert approved.status is PageStatus.ACTIVE and len(engine.items) == 1
    assert engine.rendered[0][0][1].endswith("请留意出口。")
    with pytest.raises(InvalidTransition):
        paging.approve_page(page.id, "sue")


def test_without_an_engine_the_page_waits_for_the_service(templates, cases, clock, engine):
    from broadcaster.paging.paging import PagingService

    case = cases.open_case("dora", "missing", lost_child())
    desk = PagingService(templates.db, clock)  # the CLI: no device here
    page = desk.page_case(case.number, "dora")
    assert page.status is PageStatus.ACTIVE and page.times_queued == 0
    service = PagingService(templates.db, clock, engine.pager())
    assert service.tick().queued == [page.id] and len(engine.items) == 1
    desk.resolve(case.number, "dora", "found", all_clear=False)  # resolved from another process
    assert service.tick().cancelled == [1] and engine.cancelled == [1]


def test_engine_check_refuses_a_page_whose_case_was_resolved(paging, cases, engine, staff):
    case = cases.open_case("dora", "missing", lost_child())
    paging.page_case(case.number, "dora")
    item = engine.items[1]
    item.check()  # still wanted
    with staff.session() as s:  # another process resolved it directly
        move(s, load_case(s, case.number), CaseState.FOUND, None, case.created_at)
    with pytest.raises(InvalidTransition, match="no longer wanted"):
        item.check()


def test_engine_events_are_written_on_tick(paging, cases, engine, clock, staff):
    from broadcaster.onair.engine import PlayoutEvent

    case = cases.open_case("dora", "missing", lost_child())
    page = paging.page_case(case.number, "dora")
    item = engine.items[1]
    for kind in ("started", "completed"):
        item.on_event(PlayoutEvent(kind=kind, item_id=1, item=item, zone="main", at=clock.now()))
    paging.tick()
    assert [p.times_aired for p in paging.pages(case_number=case.number)] == [1]
    with staff.session() as s:
        actions = [e.action for e in s.query(CaseEvent).filter_by(case_id=case.id)]
    assert "page started" in actions and "page completed" in actions and page.id


def test_resolved_case_cannot_be_paged(paging, cases):
    case = cases.open_case("dora", "missing", lost_child())
    paging.resolve(case.number, "dora", "closed", result="false alarm")
    with pytest.raises(InvalidTransition, match="closed"):
        paging.page_case(case.number, "dora")


def test_ticks_from_two_threads_queue_a_due_page_once(templates, cases, clock, engine):
    """The service loop and a panel request (in-process panel) can tick at the same moment: a due page
    must still be queued once, not twice."""
    import threading
    import time

    from broadcaster.paging.paging import PagingService

    case = cases.open_case("dora", "missing", lost_child())
    PagingService(templates.db, clock).page_case(case.number, "dora")  # stored as due, not yet queued
    slow = engine.pager()
    submit = slow.submit

    def slow_submit(item):
        time.sleep(0.05)  # a render or a busy engine lock: the other tick reads the page meanwhile
        return submit(item)

    slow.submit = slow_submit
    service = PagingService(templates.db, clock, slow)
    start = threading.Barrier(2)
    threads = [threading.Thread(target=lambda: (start.wait(), service.tick())) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(engine.items) == 1


def _counts(db):
    from sqlalchemy import func, select

    from broadcaster.store.models.cases import PersonCase

    with db.session() as s:
        return tuple(s.scalar(select(func.count()).select_from(m)) for m in (PersonCase, Page, CaseEvent))


def test_open_and_page_stores_the_case_and_its_page_in_one_step(paging, engine, staff):
    case, page, err = paging.open_and_page("dora", "missing", lost_child())
    assert err is None and case.state is CaseState.PAGED and page.case_id == case.id
    assert page.times_queued == 1 and list(engine.items) == [1]  # on the engine at once
    assert all("王小明" not in text for text in page.texts.values())  # a child: never the name
    with staff.session() as s:
        actions = [e.action for e in s.query(CaseEvent).filter_by(case_id=case.id).order_by(CaseEvent.id)]
    assert actions == ["opened", "state", "page", "page queued"]


def test_open_and_page_keeps_the_case_when_only_the_page_is_refused(paging, engine, staff):
    """The desk has typed a report: a refused page (here an adult template for a child) must not lose
    it. The case is stored with no page, and the error says why."""
    from broadcaster.paging.templates import NoNameViolation

    before = _counts(staff)
    case, page, err = paging.open_and_page("dora", "missing", lost_child(), template="missing_adult")
    assert page is None and isinstance(err, NoNameViolation) and engine.items == {}
    assert case.state is CaseState.OPEN
    assert _counts(staff) == (before[0] + 1, before[1], before[2] + 1)  # the case and its "opened" only
    assert paging.page_case(case.number, "dora").case_id == case.id  # fixed: page it again


def test_open_and_page_with_bad_details_or_role_stores_nothing(paging, engine, staff):
    from broadcaster.errors import ValidationError

    before = _counts(staff)
    with pytest.raises(ValidationError, match="kind"):
        paging.open_and_page("dora", "lost", lost_child())
    with pytest.raises(ValidationError, match="age"):
        paging.open_and_page("dora", "missing", lost_child(age=-3))
    with pytest.raises(PermissionDenied):
        paging.open_and_page("bob", "missing", lost_child())  # a broadcaster is not desk staff
    assert _counts(staff) == before and engine.items == {}


def test_desks_triggering_at_once_share_a_transaction_and_each_gets_its_own_answer(templates, clock, engine, staff):
    """Eight calls at the same moment (desks and a kiosk): one is by a broadcaster (refused, nothing
    stored for it), one uses an adult template for a child (its case is kept, its page refused); the
    others are paged. Numbers are unique and consecutive; every caller gets its own case."""
    import threading
    import time

    from broadcaster.paging.paging import PagingService
    from broadcaster.paging.templates import NoNameViolation

    paging = PagingService(templates.db, clock, engine.pager())
    submit = paging.pager.submit
    paging.pager.submit = lambda item: (time.sleep(0.02), submit(item))[1]  # a busy engine: callers pile up
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
    assert paging._triggers.runs < len(calls)  # they were combined
    assert _counts(staff)[:2] == (7, 6)  # seven cases, six pages: nothing for the broadcaster
    assert len(engine.items) == 6
