"""The worker's middleware: ordinary requests take turns; live streams never wait for a turn and are
capped per worker, and a stream over the cap sends one update and asks the browser to come back later."""
from __future__ import annotations

import threading
import time

from tests.web.conftest import Browser
from web.worker import Turns


def test_ordinary_requests_take_turns_streams_do_not():
    running, most = [0], [0]
    lock = threading.Lock()

    def app(environ, start_response):
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.02)
        with lock:
            running[0] -= 1
        start_response("200 OK", [])
        return [b"ok"]

    turns = Turns(app, max_streams=4)
    threads = [threading.Thread(target=turns, args=({"PATH_INFO": "/"}, lambda *a: None)) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert most[0] == 1

    most[0] = 0
    threads = [threading.Thread(target=turns, args=({"PATH_INFO": "/events"}, lambda *a: None)) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert most[0] > 1  # streams run side by side


def test_streams_are_capped_and_a_closed_stream_frees_its_place():
    seen = []

    def app(environ, start_response):
        seen.append(bool(environ.get("pa.stream_full")))
        start_response("200 OK", [])
        return iter([b"data"])

    turns = Turns(app, max_streams=2)
    first = turns({"PATH_INFO": "/events"}, lambda *a: None)
    second = turns({"PATH_INFO": "/events"}, lambda *a: None)
    turns({"PATH_INFO": "/events"}, lambda *a: None)
    assert seen == [False, False, True]
    first.close()
    turns({"PATH_INFO": "/events"}, lambda *a: None)
    assert seen[-1] is False
    assert list(second) == [b"data"]


def test_a_stream_over_the_cap_sends_one_update_and_a_longer_retry(make_app, approved_templates, engine):
    app = make_app(ENGINE=engine, SSE_BUSY_RETRY_S=7)
    b = Browser(app, "dora")
    body = b.client.get("/events?limit=3", environ_overrides={"pa.stream_full": True}).get_data(as_text=True)
    assert body.startswith("retry: 7000\n") and body.count("event: snapshot") == 1
    normal = b.client.get("/events?limit=2").get_data(as_text=True)
    assert normal.startswith("retry: 1000\n") and normal.count("event: snapshot") == 2


def test_turns_are_taken_in_arrival_order_and_a_request_back_from_stepping_aside_goes_first():
    from web.worker import Turn

    turn = Turn()
    turn.acquire()
    order: list[str] = []

    def wait(name, first=False):
        turn.acquire(first=first)
        order.append(name)
        turn.release()

    threads = []
    for name, first in (("new 1", False), ("new 2", False), ("back 1", True), ("new 3", False), ("back 2", True)):
        threads.append(threading.Thread(target=wait, args=(name, first)))
        threads[-1].start()
        time.sleep(0.02)  # arrive in this order
    turn.release()
    for t in threads:
        t.join()
    assert order == ["back 1", "back 2", "new 1", "new 2", "new 3"]


def test_a_request_steps_aside_while_it_waits_so_others_can_run():
    """While one request waits for the desks' shared transaction (step_aside), another takes the turn;
    outside a worker's turn stepping aside does nothing."""
    from web.worker import step_aside

    with step_aside():
        pass  # no turn held: nothing to give up
    inside = threading.Event()
    ran_meanwhile = threading.Event()

    def slow(environ, start_response):
        with step_aside():
            inside.set()
            assert ran_meanwhile.wait(5)  # the other request ran while this one stood aside
        start_response("200 OK", [])
        return [b"slow"]

    def quick(environ, start_response):
        ran_meanwhile.set()
        start_response("200 OK", [])
        return [b"quick"]

    turns = Turns(lambda env, sr: (slow if env["PATH_INFO"] == "/slow" else quick)(env, sr), max_streams=1)
    got = {}
    a = threading.Thread(target=lambda: got.setdefault("slow", turns({"PATH_INFO": "/slow"}, lambda *a: None)))
    a.start()
    assert inside.wait(5)
    got["quick"] = turns({"PATH_INFO": "/quick"}, lambda *a: None)
    a.join(5)
    assert got == {"slow": [b"slow"], "quick": [b"quick"]}
