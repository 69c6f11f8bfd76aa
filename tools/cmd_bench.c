// SPDX-License-Identifier: MIT
/* kstack bench: placeholder until implemented. */
#include "cmds.h"

int cmd_bench(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	cli_error("bench", "not implemented yet");
	return KS_EXIT_FAIL;
}
