"""Helpers for tests that start real processes (workers, redis-server) and watch them."""

import os
import socket
import subprocess
import time
from pathlib import Path

from django.db import connection
from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError

STARTUP_SECONDS = 30


def django_environment() -> dict[str, str]:
    """The environment of a `manage.py` process on the test settings and this test's database."""
    database = connection.settings_dict
    credentials = database["USER"] + (f":{database['PASSWORD']}" if database["PASSWORD"] else "")
    return os.environ | {
        "DJANGO_SETTINGS_MODULE": "kuntaportaali.settings.test",
        "DATABASE_URL": f"postgres://{credentials}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
    }


def child_pids(pid: int) -> list[int]:
    """The processes `pid` forked that are still there (a worker's work horse or scheduler)."""
    children = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in children.read_text().split()] if children.exists() else []


def process_running(pid: int) -> bool:
    """False once the process has ended, even while its parent has not yet collected it."""
    stat = Path(f"/proc/{pid}/stat")
    try:
        state = stat.read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state not in ("Z", "X")


def wait_until(condition, what: str, *, timeout: float = 60) -> None:
    """Poll `condition` until it holds; fail naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting after {timeout} s: {what}")
        time.sleep(0.05)


class RedisServer:
    """A redis-server without persistence on a free loopback port: started, killed, started again."""

    def __init__(self, directory):
        self.directory = directory
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        self.process = subprocess.Popen(
            command, cwd=self.directory, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        wait_until(self.answers, "redis-server answers", timeout=STARTUP_SECONDS)

    def kill(self) -> None:
        self.process.kill()
        self.process.wait(timeout=STARTUP_SECONDS)

    def answers(self) -> bool:
        try:
            return Redis.from_url(self.url).ping()
        except RedisConnectionError:
            return False
