"""User management in Chinese: an account's state is not said with the word of the button that changes
it (an active account read "启用", the same as the "Switch on" button of a switched-off one)."""
from __future__ import annotations

import re

from tests.web.conftest import Browser


def test_an_active_accounts_state_is_not_the_switch_on_button(app):
    ada = Browser(app, "ada")
    ada.get("/lang/zh")
    html = ada.get("/admin/users").get_data(as_text=True)
    states = dict(re.findall(r'<td data-label="用户名">(\w+).*?<td data-label="状态">([^<]+)</td>', html, re.S))
    assert states["bob"] == "在用" and states["gone"] == "已停用"
    assert ">启用</button>" in html  # the button that switches "gone" back on
