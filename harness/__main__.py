"""mcprobe: run the multicast conformance suite here, or judge observations
recorded elsewhere, against expected/; KTAP on stdout, reports in --out.

  mcprobe                                        run probes/bin/* on this kernel
  mcprobe --observations F --kernel-release R    judge a file recorded elsewhere
          [--kernel-log L]                       (and that kernel's log during the run)
Exit codes are kselftest's: 0 pass, 1 fail (also: the run could not start),
4 everything skipped. The `mcprobe` script at the top of the repository runs
this from any directory (/usr/bin/python3 -m harness only from the top)."""

import argparse
import os
import signal
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def parse_args(argv):
    ap = argparse.ArgumentParser(prog="mcprobe", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--observations", help="JSON Lines file of observations recorded elsewhere")
    ap.add_argument("--kernel-release", help="kernel release the observations came from (default: uname -r)")
    ap.add_argument("--expected", help="expected/ directory (default: the repository's)")
    ap.add_argument("--areas", help="comma-separated areas (probe names) to run/judge")
    ap.add_argument("--out", help="directory for reports (default: build/ of the repository)")
    ap.add_argument("--repeat", type=int, default=1, help="run the probes N times; a check fails if any run fails")
    ap.add_argument("--kernel-log", help="with --observations: that kernel's log during the run (judged by "
                    "harness.kernel_log.no_new_splat)")
    ap.add_argument("--bindir", help="probe binaries (default probes/bin)")
    ap.add_argument("--probe-arg", action="append", default=[],
                    help="extra argument for every probe (e.g. --probe-arg=--pause-after=ID in tests)")
    args = ap.parse_args(argv)
    if args.observations and not args.kernel_release:
        ap.error("--observations needs --kernel-release")
    return args


def report_dir(requested):
    """(directory, note or None). The default build/ may not be writable (a
    root-owned checkout run by another user): reports then go to a fresh
    private directory, and the run says where. An explicit --out is used or
    refused, never replaced."""
    path = os.path.abspath(requested or os.path.join(ROOT, "build"))
    try:
        os.makedirs(path, exist_ok=True)
        if os.access(path, os.W_OK | os.X_OK):
            return path, None
        why = "not writable by uid %d" % os.getuid()
    except OSError as e:
        why = "not writable by uid %d (%s)" % (os.getuid(), e.strerror)
    if requested:
        raise OSError("--out %s: %s" % (path, why))
    other = tempfile.mkdtemp(prefix="mcprobe-reports-")
    return other, "%s is %s: reports in %s/ instead" % (path, why, other)


def main(argv=None):
    args = parse_args(argv)
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # `| head` ends us quietly
    try:
        out, note = report_dir(args.out)
    except OSError as e:
        print("TAP version 13\nBail out! %s" % e, flush=True)
        sys.stderr.write("mcprobe: %s\n" % e)
        return 1

    import pytest
    from harness.plugin import Options, Plugin

    opts = Options(ROOT, expected_dir=args.expected, observations=args.observations,
                   kernel_release=args.kernel_release,
                   areas=[a for a in (args.areas or "").split(",") if a] or None,
                   out_dir=out, repeat=args.repeat, bindir=args.bindir,
                   probe_args=args.probe_arg, kernel_log=args.kernel_log, notes=[note] if note else [])
    plugin = Plugin(opts)
    rc = pytest.main(["-p", "no:terminal", "-p", "no:cacheprovider",
                      "--rootdir", ROOT, "-c", os.devnull,
                      os.path.join(ROOT, "harness", "conformance", "test_checks.py")],
                     plugins=[plugin])
    if plugin.exit is None:
        # pytest itself failed (usage or internal error): its codes overlap
        # kselftest's (4 = usage error), so never pass them through
        sys.stderr.write("mcprobe: pytest did not complete (pytest exit %d)\n" % int(rc))
        return 1
    return plugin.exit


if __name__ == "__main__":
    sys.exit(main())
