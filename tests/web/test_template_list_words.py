"""The templates list says who a template is for in the staff's words: 'any' is 儿童或成人 / child or adult."""
from __future__ import annotations

import re

from tests.web.conftest import Browser
from tests.web.test_desk_keeping import zh


def test_a_template_for_anyone_is_said_in_staff_words(app):
    html = zh(app, "sam").get("/approvals/templates").get_data(as_text=True)
    assert "解除 · 儿童或成人" in html and not re.search(r"· any\b", html)
    assert "all_clear" not in html
    assert "child or adult" in Browser(app, "sam").get("/approvals/templates").get_data(as_text=True)
