"""A PostgreSQL that does not answer at all (a network that drops packets: a cable pulled, a switch
down) gives an error within seconds, as a server that refuses does, so the panel shows its outage page
and the players' loops say it and retry, never hang. Here: a real TCP listener that takes the
connection and never says a word (what libpq meets behind a silent network)."""
from __future__ import annotations

import socket
import threading

from sqlalchemy import text

from broadcaster.store.db import make_engine
from broadcaster.store.reach import unreachable


def test_a_server_that_never_answers_is_an_outage_within_seconds_not_a_hang():
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)  # the kernel completes the handshake; nothing ever reads or answers
    engine = make_engine(f"postgresql+psycopg://pa@127.0.0.1:{silent.getsockname()[1]}/pa")
    got: list[BaseException] = []

    def connect() -> None:
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except BaseException as exc:  # noqa: BLE001 - what the panel's handler and the loops receive
            got.append(exc)

    worker = threading.Thread(target=connect, daemon=True)
    worker.start()
    worker.join(30)  # libpq's default is to wait for ever
    try:
        assert not worker.is_alive(), "connecting to a silent server still hangs after 30 s"
        assert len(got) == 1 and unreachable(got[0]), got  # the panel's 503 page, one log line per loop
    finally:
        silent.close()
        engine.dispose()
