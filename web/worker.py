"""The panel in worker processes: ``broadcaster serve`` runs it under gunicorn (``--web-workers N``).

One Python process serves one request's Python code at a time (the interpreter lock), so the panel
runs in N worker processes beside the service process that owns the audio device. Each worker builds
the panel around a :class:`broadcaster.remote.RemoteService`: the shared database, the engine seen
through the snapshot the service publishes, and a doorbell that makes the service air a page or an
announcement at once. gunicorn's threaded workers keep the live now-playing streams (server-sent
events) open without holding up other requests; :class:`Turns` lets ordinary requests run one at a
time in each worker, first come first served, so none waits behind a crowd sharing the lock.
"""
from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import threading
import time


class Turns:
    """WSGI middleware: at most ``slots`` ordinary requests run at once in this process (in arrival
    order); streams (paths in ``streams``) never wait for a turn and never hold one."""

    def __init__(self, app, slots: int = 1, streams: tuple[str, ...] = ("/events",)) -> None:
        self.app, self.streams = app, streams
        self._slots = threading.Semaphore(slots)

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") in self.streams:
            return self.app(environ, start_response)
        with self._slots:  # the view runs and the page is rendered in the turn; sending is outside
            return self.app(environ, start_response)


def app():
    """gunicorn's application factory: ``gunicorn 'web.worker:app()'`` (settings from the environment
    ``broadcaster serve`` passes: PA_VAR_DIR, PA_DATABASE_URL, PA_ZONES)."""
    from broadcaster.remote import RemoteService
    from web.frontend import panel_for

    service = RemoteService()
    panel = panel_for(service, THROTTLE_FILE=str(service.run / "login-failures.json"))
    panel.wsgi_app = Turns(panel.wsgi_app)
    return panel


def spawn(service, host: str, port: int, workers: int, threads: int = 16, timeout: float = 30.0):
    """Start gunicorn with ``workers`` panel processes for the running ``service`` on a socket bound
    here (so port 0 and "address in use" behave as for one process). Returns (Popen, port) once the
    panel answers; raises RuntimeError (with gunicorn's own message) when it cannot start."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(256)
    port = sock.getsockname()[1]
    env = dict(os.environ, PA_VAR_DIR=str(service.var), PA_DATABASE_URL=service.db.url,
               PA_ZONES=",".join(f"{z}={spec}" for z, spec in service.zone_specs.items()))
    cmd = [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--worker-class", "gthread",
           "--threads", str(threads), "--bind", f"fd://{sock.fileno()}", "--graceful-timeout", "5",
           "--no-control-socket", "--log-level", "warning", "web.worker:app()"]
    try:
        proc = subprocess.Popen(cmd, env=env, stderr=subprocess.PIPE, text=True, pass_fds=[sock.fileno()])
    finally:
        sock.close()  # gunicorn holds it now
    probe = "127.0.0.1" if host in ("0.0.0.0", "") else ("::1" if host == "::" else host)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"panel workers exited ({proc.returncode}): {proc.stderr.read()[-2000:]}")
        try:
            conn = http.client.HTTPConnection(probe, port, timeout=2)
            conn.request("GET", "/login")
            if conn.getresponse().status < 500:
                break
        except OSError:
            time.sleep(0.1)
        finally:
            conn.close()
    else:
        stop(proc)
        raise RuntimeError(f"panel workers did not answer on {host}:{port} within {timeout:g} s")
    threading.Thread(target=_relay, args=(proc,), name="gunicorn-log", daemon=True).start()
    return proc, port


def _relay(proc) -> None:
    """gunicorn's warnings and errors go on to the service's stderr."""
    for line in proc.stderr:
        sys.stderr.write(line)


def stop(proc, timeout: float = 10.0) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
