"""A keep-alive HTTP/1.1 connection light enough to share two cores with the server it measures.

The bidding benchmark runs its clients on the same machine as the server. aiohttp cost 0.25 ms of
CPU a request there, a tenth of the machine at 700 requests a second, taken from the server being
measured. This writes each request as bytes on one kept-alive connection and parses answers
with httptools (the parser uvicorn uses): one request at a time per connection, which is how
each client behaves.
"""

import asyncio
import json

import httptools


class Answer:
    __slots__ = ("status", "body")

    def __init__(self, status: int, body: bytes) -> None:
        self.status = status
        self.body = body

    def json(self):  # noqa: ANN201
        return json.loads(self.body)


class Connection(asyncio.Protocol):
    def __init__(self, host: str) -> None:
        self._host = host.encode()
        self._parser = httptools.HttpResponseParser(self)
        self._transport: asyncio.Transport | None = None
        self._body: list[bytes] = []
        self._waiter: asyncio.Future[Answer] | None = None

    @classmethod
    async def open(cls, host: str, port: int) -> "Connection":
        _, connection = await asyncio.get_running_loop().create_connection(lambda: cls(host), host, port)
        return connection

    async def request(self, method: str, path: str, body: object = None, token: str | None = None) -> Answer:
        payload = b"" if body is None else json.dumps(body).encode()
        head = [f"{method} {path} HTTP/1.1".encode(), b"Host: " + self._host, b"Content-Length: %d" % len(payload)]
        if body is not None:
            head.append(b"Content-Type: application/json")
        if token is not None:
            head.append(f"Authorization: Bearer {token}".encode())
        self._body = []
        self._waiter = asyncio.get_running_loop().create_future()
        self._transport.write(b"\r\n".join(head) + b"\r\n\r\n" + payload)
        return await self._waiter

    def close(self) -> None:
        if self._transport is not None:
            self._transport.close()

    # asyncio.Protocol
    def connection_made(self, transport: asyncio.Transport) -> None:
        self._transport = transport

    def data_received(self, data: bytes) -> None:
        self._parser.feed_data(data)

    def connection_lost(self, error: Exception | None) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_exception(error or ConnectionError("the server closed the connection"))

    # httptools callbacks
    def on_body(self, body: bytes) -> None:
        self._body.append(body)

    def on_message_complete(self) -> None:
        self._waiter.set_result(Answer(self._parser.get_status_code(), b"".join(self._body)))
