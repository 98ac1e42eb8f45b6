"""What every part of the lane shares: where things live, exit codes, locks."""

import contextlib
import fcntl
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

VMDIR = os.path.join(ROOT, "build", "vm")
KSFT_PASS, KSFT_FAIL, KSFT_SKIP = 0, 1, 4


def log(msg):
    sys.stderr.write("vm: %s\n" % msg)
    sys.stderr.flush()


def rel(path):
    """A path as a user would type it from the checkout."""
    return os.path.relpath(path, ROOT) if path.startswith(ROOT) else path


@contextlib.contextmanager
def locked(path, what):
    """Serialises runs that share a directory (two vm-checks of the same
    kernel, or two fetches of the same package, started side by side)."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log("waiting for another run using %s" % what)
            fcntl.flock(f, fcntl.LOCK_EX)
        yield
