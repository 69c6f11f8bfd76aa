// SPDX-License-Identifier: MIT
/*
 * The cost table names real counters, has a positive cost and an
 * explanation for each, and lists each counter once.
 */
#include <stdio.h>
#include <string.h>

#include "engine.h"
#include "costs.h"

int main(void)
{
	int failures = 0;
	size_t i, j;

	for (i = 0; i < KS_NR_COSTS; i++) {
		const struct ks_cost *c = &ks_costs[i];
		int found = 0;

#define X(n, d) if (!strcmp(c->counter, #n)) found = 1;
		KS_COUNTERS(X)
#undef X
		if (!found || !(c->ns > 0) || !c->unit || !*c->unit || !c->why || !*c->why) {
			printf("FAIL cost %zu (%s)\n", i, c->counter);
			failures++;
		}
		for (j = 0; j < i; j++)
			if (!strcmp(ks_costs[j].counter, c->counter)) {
				printf("FAIL cost %s listed twice\n", c->counter);
				failures++;
			}
	}
	return failures ? 1 : 0;
}
