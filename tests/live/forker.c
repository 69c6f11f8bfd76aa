// SPDX-License-Identifier: MIT
/*
 * Live-test workload: fork N children named "ksfork" that each sleep
 * 50 ms twice (so they switch out sleeping) and exit; write their pids to
 * a file, one a line; exit with status 3 so the test can check that
 * kstack collect passes the command's status through.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct timespec nap = { 0, 50 * 1000 * 1000 };
	int i, n;
	FILE *f;

	if (argc != 3)
		return 2;
	n = atoi(argv[1]);
	f = fopen(argv[2], "w");
	if (!f || n <= 0)
		return 2;
	for (i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid < 0)
			return 2;
		if (pid == 0) {
			prctl(PR_SET_NAME, "ksfork");
			nanosleep(&nap, NULL);
			nanosleep(&nap, NULL);
			_exit(0);
		}
		fprintf(f, "%d\n", (int)pid);
	}
	fclose(f);
	while (wait(NULL) > 0)
		;
	return 3;
}
