"""Readiness probes that speak each server's own protocol, so "ready" means "answers requests"
rather than "opened a socket" (Kafka and Redis accept connections before they can serve).

Every probe returns False instead of raising, and is bounded by a short socket timeout.
"""

import socket
import ssl
import struct
import urllib.error
import urllib.request
from pathlib import Path

from tickethub.stack.ports import LOOPBACK

_TIMEOUT = 1.0
_KAFKA_API_VERSIONS = 18


def http_ok(url: str, *, bearer_token: str | None = None, ca_file: Path | None = None) -> bool:
    """True when GET url answers 200; an HTTPS server must present a certificate `ca_file` trusts."""
    headers = {"Authorization": f"Bearer {bearer_token}"} if bearer_token else {}
    try:
        context = ssl.create_default_context(cafile=ca_file) if ca_file else None
        request = urllib.request.Request(url, headers=headers)  # noqa: S310 (loopback URLs only)
        with urllib.request.urlopen(request, timeout=_TIMEOUT, context=context) as response:  # noqa: S310
            return bool(response.status == 200)
    except (OSError, urllib.error.URLError):
        return False


def redis_ping(port: int) -> bool:
    """True when Redis answers PING with PONG (not LOADING while it replays its append-only file)."""
    try:
        with socket.create_connection((LOOPBACK, port), timeout=_TIMEOUT) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(64).startswith(b"+PONG")
    except OSError:
        return False


def smtp_greets(port: int) -> bool:
    """True when an SMTP server sends its 220 greeting."""
    try:
        with socket.create_connection((LOOPBACK, port), timeout=_TIMEOUT) as sock:
            greeting = sock.recv(512)
            sock.sendall(b"QUIT\r\n")
            return greeting.startswith(b"220")
    except OSError:
        return False


def kafka_api_versions(port: int) -> bool:
    """True when a Kafka broker answers an ApiVersions v0 request without error.

    The broker only processes requests once it has joined the KRaft quorum and been unfenced, so this
    is the earliest moment clients can create topics and produce.
    """
    correlation_id = 1
    client_id = b"tickethub-stack"
    header = struct.pack(">hhih", _KAFKA_API_VERSIONS, 0, correlation_id, len(client_id)) + client_id
    try:
        with socket.create_connection((LOOPBACK, port), timeout=_TIMEOUT) as sock:
            sock.sendall(struct.pack(">i", len(header)) + header)
            (size,) = struct.unpack(">i", _recv_exactly(sock, 4))
            answer: tuple[int, int] = struct.unpack(">ih", _recv_exactly(sock, size)[:6])
    except (OSError, struct.error):
        return False
    return answer == (correlation_id, 0)  # our correlation id, error code NONE


def docker_ping(socket_path: Path) -> bool:
    """True when a Docker daemon answers GET /_ping on its Unix socket."""
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(_TIMEOUT)
            sock.connect(str(socket_path))
            sock.sendall(b"GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n")
            status_line = sock.recv(64).split(b"\r\n", 1)[0]
    except OSError:
        return False
    return status_line.split(b" ")[1:2] == [b"200"]


def _recv_exactly(sock: socket.socket, size: int) -> bytes:
    chunks = bytearray()
    while len(chunks) < size:
        chunk = sock.recv(size - len(chunks))
        if not chunk:
            raise ConnectionError("connection closed mid-response")
        chunks += chunk
    return bytes(chunks)
