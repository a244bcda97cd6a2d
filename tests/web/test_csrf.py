"""CSRF over every form route: each non-API POST of the app's url_map, sent by a logged-in admin (who
holds every role) without the token, is refused with 400 and changes nothing in the database."""
from __future__ import annotations

from werkzeug.routing import IntegerConverter

from tests.web.conftest import Browser
from tests.web import test_hostile_inputs as hostile
from tests.web.test_hostile_inputs import dump

world = hostile.world  # the fixture: a case, pages, a script, a rule and a fault to act on


def form_routes(app):
    for rule in app.url_map.iter_rules():
        if "POST" in rule.methods and not rule.rule.startswith("/api/"):
            yield rule


def url_of(app, rule, world) -> str:
    values = {}
    for name in rule.arguments:
        converter = rule._converters[name]
        values[name] = 1 if isinstance(converter, IntegerConverter) else world["number"]
    with app.test_request_context():
        return app.url_map.bind("localhost").build(rule.endpoint, values, method="POST")


def test_every_form_route_refuses_a_post_without_the_token(app, world, staff):
    admin = Browser(app, "ada")
    routes = list(form_routes(app))
    assert len(routes) > 40, len(routes)  # the whole panel, not a handful
    before = dump(staff)
    wrong = []
    for rule in routes:
        url = url_of(app, rule, world)
        form = {"title": "x", "reason": "x", "state": "found", "note": "x", "text": "x", "name": "x"}
        resp = admin.client.post(url, data=form)
        if resp.status_code != 400 or "reload the page and send it again" not in resp.get_data(as_text=True):
            wrong.append((rule.endpoint, url, resp.status_code))
    assert wrong == []
    assert dump(staff) == before
    assert admin.get("/").status_code == 200  # still logged in: the refused logout changed nothing either
