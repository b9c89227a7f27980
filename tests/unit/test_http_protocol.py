"""Responses sent through the coalescing protocol: what is written in one turn of the event loop
goes out in one write, responses arrive whole and in order, a streamed one as it is made, and a
closing connection still gets its answer first."""

import asyncio
import socket
from concurrent.futures import ThreadPoolExecutor

import pytest

from cbl.http_protocol import CoalescingTransport
from tests.support.served import served


async def app(scope, receive, send):  # noqa: ANN001, ANN201 - a bare ASGI app
    if scope["type"] == "lifespan":
        while (await receive())["type"] != "lifespan.shutdown":
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})
        return
    if scope["path"] == "/stream":  # three chunks with pauses between: each must go when sent
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
        for n in range(3):
            await send({"type": "http.response.body", "body": f"chunk {n};".encode(), "more_body": True})
            await asyncio.sleep(0.2)
        await send({"type": "http.response.body", "body": b"end"})
        return
    body = f"you asked for {scope['path']}".encode()
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"text/plain"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


class RecordingTransport:
    def __init__(self) -> None:
        self.writes: list[bytes] = []
        self.closed = False

    def write(self, data: bytes) -> None:
        assert not self.closed
        self.writes.append(data)

    def is_closing(self) -> bool:
        return self.closed

    def close(self) -> None:
        self.closed = True

    def get_extra_info(self, name: str) -> str:
        return f"info {name}"


def test_the_writes_of_one_turn_of_the_loop_are_sent_as_one_and_in_order():
    async def scenario():
        real = RecordingTransport()
        transport = CoalescingTransport(real, asyncio.get_running_loop())
        transport.write(b"HTTP/1.1 200 OK\r\n\r\n")
        transport.write(b"body")
        assert real.writes == []  # not yet: the turn is not over
        await asyncio.sleep(0)
        assert real.writes == [b"HTTP/1.1 200 OK\r\n\r\nbody"]
        transport.write(b"next")
        await asyncio.sleep(0)
        transport.write(b"last")
        transport.close()  # what was written goes before the close
        assert real.writes[1:] == [b"next", b"last"] and real.closed
        assert transport.get_extra_info("peername") == "info peername"

    with ThreadPoolExecutor(1) as pool:  # the browser tests leave an event loop running on this thread
        pool.submit(asyncio.run, scenario()).result(timeout=10)


@pytest.fixture(scope="module")
def server():
    with served(app) as port:
        yield port


def _read_response(connection: socket.socket) -> bytes:
    """One whole response with a content-length."""
    data = b""
    while b"\r\n\r\n" not in data or len(data.split(b"\r\n\r\n", 1)[1]) < _length(data):
        chunk = connection.recv(65536)
        assert chunk, f"connection closed after {data!r}"
        data += chunk
    return data


def _length(data: bytes) -> int:
    head = data.split(b"\r\n\r\n", 1)[0].lower()
    return int(head.split(b"content-length: ", 1)[1].split(b"\r\n", 1)[0])


def test_keep_alive_requests_each_get_their_whole_answer_in_one_piece(server):
    with socket.create_connection(("127.0.0.1", server), timeout=5) as connection:
        for n in range(20):
            connection.sendall(f"GET /page-{n} HTTP/1.1\r\nHost: test\r\n\r\n".encode())
            data = _read_response(connection)
            assert data.startswith(b"HTTP/1.1 200 OK\r\n") and data.endswith(f"you asked for /page-{n}".encode())


def test_a_streamed_answer_is_sent_as_it_is_made(server):
    with socket.create_connection(("127.0.0.1", server), timeout=5) as connection:
        connection.sendall(b"GET /stream HTTP/1.1\r\nHost: test\r\n\r\n")
        first = connection.recv(65536)
        assert first.startswith(b"HTTP/1.1 200 OK") and b"chunk 0;" in first and b"chunk 1;" not in first
        rest = b""
        while not rest.endswith(b"0\r\n\r\n"):
            rest += connection.recv(65536)
        assert b"chunk 1;" in rest and b"chunk 2;" in rest and b"end" in rest


def test_a_connection_asked_to_close_gets_its_answer_before_it_closes(server):
    with socket.create_connection(("127.0.0.1", server), timeout=5) as connection:
        connection.sendall(b"GET /last HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
        data = b""
        while chunk := connection.recv(65536):
            data += chunk
        assert data.startswith(b"HTTP/1.1 200 OK") and data.endswith(b"you asked for /last")
