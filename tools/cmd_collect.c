// SPDX-License-Identifier: MIT
/* kstack collect: placeholder until implemented. */
#include "cmds.h"

int cmd_collect(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	cli_error("collect", "not implemented yet");
	return KS_EXIT_FAIL;
}
