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
