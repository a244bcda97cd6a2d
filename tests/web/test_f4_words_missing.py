"""The pages this round touched ask the catalogue for no word it lacks (zh)."""
from __future__ import annotations

from tests.web.test_desk import LOST_CHILD
from tests.web.test_desk_defects import open_case
from tests.web.test_desk_keeping import zh


def test_touched_pages_have_every_word_in_chinese(app):
    app.config["I18N_MISSING"] = missing = set()
    dora, sam, bob, ada = zh(app, "dora"), zh(app, "sam"), zh(app, "bob"), zh(app, "ada")
    number = open_case(dora, dict(LOST_CHILD, extra_text="Holding a blue balloon."))
    for b, path in ((dora, "/"), (dora, f"/desk/cases/{number}"), (dora, "/desk/lost"), (sam, "/approvals/logs"),
                    (sam, "/approvals/templates"), (bob, "/scripts/"), (bob, "/scripts/new"), (bob, "/schedule/"),
                    (ada, "/admin/users")):
        assert b.get(path).status_code == 200, path
    assert missing == set()
