// SPDX-License-Identifier: MIT
/*
 * Write a small deterministic trace for the CLI tests and the fuzz seed
 * corpus:
 *   mktrace OUT [EVENTS [LEVEL [trailer|notrailer [FLUSH [CODEC [tgid|plain [COMM
 *           [VERSION]]]]]]]]
 * (FLUSH: end a block every FLUSH events, for tiny multi-block files, 0 =
 * never; CODEC: zstd (the default), deflate or none, LEVEL being its level;
 * tgid: switches and kfaults carry tgid = tid and switches arg = state, as
 * the live collector writes them, which makes TGID blocks; COMM: the comm
 * of the NEW events, at most 15 bytes; VERSION: the format version, 2 by
 * default).
 *
 * Event i (i from 0) is, by i % 8: a NEW of tid 1000+i whose comm is COMM,
 * by default 'a,b"c' (a comma and a quote, for CSV quoting), a SNAPSHOT, an
 * EXIT, a FREE, a KFAULT, a LOST of 2 on the tracefs buffer of cpu 0, and
 * two SWITCHes; the time of event i is 1000 * i ns.  The header has label
 * "cli-test", host "test-host", 2 CPUs, start_ns 0; the trailer has end_ns
 * 1000 * EVENTS (1 us after the last event) and lost_tracefs = { 4, 1 }.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kst.h"

int main(int argc, char **argv)
{
	unsigned long n = argc > 2 ? strtoul(argv[2], NULL, 0) : 16;
	int level = argc > 3 ? atoi(argv[3]) : 6;
	int trailer = !(argc > 4 && !strcmp(argv[4], "notrailer"));
	unsigned long flush = argc > 5 ? strtoul(argv[5], NULL, 0) : 0;
	const char *codec = argc > 6 ? argv[6] : "zstd";
	int tgid = argc > 7 && !strcmp(argv[7], "tgid");
	const char *comm = argc > 8 ? argv[8] : "a,b\"c";
	unsigned int version = argc > 9 ? (unsigned int)atoi(argv[9]) : KST_VERSION;
	struct ks_error err = { 0 };
	struct kst_writer *w;
	struct kst_info in;
	unsigned long i;
	int ret;

	if (argc < 2) {
		fprintf(stderr, "usage: mktrace OUT [EVENTS [LEVEL [trailer|notrailer [FLUSH "
			"[zstd|deflate|none [tgid|plain [COMM [VERSION]]]]]]]]\n");
		return 2;
	}
	kst_info_init(&in);
	in.version = version;
	kst_info_set_ncpus(&in, 2);
	snprintf(in.label, sizeof(in.label), "cli-test");
	snprintf(in.host, sizeof(in.host), "test-host");
	snprintf(in.clock, sizeof(in.clock), "synthetic");
	in.depth_source = KST_DEPTH_SYNTH;
	if (kst_writer_create(&w, argv[1], &in, &err)) {
		fprintf(stderr, "mktrace: %s\n", err.detail);
		return 1;
	}
	kst_writer_set_codec(w, !strcmp(codec, "none") ? KST_CODEC_NONE :
			     !strcmp(codec, "deflate") ? KST_CODEC_DEFLATE : KST_CODEC_ZSTD);
	kst_writer_set_compress(w, level);
	for (i = 0; i < n; i++) {
		struct ks_event e = { .time = 1000 * i, .cpu = i % 2, .tid = 1000 + i % 8 };

		switch (i % 8) {
		case 0:
			e.type = KS_EV_NEW;
			e.tid = 1000 + i;
			e.tid2 = 1;
			e.tgid = e.tid;
			memcpy(e.comm, comm, strnlen(comm, KS_COMM_LEN - 1));
			break;
		case 1:
			e.type = KS_EV_SNAPSHOT;
			e.tgid = 1;
			e.hwm = 4096;
			e.depth = 512;
			memcpy(e.comm, "kworker/0:1", 11);
			e.flags = KS_F_KTHREAD;
			break;
		case 2:
			e.type = KS_EV_EXIT;
			e.hwm = 2048;
			break;
		case 3:
			e.type = KS_EV_FREE;
			break;
		case 4:
			e.type = KS_EV_KFAULT;
			e.depth = 8000;
			break;
		case 5:
			e.type = KS_EV_LOST;
			e.tid = 0;
			e.cpu = 0;
			e.arg = 2;
			break;
		default:
			e.type = KS_EV_SWITCH;
			e.tid2 = 1001 + i % 8;
			e.hwm = 3072;
			e.depth = 1024;
			e.state = KS_STATE_SLEEPING;
			break;
		}
		if (tgid && (e.type == KS_EV_SWITCH || e.type == KS_EV_KFAULT)) {
			e.tgid = e.tid;
			e.arg = e.state;
		}
		ret = kst_writer_add(w, &e);
		if (!ret && flush && (i + 1) % flush == 0)
			ret = kst_writer_flush(w);
		if (ret) {
			fprintf(stderr, "mktrace: add: %d\n", ret);
			return 1;
		}
	}
	in.end_ns = 1000 * n;
	in.lost_tracefs[0] = 4;
	in.lost_tracefs[1] = 1;
	ret = kst_writer_close(w, trailer ? &in : NULL);
	kst_info_release(&in);
	return ret ? 1 : 0;
}
