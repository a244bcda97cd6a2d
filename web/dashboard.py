"""Dashboard: now playing per zone (live over server-sent events), what waits to air, the zone players'
and devices' health, open faults with acknowledge, open cases. All read from the database, so every
panel process shows the same thing."""
from __future__ import annotations

import json

from flask import (Blueprint, Response, current_app, redirect, render_template, request, stream_with_context,
                   url_for)

from broadcaster import board, logs
from broadcaster.onair.nowplaying import health
from web.airwords import said_zones
from web.auth import ANYONE, FAULT_ACK, actor, require
from web.views import svc

bp = Blueprint("dashboard", __name__)


def open_faults() -> list:
    """Open or unacknowledged faults (read on each request: broadcaster.board)."""
    return board.open_faults(svc().db)


def acknowledge(fault_id: int, who: str, note: str = ""):
    """Acknowledge through the logs module (which checks the role again)."""
    from broadcaster.users import get_user

    with svc().db.session() as s:
        return logs.acknowledge(s, fault_id, get_user(s, who), note, at=svc().clock.now())


def board_context() -> dict:
    """The live board: faults (missed slots and failed escalations included) and open cases."""
    s = svc()
    faults, cases = board.open_faults(s.db), s.cases.list_cases(open_only=True)
    now = s.clock.now()
    next_page: dict[int, object] = {}
    for page in s.paging.pages(status="active") if cases else []:
        if page.case_id and page.next_due_at and (page.case_id not in next_page or page.next_due_at < next_page[page.case_id]):
            next_page[page.case_id] = page.next_due_at

    def minutes_until(at) -> int:
        return max(0, -int((now - at).total_seconds() // 60)) if at else 0

    return dict(faults=faults, cases=cases, next_page=next_page,
                escalate_after=s.paging.escalate_after, minutes_until=minutes_until,
                minutes_since=lambda at: max(0, int((now - at).total_seconds() // 60)) if at else 0)


@bp.get("/")
@require(*ANYONE)
def index():
    zones = said_zones(svc().now_playing())
    renderer = svc().renderer
    notices = sorted(n for n, state in (renderer.health() if hasattr(renderer, "health") else {}).items()
                     if state != "ok")  # a notice, not a fault: another engine speaks (broadcaster.voices)
    return render_template("dashboard.html", zones=zones, health=health(zones), speech_notices=notices,
                           **board_context())


@bp.get("/events")
@require(*ANYONE)
def events():
    """Server-sent events: a ``snapshot`` event (now playing per zone, and the board of faults and open
    cases rendered as on the page, read from the database) now and
    every SSE_INTERVAL seconds. Bounded (``?limit=N`` events, at most SSE_MAX_EVENTS) so the connection
    ends and the browser's EventSource reconnects. Each open stream holds one of the server's threads:
    past SSE_MAX_STREAMS open at once, a stream sends one event and asks the browser to come back after
    SSE_BUSY_RETRY_S, so open dashboards never take the threads the desk's page trigger needs."""
    s = svc()
    cfg = current_app.config
    interval, cap = float(cfg["SSE_INTERVAL"]), int(cfg["SSE_MAX_EVENTS"])
    try:
        limit = max(1, min(cap, int(request.args.get("limit", cap))))
    except ValueError:
        limit = cap
    slots = current_app.extensions["pa_streams"]
    held = limit > 1 and slots.acquire(blocking=False)
    retry_ms = 1000
    if limit > 1 and not held:
        limit, retry_ms = 1, int(float(cfg["SSE_BUSY_RETRY_S"]) * 1000)

    sent: list[str] = []  # the board last sent on this stream: sent again only when it changed

    def payload() -> str:
        data = {"zones": said_zones(s.now_playing()), "at": s.clock.now().isoformat()}
        html = render_template("_board.html", **board_context())
        if not sent or sent[-1] != html:
            data["board"] = html
            sent[:] = [html]
        return json.dumps(data, ensure_ascii=False, default=str)

    released = []

    def release() -> None:  # once, whether the stream ran to its end, broke off, or never started
        if held and not released:
            released.append(True)
            slots.release()

    def stream():
        from broadcaster.store.reach import unreachable

        try:
            yield f"retry: {retry_ms}\n\n"
            for n in range(limit):
                if n and s.stopping.wait(interval):
                    return  # the server is stopping
                try:
                    data = payload()
                except Exception as exc:
                    if not unreachable(exc):
                        raise
                    yield _outage_said()  # said on the page; the browser comes back after its retry
                    return
                yield f"event: snapshot\ndata: {data}\n\n"
        finally:
            release()

    resp = Response(stream_with_context(stream()), mimetype="text/event-stream",
                    headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
    resp.call_on_close(release)
    return resp


def _outage_said() -> str:
    from web.errors import DB_AWAY, DB_AWAY_DO, DB_AWAY_TITLE
    from web.i18n import t

    said = {"title": t(DB_AWAY_TITLE), "message": t(DB_AWAY), "todo": t(DB_AWAY_DO)}
    return f"event: outage\ndata: {json.dumps(said, ensure_ascii=False)}\n\n"


def outage_event() -> Response:
    """The live stream while the database is out of reach: the outage said on the open page, and the
    browser asked back in 5 s (a 200, since EventSource gives up for good on an error status)."""
    return Response("retry: 5000\n\n" + _outage_said(), mimetype="text/event-stream",
                    headers={"Cache-Control": "no-cache"})


@bp.post("/faults/<int:fault_id>/ack")
@require(*FAULT_ACK)
def ack_fault(fault_id: int):
    from broadcaster.inputs import Note, parse

    acknowledge(fault_id, actor(), parse(Note, {"note": request.form.get("note")}).note or "")
    return redirect(request.referrer if (request.referrer or "").startswith(request.host_url)
                    else url_for("dashboard.index"))
