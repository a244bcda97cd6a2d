"""More panel processes, for a venue on PostgreSQL: ``gunicorn -w 4 'web.wsgi:app()'`` on any machine
that reaches the database (``PA_DATABASE_URL``, ``PA_VAR_DIR`` as for ``broadcaster serve``).

A panel process runs no player and no leader: it writes rows (cases, pages and their airings,
announcements) and reads what is on air from the database, like the panel inside ``broadcaster serve``.
The players are woken by PostgreSQL's NOTIFY. On SQLite (one box) the panel inside ``broadcaster
serve`` is the only one: this factory refuses.
"""
from __future__ import annotations

import gc


def app(db_url: str | None = None):
    """gunicorn's application factory."""
    from audio.render import Renderer
    from broadcaster.service import secret_key
    from broadcaster.settings import load_settings, var_dir
    from broadcaster.store.db import Database
    from web import create_app

    db = Database(db_url)
    if not db.is_postgres:
        db.dispose()
        raise RuntimeError("panel processes of their own need PostgreSQL (PA_DATABASE_URL); on SQLite the panel "
                           "runs inside `broadcaster serve`")
    var = var_dir()
    panel = create_app({"DATABASE": db, "RENDERER": Renderer(target_lufs=load_settings(db).loudness_lufs), "SECRET_KEY": secret_key(var)})
    gc.freeze()  # the modules and the app live as long as the process: collections need not scan them
    return panel
