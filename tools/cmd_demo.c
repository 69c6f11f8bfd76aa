// SPDX-License-Identifier: MIT
/* kstack demo: placeholder until implemented. */
#include "cmds.h"

int cmd_demo(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	cli_error("demo", "not implemented yet");
	return KS_EXIT_FAIL;
}
