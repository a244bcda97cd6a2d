"""Dashboard: now playing (live over server-sent events), queue, device and engine health, open faults
with acknowledge, open cases."""
from __future__ import annotations

import json
import time

from flask import Blueprint, Response, current_app, redirect, render_template, request, url_for

from web.auth import ANYONE, FAULT_ACK, actor, require
from web.views import logs_service, svc

bp = Blueprint("dashboard", __name__)


def health(snap: dict | None = None) -> dict:
    """Engine and device health, from the engine's own snapshot (``snap``, when the caller has one)."""
    s = svc()
    snap = s.snapshot() if snap is None else snap
    if snap is None:
        return {"engine": "absent", "zones": {}}
    running = bool(getattr(s.engine, "running", True))
    zones = {name: {"device_ok": z["device_ok"], "sink": z["sink"]} for name, z in snap.items()}
    ok = running and all(z["device_ok"] for z in zones.values())
    return {"engine": "ok" if ok else ("stopped" if not running else "fault"), "zones": zones}


def open_faults() -> list:
    """Open or unacknowledged faults (re-read only when the fault table changed: broadcaster.board)."""
    return [] if logs_service() is None else svc().board.open_faults()


def acknowledge(fault_id: int, who: str, note: str = ""):
    """Acknowledge through the logs module (which checks the role again)."""
    from broadcaster.users import get_user

    logs = logs_service(required=True)
    with svc().db.session() as s:
        return logs.acknowledge(s, fault_id, get_user(s, who), note, at=svc().clock.now())


@bp.get("/")
@require(*ANYONE)
def index():
    s = svc()
    faults, cases = s.board.lists()
    snap = s.snapshot()
    return render_template("dashboard.html", snap=snap, health=health(snap), faults=faults, cases=cases,
                           logs_available=logs_service() is not None)


@bp.get("/events")
@require(*ANYONE)
def events():
    """Server-sent events: a ``snapshot`` event now and every SSE_INTERVAL seconds. Bounded (``?limit=N``
    events, at most SSE_MAX_EVENTS) so the connection ends and the browser's EventSource reconnects.
    When the worker has no live stream to spare, one event and a reconnect after SSE_BUSY_RETRY_S."""
    s = svc()
    interval = float(current_app.config["SSE_INTERVAL"])
    cap = int(current_app.config["SSE_MAX_EVENTS"])
    try:
        limit = max(1, min(cap, int(request.args.get("limit", cap))))
    except ValueError:
        limit = cap
    retry_ms = 1000
    if request.environ.get("pa.stream_full"):  # this worker's live streams are all in use: poll instead
        limit, retry_ms = 1, int(current_app.config["SSE_BUSY_RETRY_S"] * 1000)

    def payload() -> str:
        return json.dumps({"zones": s.snapshot(), "at": s.clock.now().isoformat()}, ensure_ascii=False,
                          default=str)

    def stream():
        yield f"retry: {retry_ms}\n\n"
        for n in range(limit):
            if n:
                time.sleep(interval)
            yield f"event: snapshot\ndata: {payload()}\n\n"

    return Response(stream(), mimetype="text/event-stream",
                    headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


@bp.post("/faults/<int:fault_id>/ack")
@require(*FAULT_ACK)
def ack_fault(fault_id: int):
    acknowledge(fault_id, actor(), request.form.get("note", ""))
    return redirect(request.referrer if (request.referrer or "").startswith(request.host_url)
                    else url_for("dashboard.index"))
