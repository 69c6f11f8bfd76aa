// SPDX-License-Identifier: MIT
/* kstack dump: placeholder until implemented. */
#include "cmds.h"

int cmd_dump(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	cli_error("dump", "not implemented yet");
	return KS_EXIT_FAIL;
}
