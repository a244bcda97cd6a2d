"""A lost item's state in the staff's words in English too: "Handed over", never "handed_over"."""
from __future__ import annotations

from tests.web.conftest import Browser
from tests.web.test_desk_defects import text_of
from tests.web.test_desk_keeping import zh


def test_a_handed_over_item_says_so_in_words(app):
    lost = app.extensions["pa"].lost
    item = lost.register("dora", category="wallet", where_found="Carousel", finder="Li", storage_place="Safe")
    lost.claim(item.number, "dora", owner_name="Wang Fang", owner_identity="ID 1234", verification_note="knew contents",
               signature="Wang Fang")
    for path in ("/desk/lost", f"/desk/lost/{item.number}"):
        said = text_of(Browser(app, "dora").get(path).get_data(as_text=True))
        assert "Handed over" in said and "handed_over" not in said, path
        assert "已交还" in text_of(zh(app, "dora").get(path).get_data(as_text=True))
