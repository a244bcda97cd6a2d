"""A private, throw-away PostgreSQL server for the tests (real PostgreSQL, not a mock).

Uses PA_TEST_PG_URL when set; otherwise initdb + pg_ctl a cluster in a temp dir on a free port
(as the `postgres` user when running as root, since PostgreSQL refuses to run as root).
"""
from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time


def _bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    cands = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return cands[-1] if cands else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class TempPostgres:
    def __init__(self) -> None:
        self.dir = tempfile.mkdtemp(prefix="pa-pg-")
        self.port = _free_port()
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"
        self._as = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    def start(self) -> "TempPostgres":
        initdb, pg_ctl = _bin("initdb"), _bin("pg_ctl")
        if not initdb or not pg_ctl:
            raise RuntimeError("PostgreSQL server binaries not found (apt-get install postgresql)")
        if self._as:
            shutil.chown(self.dir, "postgres", "postgres")
        data = os.path.join(self.dir, "data")
        subprocess.run(self._as + [initdb, "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8",
                                   "--locale=C.UTF-8"], check=True, capture_output=True)
        subprocess.run(self._as + [pg_ctl, "-D", data, "-l", os.path.join(self.dir, "log"), "-w", "-o",
                                   f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off",
                                   "start"], check=True, capture_output=True)
        deadline = time.time() + 20
        while time.time() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    return self
            time.sleep(0.1)
        raise RuntimeError("PostgreSQL did not start")

    def create_database(self, name: str) -> str:
        return create_database(self.url, name)

    def halt(self) -> None:
        """The server stopped (its data kept): connections refused until ``resume()``."""
        subprocess.run(self._as + [_bin("pg_ctl"), "-D", os.path.join(self.dir, "data"), "-m", "fast", "-w", "stop"],
                       check=True, capture_output=True)

    def resume(self) -> None:
        subprocess.run(self._as + [_bin("pg_ctl"), "-D", os.path.join(self.dir, "data"), "-l",
                                   os.path.join(self.dir, "log"), "-w", "-o",
                                   f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off",
                                   "start"], check=True, capture_output=True)

    def stop(self) -> None:
        pg_ctl = _bin("pg_ctl")
        subprocess.run(self._as + [pg_ctl, "-D", os.path.join(self.dir, "data"), "-m", "immediate", "stop"],
                       capture_output=True)
        shutil.rmtree(self.dir, ignore_errors=True)


def _admin(url: str, sql: str) -> None:
    import sqlalchemy as sa

    eng = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with eng.connect() as c:
            c.execute(sa.text(sql))
    finally:
        eng.dispose()


def create_database(server_url: str, name: str) -> str:
    """A new, empty database ``name`` on the server of ``server_url`` (the private cluster's, or
    PA_TEST_PG_URL's): its URL. Each test has its own, so a second run finds nothing of the first."""
    _admin(server_url, f'CREATE DATABASE "{name}"')
    return server_url.rsplit("/", 1)[0] + "/" + name


def drop_database(server_url: str, url: str) -> None:
    name = url.rsplit("/", 1)[1]
    _admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
