"""Helpers for tests that start real processes (workers, redis-server) and watch them."""

import time
from pathlib import Path


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
