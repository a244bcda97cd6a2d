"""The handover pages through the Flask test client: a line crossed without an explanation blocks the
signature (the error beside that line, nothing signed); two different logins sign; the PA check and a
test tone run from the page against a real zone player."""
from __future__ import annotations

import re

from sqlalchemy import select

from broadcaster.store.models.desk import Handover, HandoverCheck
from broadcaster.store.models.onair import Airing
from tests.conftest import OnAir


def check_ids(db) -> dict[str, int]:
    with db.session() as s:
        return {c.line: c.id for c in s.scalars(select(HandoverCheck))}


def test_handover_checked_and_signed_by_two_logins(browser, staff, tmp_path, renderer, make_app):
    from broadcaster.clock import SystemClock
    from tests.cases.conftest import Browser

    air = OnAir(staff, tmp_path).start()
    try:
        air.wait(lambda: air.player.name, what="player")
        app = make_app(CLOCK=SystemClock())
        dora, dan = Browser(app, "dora"), Browser(app, "dan")
        resp = dora.post("/cases/handover/", {"shift": "早班 → 中班", "notes": "radio 3 weak"})
        assert resp.status_code == 303
        hid = int(resp.headers["Location"].rstrip("/").rsplit("/", 1)[1])
        ids = check_ids(staff)
        assert dora.post(f"/cases/handover/{hid}/pa-check").status_code == 303
        assert dora.post(f"/cases/handover/{hid}/tone", {"zone": "main"}).status_code == 303
        with staff.session() as s:
            assert s.scalar(select(Airing).where(Airing.ref == f"handover:{hid}")).zone == "main"
        form = {f"result-{ids[line]}": "ok" for line in ("desk_tidy", "log_read", "lost_store", "radios")}
        form[f"result-{ids['keys']}"] = "cross"
        assert dora.post(f"/cases/handover/{hid}/lines", form).status_code == 303
        air.wait(lambda: "√" in dora.get(f"/cases/handover/{hid}").get_data(as_text=True).split('id="line-tone-main"')[1]
                 .split("</tr>")[0], what="the tone line ticked")
        resp = dora.post(f"/cases/handover/{hid}/sign")
        html = resp.get_data(as_text=True)
        assert resp.status_code == 400 and f'id="err-check-{ids["keys"]}"' in html
        assert len(re.findall(r'id="err-check-', html)) == 1  # only the unexplained cross
        with staff.session() as s:
            assert s.get(Handover, hid).outgoing_signed_at is None
        dora.post(f"/cases/handover/{hid}/lines", {f"explanation-{ids['keys']}": "key 7 with security"})
        assert dan.post(f"/cases/handover/{hid}/sign").status_code == 303  # refused: outgoing first
        with staff.session() as s:
            assert s.get(Handover, hid).incoming_signed_at is None and s.get(Handover, hid).outgoing_signed_at is None
        assert dora.post(f"/cases/handover/{hid}/sign").status_code == 303
        assert dora.post(f"/cases/handover/{hid}/sign").status_code == 303  # same login again: refused
        with staff.session() as s:
            assert s.get(Handover, hid).incoming_id is None
        assert dan.post(f"/cases/handover/{hid}/sign").status_code == 303
        with staff.session() as s:
            h = s.get(Handover, hid)
            assert h.outgoing_signed_at and h.incoming_signed_at and h.incoming_id != h.outgoing_id
        assert "signed-both" in dan.get(f"/cases/handover/{hid}").get_data(as_text=True)
    finally:
        air.stop()


def test_start_needs_a_shift(browser, staff):
    resp = browser("dora").post("/cases/handover/", {"shift": ""})
    assert resp.status_code == 400 and 'id="err-shift"' in resp.get_data(as_text=True)
    with staff.session() as s:
        assert s.scalar(select(Handover)) is None
