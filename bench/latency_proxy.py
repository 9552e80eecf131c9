# SPDX-License-Identifier: Apache-2.0
"""A TCP relay on 127.0.0.1 that delays everything it carries by half a round trip each way.

Loopback has no latency, so it cannot show what pipelining buys against a directory that
is a LAN or WAN away: this stands in for the link (the one fault a real server cannot be
made to show), while the server behind it stays the real slapd. Order is kept per
direction; bytes are never altered.

    with LatencyProxy(target_port=389, rtt_ms=20) as proxy:
        url = f"ldap://127.0.0.1:{proxy.port}"
"""

import asyncio
import threading


class LatencyProxy:
    def __init__(self, target_port, rtt_ms, target_host="127.0.0.1"):
        self.target = (target_host, target_port)
        self.delay = rtt_ms / 2000.0
        self.port = None
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server = None

    def __enter__(self):
        self._thread.start()
        self._server = asyncio.run_coroutine_threadsafe(
            asyncio.start_server(self._relay, "127.0.0.1", 0), self._loop).result()
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    def __exit__(self, *exc):
        async def shut():
            self._server.close()
            await self._server.wait_closed()
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        asyncio.run_coroutine_threadsafe(shut(), self._loop).result()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()
        self._loop.close()

    async def _relay(self, client_reader, client_writer):
        try:
            server_reader, server_writer = await asyncio.open_connection(*self.target)
        except OSError:
            client_writer.close()
            return
        try:
            await asyncio.gather(self._pipe(client_reader, server_writer),
                                 self._pipe(server_reader, client_writer), return_exceptions=True)
        except asyncio.CancelledError:  # the proxy is closing
            client_writer.close()
            server_writer.close()

    async def _pipe(self, reader, writer):
        loop = asyncio.get_running_loop()
        queue = asyncio.Queue()

        async def deliver():
            while True:
                due, data = await queue.get()
                await asyncio.sleep(max(0.0, due - loop.time()))
                if not data:
                    writer.close()
                    return
                writer.write(data)
                await writer.drain()

        delivering = asyncio.ensure_future(deliver())
        try:
            while True:
                data = await reader.read(65536)
                await queue.put((loop.time() + self.delay, data))
                if not data:
                    break
            await delivering
        except (ConnectionError, asyncio.CancelledError):
            delivering.cancel()
            writer.close()
