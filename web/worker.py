"""The panel in worker processes: ``broadcaster serve`` runs it under gunicorn (``--web-workers N``).

One Python process serves one request's Python code at a time (the interpreter lock), so the panel
runs in N worker processes beside the service process that owns the audio device. Each worker builds
the panel around a :class:`broadcaster.remote.RemoteService`: the shared database, the engine seen
through the snapshot the service publishes, and a doorbell that makes the service air a page or an
announcement at once. gunicorn's threaded workers keep the live now-playing streams (server-sent
events) open without holding up other requests; :class:`Turns` lets ordinary requests run one at a
time in each worker, so none is slowed by a crowd sharing the lock. gunicorn goes when the service
goes, even when the service is killed (the kernel's parent-death signal), so a restarted service
finds its port free.
"""
from __future__ import annotations

import collections
import gc
import http.client
import os
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager


class Turns:
    """WSGI middleware. Ordinary requests run one at a time in this process (the interpreter lock lets
    only one run anyway; taking turns keeps each one short). Live streams (paths in ``streams``) never
    take a turn, but at most ``max_streams`` stay open per process, so open dashboards can never use up
    the connections other requests need: past that, a stream is told (``pa.stream_full`` in the
    environ) to send one update and close, and the browser reconnects a few seconds later."""

    def __init__(self, app, max_streams: int, streams: tuple[str, ...] = ("/events",)) -> None:
        self.app, self.streams = app, streams
        self._turn = Turn()
        self._streams = threading.BoundedSemaphore(max_streams)

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") in self.streams:
            if not self._streams.acquire(blocking=False):
                environ["pa.stream_full"] = True
                return self.app(environ, start_response)
            try:
                return _Closing(self.app(environ, start_response), self._streams.release)
            except BaseException:
                self._streams.release()
                raise
        self._turn.acquire()  # the view runs and the page is rendered in the turn; sending is outside
        _held.turn = self._turn
        try:
            return self.app(environ, start_response)
        finally:
            _held.turn = None
            self._turn.release()


_held = threading.local()  # the turn this thread's request holds


@contextmanager
def step_aside():
    """Let the next request of this worker run while this one waits for something other than the
    interpreter (here: the desks' shared transaction, ``broadcaster.combine``), then take the turn
    back. Outside a worker's turn (the in-process panel, tests) it does nothing."""
    turn = getattr(_held, "turn", None)
    if turn is None:
        yield
        return
    turn.release()
    try:
        yield
    finally:
        turn.acquire(first=True)  # finish what is under way before new requests start


class Turn:
    """A lock taken in arrival order (threading.Lock lets any waiter win, so an unlucky request can
    wait many turns). Requests coming back from :func:`step_aside` go before new ones (finish what is
    under way first), in the order they came back."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._held = False
        self._back: collections.deque[threading.Lock] = collections.deque()  # from step_aside
        self._new: collections.deque[threading.Lock] = collections.deque()

    def acquire(self, first: bool = False) -> None:
        with self._guard:
            if not self._held:
                self._held = True
                return
            baton = threading.Lock()
            baton.acquire()
            (self._back if first else self._new).append(baton)
        baton.acquire()  # released by the holder handing the turn over: held from then on

    def release(self) -> None:
        with self._guard:
            if self._back or self._new:
                (self._back or self._new).popleft().release()
            else:
                self._held = False


class _Closing:
    """A response body that calls ``on_close`` once the server has closed it."""

    def __init__(self, body, on_close) -> None:
        self.body, self.on_close = body, on_close

    def __iter__(self):
        return iter(self.body)

    def close(self) -> None:
        try:
            close = getattr(self.body, "close", None)
            if close is not None:
                close()
        finally:
            self.on_close()


THREADS = 14   # per worker: one runs at a time, the others wait their turn or hold a live stream
STREAMS = 8    # live streams per worker; the other connections stay free for ordinary requests


def app():
    """gunicorn's application factory: ``gunicorn 'web.worker:app()'`` (settings from the environment
    ``broadcaster serve`` passes: PA_VAR_DIR, PA_DATABASE_URL, PA_ZONES)."""
    from broadcaster.remote import RemoteService
    from web.frontend import panel_for

    service = RemoteService()
    panel = panel_for(service, THROTTLE_FILE=str(service.run / "login-failures.json"))
    panel.wsgi_app = Turns(panel.wsgi_app, max_streams=STREAMS)
    gc.freeze()  # the modules and the app live as long as the worker: collections need not scan them
    return panel


def spawn(service, host: str, port: int, workers: int, threads: int = THREADS, timeout: float = 30.0):
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
    cmd = [sys.executable, "-c", _WITH_PARENT, str(os.getpid()),
           "-m", "gunicorn", "--workers", str(workers), "--worker-class", "gthread",
           "--threads", str(threads), "--worker-connections", str(threads), "--keep-alive", "0",
           "--bind", f"fd://{sock.fileno()}", "--graceful-timeout", "5",
           "--no-control-socket", "--log-level", "warning"]
    if os.path.isdir("/dev/shm"):
        cmd += ["--worker-tmp-dir", "/dev/shm"]  # the workers' heartbeat files: memory, not disk
    cmd.append("web.worker:app()")
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


#: Runs first in the child: ask the kernel for SIGTERM when the service dies (PR_SET_PDEATHSIG, kept
#: across exec), give up if it already died, then become gunicorn (same process).
_WITH_PARENT = """
import ctypes, os, signal, sys
parent = int(sys.argv[1])
try:
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM, 0, 0, 0)
except AttributeError:  # not Linux: no parent-death signal, the service stops gunicorn itself
    pass
if os.getppid() != parent:
    sys.exit("the service is gone")
os.execv(sys.executable, [sys.executable] + sys.argv[2:])
"""


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
