"""Several web worker processes for one site: `cbl serve --workers N`.

`uvicorn --workers` shares one listening socket, and whichever worker wakes first accepts every
connection waiting: under the bidding benchmark one of two workers held 44 of the 50 keep-alive
connections and ran out of CPU while the other idled. Here each worker listens on its own socket
bound with SO_REUSEPORT, so the kernel spreads connections over the workers (31 and 19 of 50
in the same run). A worker that dies is started again; SIGTERM or Ctrl+C stops them all.
"""

import logging
import multiprocessing
import signal
import socket
import time
from multiprocessing.process import BaseProcess

log = logging.getLogger("cbl.workers")

RESTART_PAUSE = 1.0  # seconds between restarts of a worker that keeps dying


class AddressInUse(RuntimeError):
    pass


def serve(host: str, port: int, workers: int) -> None:
    """Run `workers` server processes on host:port until told to stop."""
    if not hasattr(socket, "SO_REUSEPORT"):
        raise RuntimeError("cbl serve needs SO_REUSEPORT (Linux or BSD); use uvicorn --workers instead")
    _check_free(host, port)
    context = multiprocessing.get_context("spawn")
    stopping = False

    def start() -> BaseProcess:
        process = context.Process(target=_worker, args=(host, port), name="cbl-web")
        process.start()
        return process

    def stop(_signal: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    processes = [start() for _ in range(workers)]
    try:
        while not stopping:
            time.sleep(0.2)
            for n, process in enumerate(processes):
                if not process.is_alive() and not stopping:
                    log.critical("web worker %s stopped (exit code %s); starting another", process.pid,
                                 process.exitcode)
                    time.sleep(RESTART_PAUSE)
                    processes[n] = start()
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()  # uvicorn finishes the requests in hand, then exits
        for process in processes:
            process.join(timeout=30)
            if process.is_alive():
                process.kill()


def _check_free(host: str, port: int) -> None:
    # Sockets with SO_REUSEPORT would share the port with another server already on it; a plain
    # bind first makes a second `cbl serve` on the same port fail instead.
    with socket.socket(_family(host), socket.SOCK_STREAM) as probe:
        try:
            probe.bind((host, port))
        except OSError as error:
            raise AddressInUse(f"Cannot listen on {host}:{port}: {error.strerror}.") from error


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def listening_socket(host: str, port: int) -> socket.socket:
    sock = socket.socket(_family(host), socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(2048)
    return sock


def _worker(host: str, port: int) -> None:
    import uvicorn

    from cbl.app import create_app, freeze_start_up_objects
    from cbl.http_protocol import CoalescingHttpToolsProtocol

    # No scheduler in web workers: one `cbl scheduler` runs beside them.
    config = uvicorn.Config(create_app(run_scheduler=False), log_level="warning", access_log=False,
                            http=CoalescingHttpToolsProtocol)
    freeze_start_up_objects()
    uvicorn.Server(config).run(sockets=[listening_socket(host, port)])
