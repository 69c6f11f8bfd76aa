// SPDX-License-Identifier: MIT
/*
 * Validation workload: one process with N threads that each block in the
 * kernel for S seconds, then exit.  Every thread holds a stack while it
 * sleeps; most never grow past their first page.
 *
 * usage: sleepers N S
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static void *sleeper(void *arg)
{
	struct timespec ts = { *(const int *)arg, 0 };

	nanosleep(&ts, NULL);
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_attr_t attr;
	pthread_t *t;
	int i, n, secs;

	if (argc != 3 || (n = atoi(argv[1])) <= 0 || (secs = atoi(argv[2])) < 0) {
		fprintf(stderr, "usage: sleepers N S\n");
		return 2;
	}
	t = calloc(n, sizeof(*t));
	if (!t || pthread_attr_init(&attr) || pthread_attr_setstacksize(&attr, 64 * 1024))
		return 1;
	for (i = 0; i < n; i++) {
		if (pthread_create(&t[i], &attr, sleeper, &secs)) {
			fprintf(stderr, "sleepers: thread %d: cannot create\n", i);
			return 1;
		}
	}
	for (i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	free(t);
	return 0;
}
