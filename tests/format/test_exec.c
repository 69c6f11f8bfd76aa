// SPDX-License-Identifier: MIT
/*
 * The EXEC event (type 10) in both format versions, against bytes worked
 * out by hand from data/FORMAT.md:
 *
 *   0. NEW  tid 100, parent 1, tgid 100, comm "sh"       t 1000, cpu 0
 *   1. EXEC tid 100, comm "cc1"                           t 1005, cpu 0
 *   2. EXEC tid 200, comm "0123456789abcde" (15 bytes)    t 1010, cpu 1
 *   3. EXEC tid 100, comm "ld", flags 0x0001              t 1010, cpu 1
 *   4. EXEC tid 200, comm "ld"                            t 1010, cpu 1
 *
 * Version 1 (records, "Records (version 1)"; the task table fills 100 -> 0,
 * 1 -> 1, 200 -> 2):
 *
 *   0. 82 | 00 (dt 0, same cpu) | c9 01 (tid 100 new) | 03 (tid 1 new) |
 *      00 (tgid - tid = 0) | 02 's' 'h'
 *   1. 8a | 14 (dt 5) | 00 (index 0) | 03 'c' 'c' '1'
 *   2. 8a | 16 01 (dt 5, cpu given: 1) | 91 03 (tid 200 new) | 0f + 15 bytes
 *   3. 9a (flags follow) | 00 | 00 (index 0) | 02 'l' 'd' | 01 (flags)
 *   4. 8a | 00 | 04 (index 2) | 02 'l' 'd'
 *
 * Version 2 (a block crafted with craft.h; tags: NEW with COMM_X 0x802,
 * EXEC with COMM_X 0x80a, the same with flags 1 0x1080a, EXEC taking the
 * last comm 0xa), dictionary { 0x802, 0x80a, 0x1080a, 0xa }, T 0 1 1 2 3,
 * D 0 5 5 0 0, C 0 0 1 1 1, K 0 1 0 2 0 2, no V, M the four comms.
 *
 * Also: the writer of each version reads back the same events (version 2
 * through its own choices), an EXEC with a field its type does not carry
 * goes through a full record and keeps it, and a block breaking EXEC's
 * rules is corrupt.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "craft.h"
#include "kst.h"
#include "test_format.h"

int test_failures;

static char dir[] = "/tmp/kst-exec-XXXXXX";

static const struct ks_event want[] = {
	{ .time = 1000, .cpu = 0, .type = KS_EV_NEW, .tid = 100, .tid2 = 1, .tgid = 100,
	  .comm = "sh" },
	{ .time = 1005, .cpu = 0, .type = KS_EV_EXEC, .tid = 100, .comm = "cc1" },
	{ .time = 1010, .cpu = 1, .type = KS_EV_EXEC, .tid = 200, .comm = "0123456789abcde" },
	{ .time = 1010, .cpu = 1, .type = KS_EV_EXEC, .tid = 100, .flags = 1, .comm = "ld" },
	{ .time = 1010, .cpu = 1, .type = KS_EV_EXEC, .tid = 200, .comm = "ld" },
};
#define NWANT (sizeof(want) / sizeof(want[0]))

static const uint8_t records1[] = {
	0x82, 0x00, 0xc9, 0x01, 0x03, 0x00, 0x02, 's', 'h',
	0x8a, 0x14, 0x00, 0x03, 'c', 'c', '1',
	0x8a, 0x16, 0x01, 0x91, 0x03, 0x0f,
	'0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'a', 'b', 'c', 'd', 'e',
	0x9a, 0x00, 0x00, 0x02, 'l', 'd', 0x01,
	0x8a, 0x00, 0x04, 0x02, 'l', 'd',
};

/* Read every event of the file in @buf; the reader's final code. */
static int read_mem(const uint8_t *buf, size_t len, struct ks_event *out, size_t cap,
		    size_t *count, struct ks_error *err)
{
	struct kst_reader *r;
	const struct ks_event *evs;
	size_t n;
	int ret;

	*count = 0;
	ret = kst_reader_open_mem(&r, buf, len, err);
	if (ret)
		return ret;
	while ((ret = kst_reader_next_block(r, &evs, &n, err)) > 0) {
		if (*count + n <= cap)
			memcpy(out + *count, evs, n * sizeof(*evs));
		*count += n;
	}
	kst_reader_free(r);
	return ret;
}

static void check_events(const struct ks_event *got, size_t n, const struct ks_event *exp,
			 size_t nexp, const char *what)
{
	size_t i;

	CHECK_EQ(n, nexp);
	for (i = 0; i < n && i < nexp; i++) {
		if (memcmp(&got[i], &exp[i], sizeof(got[i]))) {
			fprintf(stderr, "%s: event %zu differs (type %u, tid %u, comm '%.16s')\n",
				what, i, got[i].type, got[i].tid, got[i].comm);
			test_failures++;
		}
	}
}

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc(n + 1);
	*len = buf ? fread(buf, 1, n, f) : 0;
	fclose(f);
	return buf;
}

/* Write @evs with the kstack writer (blocks stored), the file's bytes in *@len */
static uint8_t *write_file(uint32_t version, const struct ks_event *evs, size_t n, size_t *len)
{
	struct ks_error err = { 0 };
	struct kst_writer *w;
	struct kst_info in, end;
	char path[256];
	size_t i;
	uint8_t *buf = NULL;

	snprintf(path, sizeof(path), "%s/v%u.kst", dir, version);
	kst_info_init(&in);
	in.version = version;
	in.start_ns = 1000;
	kst_info_set_ncpus(&in, 2);
	kst_info_init(&end);
	end.end_ns = 2000;
	if (kst_writer_create(&w, path, &in, &err)) {
		CHECK(!"writer created");
		goto out;
	}
	kst_writer_set_codec(w, KST_CODEC_NONE);
	kst_writer_set_compress(w, 0);
	for (i = 0; i < n; i++)
		CHECK_EQ(kst_writer_add(w, &evs[i]), 0);
	CHECK_EQ(kst_writer_close(w, &end), 0);
	buf = slurp(path, len);
out:
	kst_info_release(&in);
	kst_info_release(&end);
	return buf;
}

/* The first block of a file: payload and event count, walking the header by hand */
static const uint8_t *first_block(const uint8_t *buf, uint32_t *plen, uint32_t *nev,
				  uint8_t *flags)
{
	const uint8_t *b = buf + 20 + cr_get32(buf + 12);

	*plen = cr_get32(b + 12);
	*nev = cr_get32(b + 20);
	*flags = b[9];
	return b + 40;
}

static void test_v1(void)
{
	struct ks_event got[16];
	struct ks_error err = { 0 };
	const uint8_t *pl;
	struct cr_hdr h;
	struct craft c;
	uint32_t plen, nev;
	uint8_t *buf, flags, bad[sizeof(records1)];
	size_t len, n;

	/* the writer's bytes are the hand-made ones, and read back as written */
	buf = write_file(1, want, NWANT, &len);
	if (!buf)
		return;
	pl = first_block(buf, &plen, &nev, &flags);
	CHECK_EQ(flags, 0);
	CHECK_EQ(nev, NWANT);
	CHECK_EQ(plen, sizeof(records1));
	CHECK(plen == sizeof(records1) && !memcmp(pl, records1, plen));
	CHECK_EQ(read_mem(buf, len, got, 16, &n, &err), 0);
	check_events(got, n, want, NWANT, "v1 writer");
	free(buf);

	/* a crafted file of those records reads the same */
	cr_hdr_default(&h);
	cr_header(&c, &h);
	cr_events(&c, records1, sizeof(records1), NWANT, 1000);
	cr_trailer(&c, 2000, 2);
	CHECK_EQ(read_mem(c.buf, c.len, got, 16, &n, &err), 0);
	check_events(got, n, want, NWANT, "v1 crafted");
	free(c.buf);

	/* a comm length of 16 in an EXEC record (event 1's) is corrupt */
	memcpy(bad, records1, sizeof(bad));
	bad[12] = 16;
	cr_header(&c, &h);
	cr_events(&c, bad, sizeof(bad), NWANT, 1000);
	cr_trailer(&c, 2000, 2);
	CHECK_EQ(read_mem(c.buf, c.len, got, 16, &n, &err), -KS_E_CORRUPT);
	CHECK(strstr(err.detail, "block 0: bad comm length") != NULL);
	free(c.buf);
}

static void block2(struct cr2 *b)
{
	static const uint32_t t[] = { 0, 1, 1, 2, 3 }, d[] = { 0, 5, 5, 0, 0 };
	static const uint32_t cpu[] = { 0, 0, 1, 1, 1 }, k[] = { 0, 1, 0, 2, 0, 2 };
	static const uint8_t m[] = {
		0x02, 's', 'h', 0x03, 'c', 'c', '1', 0x0f,
		'0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'a', 'b', 'c', 'd', 'e',
		0x02, 'l', 'd',
	};

	cr2_init(b);
	b->wt = 3;
	b->wd = 4;
	b->wc = 1;
	b->wk = 2;
	b->wv = 1;
	b->ndict = 4;
	b->dict[0] = 0x802;
	b->dict[1] = 0x80a;
	b->dict[2] = 0x1080a;
	b->dict[3] = 0xa;
	b->ntasks = 3;
	b->tids[0] = 100;
	b->tids[1] = 1;
	b->tids[2] = 200;
	b->nt = b->nd = b->nc = 5;
	memcpy(b->t, t, sizeof(t));
	memcpy(b->d, d, sizeof(d));
	memcpy(b->c, cpu, sizeof(cpu));
	b->nk = 6;
	memcpy(b->k, k, sizeof(k));
	b->lm = sizeof(m);
	memcpy(b->m, m, sizeof(m));
}

/* A version-2 file of @b; the reader's code and events */
static int read2(const struct cr2 *b, struct ks_event *got, size_t *n, struct ks_error *err)
{
	struct cr_hdr h;
	struct craft c;
	int ret;

	cr_hdr_default(&h);
	h.version = 2;
	cr_header(&c, &h);
	cr2_events(&c, b, 1000);
	cr_trailer(&c, 2000, 2);
	ret = read_mem(c.buf, c.len, got, 16, n, err);
	free(c.buf);
	return ret;
}

static void test_v2(void)
{
	struct ks_event got[16];
	struct ks_error err = { 0 };
	struct cr2 b;
	uint8_t *buf;
	size_t len, n;

	block2(&b);
	CHECK_EQ(read2(&b, got, &n, &err), 0);
	check_events(got, n, want, NWANT, "v2 crafted");

	/* EXEC takes no tgid (TGID_X) and no task from its CPU (TASK_X) */
	block2(&b);
	b.dict[1] = 0xc0a;
	CHECK_EQ(read2(&b, got, &n, &err), -KS_E_CORRUPT);
	CHECK(strstr(err.detail, "block 0: bad tag in the dictionary") != NULL);
	block2(&b);
	b.dict[3] = 0x1a;
	CHECK_EQ(read2(&b, got, &n, &err), -KS_E_CORRUPT);
	CHECK(strstr(err.detail, "block 0: bad tag in the dictionary") != NULL);
	/* type 11 is no type */
	block2(&b);
	b.dict[3] = 0xb;
	CHECK_EQ(read2(&b, got, &n, &err), -KS_E_CORRUPT);
	CHECK(strstr(err.detail, "block 0: bad tag in the dictionary") != NULL);
	/* an EXEC whose comm is cut short */
	block2(&b);
	b.lm -= 2;
	CHECK_EQ(read2(&b, got, &n, &err), -KS_E_CORRUPT);

	buf = write_file(2, want, NWANT, &len);
	if (!buf)
		return;
	CHECK_EQ(read_mem(buf, len, got, 16, &n, &err), 0);
	check_events(got, n, want, NWANT, "v2 writer");
	free(buf);
}

/* EXEC with fields its type does not carry: a full record keeps them, in both versions */
static void test_full(uint32_t version)
{
	struct ks_event odd[3], got[16];
	struct ks_error err = { 0 };
	uint8_t *buf;
	size_t len, n;

	memset(odd, 0, sizeof(odd));
	odd[0] = want[1];
	odd[0].tgid = 100;
	odd[1] = want[1];
	odd[1].time = 1006;
	odd[1].hwm = 64;
	odd[1].arg = 7;
	odd[2] = want[1];
	odd[2].time = 1007;
	memset(odd[2].comm, 'x', KS_COMM_LEN);	/* no NUL */
	buf = write_file(version, odd, 3, &len);
	if (!buf)
		return;
	CHECK_EQ(read_mem(buf, len, got, 16, &n, &err), 0);
	check_events(got, n, odd, 3, version == 1 ? "v1 full" : "v2 full");
	free(buf);
}

int main(void)
{
	char cmd[300];

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	CHECK_EQ(KS_EV_EXEC, 10);
	CHECK(!strcmp(kst_event_type_name(KS_EV_EXEC), "exec"));
	test_v1();
	test_v2();
	test_full(1);
	test_full(2);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd))
		fprintf(stderr, "could not remove %s\n", dir);
	if (test_failures)
		fprintf(stderr, "%d checks failed\n", test_failures);
	return test_failures ? 1 : 0;
}
