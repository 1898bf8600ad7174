"""asyncio_echo_server.py - the Python peers for the echo benchmarks.

    python3 asyncio_echo_server.py --port N [--uvloop]

An asyncio streams echo server, written the usual way: start_server and
a handle_client(reader, writer) coroutine that reads, writes and drains.
With --uvloop the same code runs on uvloop's libuv-based loop. It prints
"listening on 127.0.0.1:PORT" like ours, and stops on SIGINT or SIGTERM.
"""
import asyncio
import signal
import socket
import sys


async def handle_client(reader, writer):
    sock = writer.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            writer.write(data)
            await writer.drain()
    except ConnectionError:
        pass
    finally:
        writer.close()


async def main(port):
    server = await asyncio.start_server(handle_client, "127.0.0.1", port,
                                        backlog=1024)
    bound = server.sockets[0].getsockname()[1]
    print(f"listening on 127.0.0.1:{bound}", flush=True)
    stop = asyncio.get_running_loop().create_future()
    for sig in (signal.SIGINT, signal.SIGTERM):
        asyncio.get_running_loop().add_signal_handler(
            sig, lambda: stop.done() or stop.set_result(None))
    async with server:
        await stop


if __name__ == "__main__":
    port = int(sys.argv[sys.argv.index("--port") + 1]) \
        if "--port" in sys.argv else 0
    if "--uvloop" in sys.argv:
        import uvloop
        uvloop.install()
    asyncio.run(main(port))
