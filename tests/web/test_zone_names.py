"""Time zones by their place in the UI language (中国（上海）时间), never the raw id, on the venue form and
the schedule; the id stays the option's value."""
from __future__ import annotations

import re

from broadcaster.venue import start_setup
from tests.web.test_desk_keeping import zh


def test_the_venue_form_and_the_schedule_name_time_zones_by_place(app, make_app):
    week = zh(app, "bob").get("/schedule/").get_data(as_text=True)
    assert "Asia/Shanghai" not in re.sub(r'value="[^"]*"', "", week) and "上海" in week
    start_setup()
    fresh = make_app()
    ada = zh(fresh, "ada")
    fresh.extensions["pa"].settings.setup_pending[:] = ["venue"]
    form = ada.get("/setup/venue").get_data(as_text=True)
    assert '<option value="Asia/Shanghai"' in form and "中国（上海）时间" in form
    assert ">Asia/Shanghai<" not in form and ">UTC<" not in form
