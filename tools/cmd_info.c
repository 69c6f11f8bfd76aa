// SPDX-License-Identifier: MIT
/* kstack info: placeholder until implemented. */
#include "cmds.h"

int cmd_info(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	cli_error("info", "not implemented yet");
	return KS_EXIT_FAIL;
}
