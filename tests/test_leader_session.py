"""The leader's session on PostgreSQL ends soon after its machine goes silent (power or network lost),
so the server frees the advisory lock and a standby leads: with the server's defaults the session, and
the lock, outlived a dead leader machine by the TCP keepalive's two hours."""
from sqlalchemy import text

from broadcaster.onair.leader import Leadership


def test_the_leader_session_is_probed_every_second_by_the_server(pg_db):
    lead = Leadership(pg_db)
    assert lead.try_lead()
    try:
        show = lambda name: lead._conn.execute(text(f"SHOW {name}")).scalar()  # noqa: E731
        idle, every, count = (int(show(n)) for n in ("tcp_keepalives_idle", "tcp_keepalives_interval",
                                                     "tcp_keepalives_count"))
        assert idle + every * count <= 4, "a silent leader machine keeps the lock for longer than 4 s"
        assert show("tcp_user_timeout") in ("3000", "3s", "3000ms")
        assert lead.try_lead()  # still leading: the settings do not cost the lock
        other = Leadership(pg_db)
        assert not other.try_lead()
        with pg_db.engine.connect() as c:  # the pool's other sessions keep the server's defaults
            assert c.execute(text("SHOW tcp_keepalives_idle")).scalar() != str(idle)
    finally:
        lead.resign()


LEADER = r"""
import sys, time
from broadcaster.store.db import Database
from broadcaster.onair.leader import Leadership
lead, led = Leadership(Database(sys.argv[1])), False
while True:
    now = lead.try_lead()
    if now != led:
        print("leading" if now else "lost", flush=True)
        led = now
    time.sleep(8)  # a leader's round can be long (a re-plan): its session is touched meanwhile
"""


def test_a_frozen_leader_is_replaced_and_stops_leading_when_it_wakes(pg_db):
    """A leader process that hangs (SIGSTOP) keeps its session open and answers the server's probes:
    the lock was never freed, so page repeats and slots stopped for as long as it hung. A standby ends
    the untouched session and leads; the old leader, woken, finds it gone and stops leading."""
    import os
    import signal
    import subprocess
    import sys
    import time

    from broadcaster.onair.leader import FROZEN_AFTER_S

    proc = subprocess.Popen([sys.executable, "-c", LEADER, pg_db.url], stdout=subprocess.PIPE, text=True)
    standby = Leadership(pg_db)
    try:
        assert proc.stdout.readline().strip() == "leading"
        for _ in range(int(FROZEN_AFTER_S) + 3):  # a live leader in a long round: never unseated
            assert not standby.try_lead()
            time.sleep(1)
        os.kill(proc.pid, signal.SIGSTOP)
        frozen = time.monotonic()
        while not standby.try_lead():
            assert time.monotonic() - frozen < FROZEN_AFTER_S + 5, "the frozen leader kept the lock"
            time.sleep(1.0)  # a standby tries once a round (every second)
        took = time.monotonic() - frozen
        assert FROZEN_AFTER_S - 1 <= took, took  # not before it counts as frozen
        assert took <= 5.0, f"the standby led {took:.1f} s after the leader froze (within 5 s)"
        os.kill(proc.pid, signal.SIGCONT)
        assert proc.stdout.readline().strip() == "lost"  # woken: it no longer leads
        assert standby.try_lead()
    finally:
        os.kill(proc.pid, signal.SIGCONT)
        proc.kill()
        proc.wait()
        standby.resign()


def test_pooled_connections_ended_by_the_server_are_replaced_before_use(pg_db):
    """After a PostgreSQL restart every process logged a traceback from a stale pooled connection (the
    request or round that drew it failed): a connection the server ended is replaced before use."""
    with pg_db.engine.connect() as c:  # a connection back in the pool
        mine = c.execute(text("SELECT pg_backend_pid()")).scalar()
    import psycopg

    with psycopg.connect(pg_db.url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as admin:
        assert admin.execute("SELECT pg_terminate_backend(%s)", (mine,)).fetchone()[0]
    with pg_db.engine.connect() as c:  # no OperationalError: the pool found it dead and connected anew
        assert c.execute(text("SELECT pg_backend_pid()")).scalar() != mine
