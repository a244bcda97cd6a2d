"""In headless Chromium on a phone (390 px), in Chinese: a lost sound device and a missed programme on the
dashboard and in the fault log read as the staff's sentences; the device's own error is folded under
"技术细节" until asked for. Screenshots go to /tmp/pa-screenshots (docs/screenshots with PA_SCREENSHOTS=1)."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.web.test_browser import CHROMIUM, chromium, login, server, shot  # noqa: F401 (fixtures)
from tests.web.test_programmes_browser import no_sideways_scroll, phone  # noqa: F401 (fixture)

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed")

PA = "Error opening OutputStream: Device unavailable [PaErrorCode -9985]"


def test_a_lost_device_and_a_missed_programme_in_staff_words_on_a_phone(server, phone):
    from broadcaster import logs
    from broadcaster.schedule import store

    base, app = server
    db = app.extensions["pa"].db
    with db.session() as s:  # as the player and the scheduler write them
        logs.raise_fault(s, "device_lost", f"zone main: cannot open audio device 'USB Audio': {PA}", zone="main")
        store.log_missed(s, "7:20261127T0800", datetime(2026, 11, 27, 0, 0, tzinfo=UTC), None, "开园欢迎", 7,
                         "late by 95s, beyond misfire grace 60s")
    login(phone, base, "sam")
    phone.goto(f"{base}/lang/zh")
    for page, name in (("/", "dashboard-faults-device-missed-zh-390"), ("/approvals/logs", "fault-log-device-missed-zh-390")):
        phone.goto(f"{base}{page}")
        faults = phone.locator("#faults")
        said = faults.inner_text()
        assert "音响设备无法使用：请检查音箱的电源和线缆，或联系技术人员。" in said
        assert "开园欢迎 未在 2026/11/27 08:00 播出：系统太忙，没能按时开始" in said
        assert "PaError" not in said and "OutputStream" not in said and "late by" not in said  # folded
        device = phone.locator("#faults details.tech", has_text="PaErrorCode")
        assert not device.locator("small").is_visible()  # folded until asked for
        assert device.locator("summary").inner_text() == "技术细节（给技术人员）"
        no_sideways_scroll(phone)
        shot(phone, name)
        device.locator("summary").click()  # the technician asks for it
        assert PA in device.inner_text()
        no_sideways_scroll(phone)
    shot(phone, "fault-log-device-detail-open-zh-390")
