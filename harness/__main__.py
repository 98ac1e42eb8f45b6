"""mcprobe harness: judge observations against expected/ and report.

  /usr/bin/python3 -m harness                         run probes/bin/* here
  /usr/bin/python3 -m harness --observations F --kernel-release R
                                                      judge a file recorded elsewhere
        [--kernel-log L]                              (and that kernel's log during the run)
Exit codes are kselftest's: 0 pass, 1 fail, 4 everything skipped."""

import argparse
import os
import signal
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python3 -m harness", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--observations", help="JSON Lines file of observations recorded elsewhere")
    ap.add_argument("--kernel-release", help="kernel release the observations came from (default: uname -r)")
    ap.add_argument("--expected", help="expected/ directory (default: the repository's)")
    ap.add_argument("--areas", help="comma-separated areas (probe names) to run/judge")
    ap.add_argument("--out", help="directory for reports (default build/)")
    ap.add_argument("--repeat", type=int, default=1, help="run the probes N times; a check fails if any run fails")
    ap.add_argument("--kernel-log", help="with --observations: that kernel's log during the run (judged by "
                    "harness.kernel_log.no_new_splat)")
    ap.add_argument("--bindir", help="probe binaries (default probes/bin)")
    ap.add_argument("--probe-arg", action="append", default=[],
                    help="extra argument for every probe (e.g. --probe-arg=--pause-after=ID in tests)")
    args = ap.parse_args(argv)
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # `| head` ends us quietly
    if args.observations and not args.kernel_release:
        ap.error("--observations needs --kernel-release")

    import pytest
    from harness.plugin import Options, Plugin

    opts = Options(ROOT, expected_dir=args.expected, observations=args.observations,
                   kernel_release=args.kernel_release,
                   areas=[a for a in (args.areas or "").split(",") if a] or None,
                   out_dir=args.out, repeat=args.repeat, bindir=args.bindir,
                   probe_args=args.probe_arg, kernel_log=args.kernel_log)
    plugin = Plugin(opts)
    rc = pytest.main(["-p", "no:terminal", "-p", "no:cacheprovider",
                      "--rootdir", ROOT, "-c", os.devnull,
                      os.path.join(ROOT, "harness", "conformance", "test_checks.py")],
                     plugins=[plugin])
    if plugin.exit is None:
        # pytest itself failed (usage or internal error): its codes overlap
        # kselftest's (4 = usage error), so never pass them through
        sys.stderr.write("harness: pytest did not complete (pytest exit %d)\n" % int(rc))
        return 1
    return plugin.exit


if __name__ == "__main__":
    sys.exit(main())
