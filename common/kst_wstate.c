// SPDX-License-Identifier: MIT
/*
 * What both encoders of the trace writer share: the task table of a block
 * (a tid's index, the order in which the block first names it) and the test
 * of whether an event fits a compact record, the same in versions 1 and 2.
 */
#include <string.h>

#include "kst_wstate.h"

uint32_t kst_tid_lookup(struct kst_writer *w, uint32_t tid, int *fresh)
{
	uint32_t h = tid_hash(w, tid);

	for (;; h = (h + 1) & w->hmask) {
		struct kst_tid_slot *s = &w->tids[h];

		if (s->gen != w->gen) {
			s->gen = w->gen;
			s->tid = tid;
			s->idx = w->ntasks++;
			*fresh = 1;
			return s->idx;
		}
		if (s->tid == tid) {
			*fresh = 0;
			return s->idx;
		}
	}
}

/*
 * Fields that each type carries (ks_event.h); anything else needs a full
 * record.  In a TGID block a switch carries any tgid and arg = state, and a
 * kfault any tgid.  The same in both versions.
 */
int kst_w_canonical(const struct ks_event *ev, int tgid_mode)
{
	uint32_t extra = 0;
	int comm = 0;

	switch (ev->type) {
	case KS_EV_SNAPSHOT:
		extra = ev->tid2 | ev->arg;
		comm = 1;
		break;
	case KS_EV_NEW:
		extra = ev->hwm | ev->depth | ev->arg;
		comm = 1;
		break;
	case KS_EV_EXIT:
		extra = ev->tid2 | ev->depth | ev->arg;
		break;
	case KS_EV_FREE:
		extra = ev->tid2 | ev->tgid | ev->hwm | ev->depth | ev->arg;
		break;
	case KS_EV_SWITCH:
		if (tgid_mode)
			extra = ev->arg != ev->state;
		else
			extra = ev->tgid | ev->arg;
		extra |= ev->state > KS_STATE_DEAD;
		break;
	case KS_EV_KFAULT:
		extra = ev->tid2 | ev->hwm | ev->arg | (tgid_mode ? 0 : ev->tgid);
		break;
	case KS_EV_KENTRY:
	case KS_EV_KEXIT:
		extra = ev->tid2 | ev->tgid | ev->hwm | ev->depth;
		break;
	case KS_EV_LOST:
		extra = ev->tid | ev->tid2 | ev->tgid | ev->hwm | ev->depth;
		break;
	case KS_EV_EXEC:
		extra = ev->tid2 | ev->tgid | ev->hwm | ev->depth | ev->arg;
		comm = 1;
		break;
	}
	if (ev->type != KS_EV_SWITCH)
		extra |= ev->state;
	if (!comm) {
		uint64_t c[2];

		memcpy(c, ev->comm, sizeof(c));
		extra |= (c[0] | c[1]) != 0;
	} else if (ev->comm[KS_COMM_LEN - 1]) {
		extra = 1;	/* not NUL-terminated: keep all 16 bytes */
	}
	return !extra;
}
