"""The panel as a frontend of the running service (registered as the ``web`` entry point in the
``pa_broadcaster.frontends`` group, so the service starts it without importing web)."""
from __future__ import annotations

from flask import Flask

from broadcaster.service import secret_key
from web import create_app


def panel_for(service, **config) -> Flask:
    """The panel around a running broadcaster.service.BroadcastService: the same database, clock,
    renderer, venue zones and services (one PagingService for the panel and the leader's ticks)."""
    return create_app({"SERVICE": service, "SECRET_KEY": secret_key(service.var), **config})
