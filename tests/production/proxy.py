"""A TCP proxy on loopback that tests turn off, on and slow: a database or Redis going away for real.

The servers under test connect to the proxy instead of PostgreSQL or Redis. `down()` closes every
open connection and stops listening (new connections are refused, as when a server is gone);
`up()` listens again on the same port; `slow(seconds)` delays everything the server sends back.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
from collections.abc import Iterator


class FaultyProxy:
    """Forwards 127.0.0.1:<port> to `target`, with faults switched on demand from the test's thread."""

    def __init__(self, target_host: str, target_port: int) -> None:
        """Prepare a proxy to `target_host:target_port` (call `start`)."""
        self.target = (target_host, target_port)
        self.port = 0
        self.delay = 0.0
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: asyncio.AbstractServer | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    def _call(self, coro):  # type: ignore[no-untyped-def]
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout=30)

    def start(self) -> int:
        """Start listening on a free port; return it."""
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self._thread.start()
        self._call(self._listen())
        return self.port

    async def _listen(self) -> None:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", self.port, reuse_address=True)

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, slow: bool) -> None:
        try:
            while data := await reader.read(65536):
                if slow and self.delay:
                    await asyncio.sleep(self.delay)
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            with contextlib.suppress(Exception):
                writer.close()

    async def _handle(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        try:
            server_reader, server_writer = await asyncio.open_connection(*self.target)
        except OSError:
            client_writer.close()
            return
        self._writers |= {client_writer, server_writer}
        try:
            await asyncio.gather(
                self._pipe(client_reader, server_writer, slow=False),
                self._pipe(server_reader, client_writer, slow=True),
            )
        finally:
            self._writers -= {client_writer, server_writer}

    async def _down(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        for writer in list(self._writers):
            transport = writer.transport
            transport.abort()
        self._writers.clear()

    def down(self) -> None:
        """Drop every connection and refuse new ones."""
        self._call(self._down())

    def up(self) -> None:
        """Accept connections again."""
        if self._server is None:
            self._call(self._listen())

    def slow(self, seconds: float) -> None:
        """Delay each chunk the target sends back by `seconds` (0: no delay)."""
        self.delay = seconds

    def stop(self) -> None:
        """Close everything and end the proxy's thread."""
        self._call(self._down())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)


@contextlib.contextmanager
def faulty_proxy(host: str, port: int) -> Iterator[FaultyProxy]:
    """A started `FaultyProxy` to host:port, stopped on exit."""
    proxy = FaultyProxy(host, port)
    proxy.start()
    try:
        yield proxy
    finally:
        proxy.stop()
