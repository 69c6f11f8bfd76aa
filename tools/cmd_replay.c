// SPDX-License-Identifier: MIT
/* kstack replay: placeholder until implemented. */
#include "cmds.h"

int cmd_replay(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	cli_error("replay", "not implemented yet");
	return KS_EXIT_FAIL;
}
