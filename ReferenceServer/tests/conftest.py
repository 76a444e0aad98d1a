import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from harness import ServerProcess  # noqa: E402


@pytest.fixture
def start_server(tmp_path):
    """Starts reference servers (killed at teardown): start_server("--token", "x", db=True)."""
    started: list[ServerProcess] = []

    def start(*args: str, db: bool | str = False) -> ServerProcess:
        path = str(tmp_path / "tether.db") if db is True else (db or None)
        server = ServerProcess(*args, db=path).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.kill()


class _Spare:
    """One default server launched ahead of time, so its start-up overlaps the previous test."""

    def __init__(self):
        self.next: ServerProcess | None = None

    def take(self) -> ServerProcess:
        server = (self.next or ServerProcess().launch())
        self.next = ServerProcess().launch()
        return server.ready()

    def close(self) -> None:
        if self.next is not None:
            self.next.kill()


@pytest.fixture(scope="session")
def _spare():
    spare = _Spare()
    yield spare
    spare.close()


@pytest.fixture
def server(_spare) -> ServerProcess:
    """A fresh default server (no database, no flags), killed at teardown."""
    server = _spare.take()
    yield server
    server.kill()
