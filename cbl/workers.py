"""Several web worker processes for one site: `cbl serve --workers N`.

The parent listens and accepts; each connection it accepts goes to the worker holding the fewest
open connections, passed over a Unix socket (SCM_RIGHTS). `uvicorn --workers` instead shares the
listening socket, and whichever worker wakes first accepts every connection waiting: under the
bidding benchmark one of two workers held 44 of the 50 keep-alive connections and ran out of CPU
while the other idled. Sockets bound with SO_REUSEPORT (what this module did before) let the
kernel spread them by a hash: 28 and 22 of 50 was usual, and the busier worker's queue set the
p99 (129-133 ms at 27/23 against 151-160 ms at 28/22, same code). Here it is 25 and 25. A worker
takes connections once it is ready for them: the first are accepted when all are, and while one
starts again after dying, the others take everything.

A worker that dies is started again; SIGTERM or Ctrl+C stops them all.
"""

import asyncio
import logging
import multiprocessing
import signal
import socket
import threading
import time
from collections.abc import Callable
from multiprocessing.process import BaseProcess
from multiprocessing.sharedctypes import SynchronizedArray

import uvicorn

log = logging.getLogger("cbl.workers")

RESTART_PAUSE = 1.0  # seconds between restarts of a worker that keeps dying
STARTING = -1  # in place of a worker's count of open connections until it is ready for them


class AddressInUse(RuntimeError):
    pass


def serve(host: str, port: int, workers: int) -> None:
    """Run `workers` server processes on host:port until told to stop."""
    if not hasattr(socket, "send_fds"):
        raise RuntimeError("cbl serve passes connections over Unix sockets; here, use uvicorn --workers instead")
    listener = listening_socket(host, port)
    context = multiprocessing.get_context("spawn")
    open_connections = context.Array("i", workers)  # each worker's, counted up here and down there
    channels: list[socket.socket | None] = [None] * workers
    stopping = threading.Event()

    def start(n: int) -> BaseProcess:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        with open_connections.get_lock():
            open_connections[n] = STARTING  # until the worker says it is ready
        old, channels[n] = channels[n], ours
        if old is not None:
            old.close()
        process = context.Process(target=_worker, args=(theirs, open_connections, n), name="cbl-web")
        process.start()
        theirs.close()
        return process

    def stop(_signal: int, _frame: object) -> None:
        stopping.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    processes = [start(n) for n in range(workers)]
    # The first connections wait in the backlog until every worker can take its share.
    deadline = time.monotonic() + 60
    while (STARTING in open_connections[:] and all(p.is_alive() for p in processes) and not stopping.is_set()
           and time.monotonic() < deadline):
        time.sleep(0.05)
    acceptor = threading.Thread(target=_accept, args=(listener, channels, open_connections, stopping),
                                name="cbl-accept", daemon=True)
    acceptor.start()
    try:
        while not stopping.is_set():
            time.sleep(0.2)
            for n, process in enumerate(processes):
                if not process.is_alive() and not stopping.is_set():
                    log.critical("web worker %s stopped (exit code %s); starting another", process.pid,
                                 process.exitcode)
                    time.sleep(RESTART_PAUSE)
                    processes[n] = start(n)
    finally:
        stopping.set()
        listener.close()
        for process in processes:
            if process.is_alive():
                process.terminate()  # uvicorn finishes the requests in hand, then exits
        for process in processes:
            process.join(timeout=30)
            if process.is_alive():
                process.kill()


def _accept(listener: socket.socket, channels: list, open_connections: SynchronizedArray,
            stopping: threading.Event) -> None:
    """Hand each new connection to the worker with the fewest open."""
    listener.settimeout(0.5)
    while not stopping.is_set():
        try:
            connection, _ = listener.accept()
        except TimeoutError:
            continue
        except OSError:
            return  # the listener was closed: stopping
        with connection:
            _hand_over(connection, channels, open_connections)


def _hand_over(connection: socket.socket, channels: list, open_connections: SynchronizedArray) -> None:
    """To the ready worker with the fewest open connections; past one that has just died, to the
    next. While none is ready (all starting, or starting again), the connection waits here."""
    deadline, dead = time.monotonic() + 60, set()
    while time.monotonic() < deadline:
        n = _take_place(open_connections, besides=dead)
        if n is None:
            time.sleep(0.05)
            dead.clear()
            continue
        try:
            socket.send_fds(channels[n], [b"c"], [connection.fileno()])
            return
        except OSError:  # its end is closed: it is being started again
            _give_back_place(open_connections, n)
            dead.add(n)


def _take_place(open_connections: SynchronizedArray, besides: set[int]) -> int | None:
    """The ready worker with the fewest open connections, counted one more; None if none is ready."""
    with open_connections.get_lock():
        ready = [n for n in range(len(open_connections)) if open_connections[n] != STARTING and n not in besides]
        if not ready:
            return None
        n = min(ready, key=open_connections.__getitem__)
        open_connections[n] += 1
        return n


def _give_back_place(open_connections: SynchronizedArray, n: int) -> None:
    with open_connections.get_lock():
        if open_connections[n] != STARTING:
            open_connections[n] -= 1


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def listening_socket(host: str, port: int) -> socket.socket:
    sock = socket.socket(_family(host), socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as error:
        sock.close()
        raise AddressInUse(f"Cannot listen on {host}:{port}: {error.strerror}.") from error
    sock.listen(2048)
    return sock


def _worker(channel: socket.socket, open_connections: SynchronizedArray, n: int) -> None:
    from cbl.app import create_app, freeze_start_up_objects
    from cbl.http_protocol import CoalescingHttpToolsProtocol

    # No scheduler in web workers: one `cbl scheduler` runs beside them.
    config = uvicorn.Config(create_app(run_scheduler=False), log_level="warning", access_log=False,
                            http=_counted(CoalescingHttpToolsProtocol, open_connections, n),
                            proxy_headers=False)  # the app believes proxies only from CBL_TRUSTED_PROXIES
    freeze_start_up_objects()
    HandedConnectionsServer(config, channel, lambda: _ready(open_connections, n)).run()


class HandedConnectionsServer(uvicorn.Server):
    """Uvicorn serving the connections the parent hands over `channel`, not a socket of its own."""

    def __init__(self, config: uvicorn.Config, channel: socket.socket, ready: Callable[[], None]) -> None:
        super().__init__(config)
        self.channel = channel
        self.ready = ready

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=[])  # the app's start-up, and no listening socket
        if self.started:
            self.channel.setblocking(False)
            asyncio.get_running_loop().add_reader(self.channel, self._take_connections)
            self.ready()

    def _new_protocol(self) -> asyncio.Protocol:
        return self.config.http_protocol_class(config=self.config, server_state=self.server_state,  # type: ignore[call-arg]
                                               app_state=self.lifespan.state)

    def _take_connections(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            message, fds, _, _ = socket.recv_fds(self.channel, 64, 64)
        except BlockingIOError:
            return
        if not message:  # the parent is gone
            loop.remove_reader(self.channel)
            self.should_exit = True
            return
        for fd in fds:
            loop.create_task(loop.connect_accepted_socket(self._new_protocol, socket.socket(fileno=fd)))


def _ready(open_connections: SynchronizedArray, n: int) -> None:
    with open_connections.get_lock():
        if open_connections[n] == STARTING:
            open_connections[n] = 0


def _counted(protocol_class: type, open_connections: SynchronizedArray, n: int) -> type:
    """The protocol, counting down this worker's open connections as each closes."""

    class Counted(protocol_class):
        def connection_lost(self, exc: Exception | None) -> None:
            _give_back_place(open_connections, n)
            super().connection_lost(exc)

    return Counted
