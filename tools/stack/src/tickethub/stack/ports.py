"""Loopback port helpers: pick a free port, tell whether one is taken."""

import socket
import threading

LOOPBACK = "127.0.0.1"


# Every port free_port() handed out in this process. Callers pick several ports before any server binds
# one (a whole stack's worth, then start them in parallel), and the kernel may offer a just-released port
# again: without this, two servers of one stack could be given the same port.
_handed_out: set[int] = set()
_handing_out = threading.Lock()


def free_port(host: str = LOOPBACK) -> int:
    """Return a TCP port that nothing listens on right now and that this process was not given before.

    The kernel picks it, so parallel test runs do not collide; another process could still grab it
    before the server binds, which start-up failures surface with the server's log.
    """
    with _handing_out:
        while True:
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
                sock.bind((host, 0))
                port: int = sock.getsockname()[1]
            if port not in _handed_out:
                _handed_out.add(port)
                return port


def port_in_use(port: int, host: str = LOOPBACK) -> bool:
    """True when something accepts TCP connections on host:port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0
