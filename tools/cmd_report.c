// SPDX-License-Identifier: MIT
/* kstack report: placeholder until implemented. */
#include "cmds.h"

int cmd_report(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	cli_error("report", "not implemented yet");
	return KS_EXIT_FAIL;
}
