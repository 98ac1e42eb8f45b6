# ci/docs.mk - generated documentation (included by the top Makefile).
#
#   make docs          the check counts in README.md (ci/docs.py), then the
#                      committed kernel matrix page ci/matrix/ (make matrix:
#                      boots the Debian kernels under qemu, a few minutes)
#   make docs-counts   only the README.md numbers (instant)
#
#   make test-data     re-record harness/tests/data/*.jsonl (ci/test_data.py)
#
# harness/tests/test_docs.py fails when the README numbers or the matrix page
# are stale.

.PHONY: docs docs-counts

docs-counts:
	@$(PYTHON) ci/docs.py

docs: docs-counts
	@$(MAKE) --no-print-directory matrix MATRIX_PUBLISH=ci/matrix

# The recorded observations the harness tests judge (harness/tests/data/),
# re-recorded from the kernels they name (ci/test_data.py; 6.1 in qemu).
.PHONY: test-data
test-data: need-deps probes vm-initramfs
	@$(PYTHON) ci/test_data.py $(TEST_DATA)
