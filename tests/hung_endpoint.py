"""A loopback HTTP endpoint that reads requests and never answers: the hung service of
issue 17, for the headless command's and the window's Cancel tests."""

from __future__ import annotations

import socket
import threading


class HungEndpoint:
    """Accepts connections and reads requests, never answers; counts request lines."""

    def __init__(self) -> None:
        self._server = socket.create_server(("127.0.0.1", 0))
        self._server.settimeout(0.1)
        self.port = self._server.getsockname()[1]
        self.requests = 0
        self.first_request = threading.Event()
        self._stop = threading.Event()
        self._conns: list[socket.socket] = []
        self._threads: list[threading.Thread] = []
        self._accept = threading.Thread(target=self._serve, name="hung-endpoint")
        self._accept.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._server.accept()
            except TimeoutError:
                continue
            conn.settimeout(0.1)
            self._conns.append(conn)
            reader = threading.Thread(target=self._read, args=(conn,), name="hung-endpoint-conn")
            self._threads.append(reader)
            reader.start()

    def _read(self, conn: socket.socket) -> None:
        seen = b""
        while not self._stop.is_set():
            try:
                chunk = conn.recv(65536)
            except TimeoutError:
                continue
            except OSError:
                return
            if not chunk:
                return
            seen += chunk
            while b"HTTP/1.1\r\n" in seen:
                _, seen = seen.split(b"HTTP/1.1\r\n", 1)
                self.requests += 1
                self.first_request.set()

    def close(self) -> None:
        self._stop.set()
        self._accept.join(5)
        for conn in self._conns:
            conn.close()
        for thread in self._threads:
            thread.join(5)
        self._server.close()
