// SPDX-License-Identifier: MIT
/* kstack synth: placeholder until implemented. */
#include "cmds.h"

int cmd_synth(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	cli_error("synth", "not implemented yet");
	return KS_EXIT_FAIL;
}
