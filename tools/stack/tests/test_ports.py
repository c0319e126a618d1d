"""free_port(): a stack picks all its ports before starting its servers, so no port may come twice."""

from tickethub.stack.ports import free_port, port_in_use


def test_a_process_is_never_given_the_same_port_twice() -> None:
    # Far more picks than a stack makes: the kernel alone offers released ports again well before this.
    ports = [free_port() for _ in range(2_000)]

    assert len(set(ports)) == len(ports)
    assert not any(port_in_use(port) for port in ports[:20])
