/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A GNU make plugin (load directive) so that `make check` exits like a
 * kselftest: 0 pass, 1 fail, 4 everything skipped. GNU make itself can only
 * exit 0, 1 (-q) or 2, whatever status a recipe returns; the Makefile calls
 * $(mcprobe-exit N) to end make with the harness's own status instead.
 */
#include <gnumake.h>
#include <stdio.h>
#include <stdlib.h>

int plugin_is_GPL_compatible;

static char *mcprobe_exit(const char *name, unsigned int argc, char **argv)
{
	char *end;
	long code = strtol(argv[0], &end, 10);

	(void)name;
	(void)argc;
	if (end == argv[0] || *end || code < 0 || code > 255) {
		fprintf(stderr, "mcprobe-exit: not an exit status: '%s'\n", argv[0]);
		code = 1;	/* never turn a bad status into a pass */
	}
	fflush(stdout);
	exit((int)code);
}

int exit_status_gmk_setup(void)
{
	gmk_add_function("mcprobe-exit", mcprobe_exit, 1, 1, GMK_FUNC_DEFAULT);
	return 1;
}
