"""The kernel log of a run: a WARNING, BUG, Oops or other splat that appears
while the probes run fails the run, even when every check passed (a kernel CI
wants to know that the suite made the kernel complain).

Live runs watch /dev/kmsg from its end (the log is global, so a splat from
something else running at the same time counts too: the excerpt says what it
was). Observations judged elsewhere bring their kernel's log (--kernel-log,
as the VM lane does with the guest's dmesg). One verdict,
harness.kernel_log.no_new_splat, next to the checks.
"""

import os

from .judge import FAIL, PASS, SKIP, Verdict

CHECK_ID = "harness.kernel_log.no_new_splat"

# NIPA's crash patterns (contest/remote/lib/crash.py) plus the issue's; ci/vm.py uses them too
SPLATS = ["] RIP: ", "] Call Trace:", "BUG:", "WARNING:", "Kernel panic", "Oops:", "] ref_tracker: ",
          "unreferenced object 0x", "general protection fault", "INFO: task "]


def find_splats(lines, context=(4, 24), limit=3):
    """Excerpts of the log around each splat pattern: [(pattern, text)]."""
    out, used = [], set()
    for i, line in enumerate(lines):
        for pat in SPLATS:
            if pat in line and i not in used:
                lo, hi = max(0, i - context[0]), min(len(lines), i + context[1])
                used.update(range(lo, hi))
                out.append((pat.strip(), "\n".join(lines[lo:hi])))
                break
        if len(out) >= limit:
            break
    return out


class Watch:
    """Reads what the kernel logs from now on. MCPROBE_KMSG names another
    file in the same record format (tests); plain lines are taken whole."""

    MAX_RECORDS = 200000  # a bound on one read-out (the ring holds far fewer)

    def __init__(self, path=None):
        self.path = path or os.environ.get("MCPROBE_KMSG") or "/dev/kmsg"
        self.fd = None
        self.unavailable = None
        try:
            self.fd = os.open(self.path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
            os.lseek(self.fd, 0, os.SEEK_END)
        except OSError as e:
            if self.fd is not None:
                os.close(self.fd)
                self.fd = None
            self.unavailable = "%s unreadable (%s): kernel warnings not watched" % (self.path, e.strerror)

    def read(self):
        """The messages logged since the watch started (or since the last read)."""
        lines = []
        if self.fd is None:
            return lines
        for _ in range(self.MAX_RECORDS):
            try:
                rec = os.read(self.fd, 8192)
            except BlockingIOError:
                break
            except BrokenPipeError:
                # records were overwritten before we read them: say so, go on
                lines.append("(mcprobe: kernel log records lost before they could be read)")
                continue
            if not rec:
                break
            for text in rec.decode(errors="replace").splitlines():
                if text.startswith(" "):
                    continue  # a /dev/kmsg dictionary line (SUBSYSTEM=...), not a message
                head, sep, msg = text.partition(";")
                lines.append(msg if sep and "," in head else text)
        return lines

    def close(self):
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


def verdict(lines, unavailable=None, source=""):
    """harness.kernel_log.no_new_splat from the log lines of the run."""
    if unavailable:
        return Verdict(CHECK_ID, "harness", SKIP, unavailable, source=source)
    splats = find_splats(lines)
    if not splats:
        return Verdict(CHECK_ID, "harness", PASS, "", expected="no splat", observed="%d new log lines, no splat" %
                       len(lines), why="the kernel must not warn while the suite runs", source=source)
    text = "\n".join("kernel log: %r\n%s" % (pat, ex) for pat, ex in splats)
    return Verdict(CHECK_ID, "harness", FAIL, "the kernel logged a splat during the run (%s)\n%s" % (
        ", ".join(p for p, _ in splats), text), expected="no splat", observed=[p for p, _ in splats],
        why="the kernel must not warn while the suite runs", source=source)
