"""One pytest test case per planned result (harness/session.py). Judging
happens in harness/judge.py; a case waits for its verdict and only states
it, so the test ids, KTAP names and JUnit names are the check ids themselves."""

import pytest

from harness.judge import FAIL, SKIP
from harness.report import failure_text


def test_check(check):
    verdict = check.verdict()
    if verdict.status == SKIP:
        pytest.skip(verdict.message)
    if verdict.status == FAIL:
        pytest.fail(failure_text(verdict), pytrace=False)
