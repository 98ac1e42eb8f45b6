// SPDX-License-Identifier: GPL-2.0
/* placeholder, replaced below */
#include "mcp.h"
static void limit(void)
{
	long v = -1;
	mcp_sysctl_get_int("net.ipv4.igmp_max_memberships", &v);
	obs_begin("ipv4.membership.limit.default");
	obs_int("value", v);
	obs_end();
}
static const struct mcp_scenario sc[] = { { "limit", limit, 0 } };
int main(int argc, char **argv) { return mcp_main(argc, argv, "membership", sc, MCP_ARRAY_SIZE(sc)); }
