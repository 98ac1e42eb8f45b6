"""The one place the lane runs the harness: the mcprobe entry point, exactly
as a user runs it, for guest observations (judged here against the guest's
release) and for the matrix's column of the running kernel."""

import os
import subprocess
import sys

from .common import ROOT, log

PYTHON = "/usr/bin/python3"
MCPROBE = os.path.join(ROOT, "mcprobe")


def run_mcprobe(args, quiet=False):
    """[PYTHON, MCPROBE, *args] from the checkout; its KTAP goes to stdout
    unless quiet, its stderr always to ours. Returns (exit code, stdout)."""
    cmd = [PYTHON, MCPROBE] + list(args)
    log("judging: %s" % " ".join(cmd))
    h = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if not quiet:
        sys.stdout.write(h.stdout)
    sys.stderr.write(h.stderr)
    sys.stdout.flush()
    return h.returncode, h.stdout


def failed_checks(ktap):
    """The ids (with their detail) of the top-level `not ok` lines."""
    return [line.split(" ", 3)[-1] for line in ktap.splitlines() if line.startswith("not ok ")]
