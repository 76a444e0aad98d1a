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


@pytest.fixture
def server(start_server) -> ServerProcess:
    return start_server()
