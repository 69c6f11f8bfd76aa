// SPDX-License-Identifier: MIT
/*
 * The corruption walk: damaged and badly written traces through `kstack
 * info`, `kstack dump` and `kstack replay`, one process per case and tool,
 * each killed after one second (a hang fails the case instead of stalling
 * the suite).
 *
 *   walk KSTACK
 *
 * The cases, on a small trace of six event blocks (every record type,
 * every codec, plain and TGID blocks) written here with the library:
 *
 * - truncation at every block boundary and one byte either side: inside
 *   the header an error, then a truncated trace whose events are those of
 *   the whole blocks before the cut (a replay stores its runs as
 *   incomplete), and once the trailer is whole the complete trace;
 * - a flip of every bit of the header: an error naming the header, the
 *   magic or the version;
 * - 300 seeded random flips of 1 to 3 bits in the blocks (the footer, which
 *   readers ignore, left alone): an error naming the first damaged block;
 * - crafted files with valid checksums (walk_crafted.c), by file and
 *   through a pipe: absurd times, sizes, counts, CPU numbers, varints, block
 *   sequences and header fields, each refused in one line naming the block
 *   or field, or, when the format allows it, read whole.
 *
 * Every failure gives one stderr line "kstack TOOL: PATH: ..." and exit 1,
 * and a replay stores nothing; nothing crashes.  The expected outcome of
 * each case follows from FORMAT.md and the layout of the file, walked here
 * from its block headers, not from the program's output.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "craft.h"
#include "kst.h"
#include "test_format.h"
#include "walk.h"

int test_failures;

#define CASE_LIMIT_NS 1000000000ll	/* one second per case and tool */
#define RANDOM_FLIPS 300
#define WALK_SEED 0x6b737461636bull	/* "kstack" */

static char dir[64];
static const char *kstack;
static char case_path[256], out_path[256], err_path[256], db_path[256];
static unsigned int ncases, nruns;
static double slowest;
static char slowest_what[128];

struct result {
	int code;		/* exit status, -1 if none */
	int sig;		/* the signal that ended it */
	int hang;		/* killed at the time limit */
	double secs;
	char out[1 << 16];
	char err[4096];
	size_t out_len;
};

static struct result res;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void slurp_into(const char *path, char *buf, size_t size, size_t *len)
{
	FILE *f = fopen(path, "rb");
	size_t n = 0;

	if (f) {
		n = fread(buf, 1, size - 1, f);
		fclose(f);
	}
	buf[n] = 0;
	if (len)
		*len = n;
}

static void spit(const char *path, const uint8_t *buf, size_t len)
{
	FILE *f = fopen(path, "wb");

	if (!f || fwrite(buf, 1, len, f) != len) {
		perror(path);
		exit(1);
	}
	fclose(f);
}

/*
 * Run kstack with @argv (NULL-terminated, without the program), stdout and
 * stderr to files; with @pipe_in, the case file comes through a pipe on
 * stdin.  SIGCHLD is blocked, so the wait is a sigtimedwait with the limit.
 */
static void run(const char *const *argv, int pipe_in)
{
	sigset_t chld, old;
	pid_t pid, feeder = -1;
	const char *args[16];
	int fds[2] = { -1, -1 }, status, i;
	double t0, left;

	for (i = 0; argv[i] && i < 14; i++)
		args[i + 1] = argv[i];
	args[0] = kstack;
	args[i + 1] = NULL;
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, &old);
	if (pipe_in && pipe(fds)) {
		perror("pipe");
		exit(1);
	}
	t0 = now();
	pid = fork();
	if (pid == 0) {
		int o = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int e = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		sigprocmask(SIG_SETMASK, &old, NULL);
		if (pipe_in) {
			dup2(fds[0], 0);
			close(fds[0]);
			close(fds[1]);
		}
		dup2(o, 1);
		dup2(e, 2);
		close(o);
		close(e);
		execv(kstack, (char *const *)args);
		_exit(126);
	}
	if (pipe_in) {
		close(fds[0]);
		feeder = fork();
		if (feeder == 0) {
			int f = open(case_path, O_RDONLY);
			char buf[4096];
			ssize_t n;

			sigprocmask(SIG_SETMASK, &old, NULL);
			signal(SIGPIPE, SIG_DFL);
			while (f >= 0 && (n = read(f, buf, sizeof(buf))) > 0)
				if (write(fds[1], buf, n) != n)
					break;
			_exit(0);
		}
		close(fds[1]);
	}
	res.hang = 0;
	for (;;) {
		struct timespec ts;
		pid_t w = waitpid(pid, &status, WNOHANG);

		if (w == pid)
			break;
		left = t0 + CASE_LIMIT_NS * 1e-9 - now();
		if (left <= 0) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			res.hang = 1;
			break;
		}
		ts.tv_sec = (time_t)left;
		ts.tv_nsec = (long)((left - ts.tv_sec) * 1e9);
		sigtimedwait(&chld, NULL, &ts);
	}
	res.secs = now() - t0;
	if (feeder > 0) {
		kill(feeder, SIGKILL);
		waitpid(feeder, NULL, 0);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	res.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	res.sig = WIFSIGNALED(status) && !res.hang ? WTERMSIG(status) : 0;
	slurp_into(out_path, res.out, sizeof(res.out), &res.out_len);
	slurp_into(err_path, res.err, sizeof(res.err), NULL);
	nruns++;
}

/* Runs stored in the replay database: the count and how many are complete. */
static void db_runs(int *runs, int *complete)
{
	sqlite3_stmt *st = NULL;
	sqlite3 *db = NULL;

	*runs = *complete = 0;
	if (access(db_path, F_OK))
		return;
	if (sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, "SELECT count(*), coalesce(sum(complete), 0) FROM runs",
			       -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
		*runs = sqlite3_column_int(st, 0);
		*complete = sqlite3_column_int(st, 1);
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
}

static void db_remove(void)
{
	static const char *const ext[] = { "", "-wal", "-shm", "-journal" };
	char p[300];
	size_t i;

	for (i = 0; i < 4; i++) {
		snprintf(p, sizeof(p), "%s%s", db_path, ext[i]);
		unlink(p);
	}
}

static int lines_of(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static unsigned int shown;

static void __attribute__((format(printf, 3, 4)))
bad(const char *name, const char *tool, const char *fmt, ...)
{
	va_list ap;

	test_failures++;
	if (++shown > 40)
		return;
	fprintf(stderr, "FAIL %s, %s: ", name, tool);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (exit %d, signal %d, %.3f s, stderr: %.300s)\n", res.code, res.sig,
		res.secs, res.err);
}

/* "events: N in K blocks" from kstack info */
static int info_events(uint64_t *events, uint64_t *blocks)
{
	unsigned long long e, b;
	const char *p = strstr(res.out, "\nevents:");

	if (!p || sscanf(p, "\nevents: %llu in %llu blocks", &e, &b) != 2)
		return -1;
	*events = e;
	*blocks = b;
	return 0;
}

static int msg_matches(const struct want *w)
{
	if (!w->msg)
		return 1;
	return strstr(res.err, w->msg) || (w->msg2 && strstr(res.err, w->msg2)) ||
	       (w->msg3 && strstr(res.err, w->msg3));
}

/* The checks common to every tool: no crash, no hang, and the error's form. */
static int check_common(const char *name, const char *tool, const struct want *w,
			const char *path)
{
	char prefix[300];

	if (res.hang) {
		bad(name, tool, "still running after %.1f s", CASE_LIMIT_NS * 1e-9);
		return -1;
	}
	if (res.sig) {
		bad(name, tool, "killed by signal %d", res.sig);
		return -1;
	}
	if (res.secs > slowest) {
		slowest = res.secs;
		snprintf(slowest_what, sizeof(slowest_what), "%s, %s", name, tool);
	}
	if (w->kind != WANT_ERROR)
		return 0;
	snprintf(prefix, sizeof(prefix), "kstack %s: %s: ", tool, path);
	if (res.code != 1)
		bad(name, tool, "exit %d, want 1", res.code);
	else if (lines_of(res.err) != 1 || res.err[strlen(res.err) - 1] != '\n')
		bad(name, tool, "want one stderr line");
	else if (strncmp(res.err, prefix, strlen(prefix)))
		bad(name, tool, "the error does not start with '%s'", prefix);
	else if (!msg_matches(w))
		bad(name, tool, "the error does not say '%s'", w->msg);
	return 0;
}

/* Run the case in case_path through the three tools and check @w. */
static void check_case(const char *name, const struct want *w, int pipe_in)
{
	const char *path = pipe_in ? "/dev/stdin" : case_path;
	const char *info[] = { "info", path, NULL };
	const char *dump[] = { "dump", path, NULL };
	const char *replay[] = { "replay", "-q", "-j", "1", "-d", db_path, path, NULL };
	uint64_t events, blocks;
	int runs, complete;

	ncases++;
	run(info, pipe_in);
	if (!check_common(name, "info", w, path)) {
		if (w->kind == WANT_ERROR && res.out_len)
			bad(name, "info", "printed a report for a bad trace");
		if (w->kind != WANT_ERROR) {
			if (res.code != 0 || res.err[0])
				bad(name, "info", "exit %d, want 0 and nothing on stderr", res.code);
			else if (info_events(&events, &blocks) || events != w->events)
				bad(name, "info", "events: want %llu", (unsigned long long)w->events);
			else if ((w->kind == WANT_TRUNC) != !!strstr(res.out, "\ntruncated:"))
				bad(name, "info", "truncated: want %s", w->kind == WANT_TRUNC ?
				    "yes" : "no");
			else if (w->kind == WANT_TRUNC && blocks != w->blocks)
				bad(name, "info", "%llu whole blocks, want %llu",
				    (unsigned long long)blocks, (unsigned long long)w->blocks);
		}
	}

	run(dump, pipe_in);
	if (!check_common(name, "dump", w, path) && w->kind != WANT_ERROR) {
		if (res.code != 0)
			bad(name, "dump", "exit %d, want 0", res.code);
		else if ((uint64_t)lines_of(res.out) != w->events)
			bad(name, "dump", "%d lines, want %llu", lines_of(res.out),
			    (unsigned long long)w->events);
		else if (w->kind == WANT_OK && res.err[0])
			bad(name, "dump", "wrote to stderr");
		else if (w->kind == WANT_TRUNC && (lines_of(res.err) != 1 ||
						   !strstr(res.err, "recording was interrupted")))
			bad(name, "dump", "want the one-line note of an interrupted recording");
	}

	db_remove();
	run(replay, pipe_in);
	if (!check_common(name, "replay", w, path)) {
		db_runs(&runs, &complete);
		if (w->kind == WANT_ERROR && runs)
			bad(name, "replay", "%d runs stored for a bad trace", runs);
		if (w->kind != WANT_ERROR && res.code != 0)
			bad(name, "replay", "exit %d, want 0", res.code);
		else if (w->kind == WANT_OK && (runs != 2 || complete != 2))
			bad(name, "replay", "%d runs, %d complete; want 2 complete", runs, complete);
		else if (w->kind == WANT_TRUNC && (runs != 2 || complete != 0))
			bad(name, "replay", "%d runs, %d complete; want 2 incomplete", runs,
			    complete);
	}
}

void check_image(const char *name, const uint8_t *buf, size_t len, const struct want *w,
		 int pipe_in)
{
	spit(case_path, buf, len);
	check_case(name, w, pipe_in);
}

/* ---- the base trace and its layout ---- */

struct layout {
	size_t first;		/* offset of block 0 */
	size_t off[64];		/* of each block, the trailer last */
	uint32_t nev[64];
	size_t nblocks;
	size_t trailer_end;	/* the footer's offset */
};

/*
 * 48 events in six blocks of 8: blocks cycle stored, deflate and zstd;
 * blocks 3 to 5 carry tgids in switches and kfaults (TGID blocks).
 */
static uint8_t *base_trace(size_t *len)
{
	struct ks_error err = { 0 };
	struct kst_writer *w;
	struct kst_info in;
	uint8_t *buf;
	size_t cap = 1 << 16;
	uint32_t i;
	FILE *f;

	kst_info_init(&in);
	kst_info_set_ncpus(&in, 2);
	snprintf(in.label, sizeof(in.label), "walk");
	in.depth_source = KST_DEPTH_SYNTH;
	in.start_ns = 1000;
	if (kst_writer_create(&w, case_path, &in, &err)) {
		fprintf(stderr, "walk: %s\n", err.detail);
		exit(1);
	}
	for (i = 0; i < 48; i++) {
		struct ks_event e = { .time = 1000 + 100 * i, .cpu = i % 2, .tid = 100 + i % 8 };

		if (i % 8 == 0) {
			kst_writer_flush(w);
			kst_writer_set_codec(w, (int)(i / 8 % 3));
			kst_writer_set_compress(w, i / 8 % 3 ? 1 : 0);
		}
		switch (i % 8) {
		case 0:
			e.type = KS_EV_NEW;
			e.tid = 200 + i;
			e.tid2 = 1;
			e.tgid = e.tid;
			memcpy(e.comm, "walker", 6);
			break;
		case 1:
			e.type = KS_EV_SNAPSHOT;
			e.tgid = 1;
			e.hwm = 4096;
			e.depth = 512;
			memcpy(e.comm, "kworker/0:1", 11);
			break;
		case 2:
			e.type = KS_EV_EXIT;
			e.hwm = 2048;
			break;
		case 3:
			e.type = KS_EV_KFAULT;
			e.depth = 8000;
			break;
		case 4:
			e.type = KS_EV_LOST;
			e.tid = 0;
			e.arg = 2;
			break;
		case 7:
			e.type = KS_EV_FREE;
			break;
		default:
			e.type = KS_EV_SWITCH;
			e.tid2 = 101 + i % 8;
			e.hwm = 3072;
			e.depth = 1024;
			e.state = KS_STATE_SLEEPING;
			break;
		}
		if (i >= 24 && (e.type == KS_EV_SWITCH || e.type == KS_EV_KFAULT)) {
			e.tgid = e.tid;
			e.arg = e.state;
		}
		if (kst_writer_add(w, &e)) {
			fprintf(stderr, "walk: cannot write event %u\n", i);
			exit(1);
		}
	}
	in.end_ns = 1000 + 100 * 48;
	if (kst_writer_close(w, &in)) {
		fprintf(stderr, "walk: cannot close the base trace\n");
		exit(1);
	}
	kst_info_release(&in);
	buf = malloc(cap);
	f = fopen(case_path, "rb");
	*len = f ? fread(buf, 1, cap, f) : 0;
	if (f)
		fclose(f);
	return buf;
}

static void walk_layout(const uint8_t *buf, size_t len, struct layout *l)
{
	size_t off = 16 + cr_get32(buf + 12) + 4;

	l->first = off;
	l->nblocks = 0;
	while (off + 40 <= len && l->nblocks < 64) {
		l->off[l->nblocks] = off;
		l->nev[l->nblocks] = cr_get32(buf + off + 20);
		l->nblocks++;
		off += 40 + cr_get32(buf + off + 12);
		if (buf[l->off[l->nblocks - 1] + 8] == 2)
			break;
	}
	l->trailer_end = off;
}

/* The block holding byte @pos */
static size_t block_of(const struct layout *l, size_t pos)
{
	size_t i;

	for (i = 1; i < l->nblocks; i++)
		if (pos < l->off[i])
			return i - 1;
	return l->nblocks - 1;
}

/* ---- truncations, header bits, random flips ---- */

static void walk_truncations(const uint8_t *buf, size_t len, const struct layout *l)
{
	size_t bounds[70], nb = 0, i;
	long prev = -1;
	int d;

	for (i = 0; i < l->nblocks; i++)
		bounds[nb++] = l->off[i];
	bounds[nb++] = l->trailer_end;
	bounds[nb++] = len;
	for (i = 0; i < nb; i++) {
		for (d = -1; d <= 1; d++) {
			long cut = (long)bounds[i] + d;
			struct want w = { 0 };
			char name[64];
			size_t k;

			if (cut < 0 || cut > (long)len || cut <= prev)
				continue;
			prev = cut;
			if ((size_t)cut < l->first) {
				w.kind = WANT_ERROR;
				w.msg = "trace is truncated: the header is incomplete";
			} else if ((size_t)cut < l->trailer_end) {
				w.kind = WANT_TRUNC;
				/* the event blocks that end at or before the cut */
				for (k = 0; k + 1 < l->nblocks && l->off[k + 1] <= (size_t)cut; k++) {
					w.events += l->nev[k];
					w.blocks++;
				}
			} else {
				w.kind = WANT_OK;	/* the trailer is whole: the footer is not read */
				for (k = 0; k + 1 < l->nblocks; k++)
					w.events += l->nev[k];
			}
			snprintf(name, sizeof(name), "cut at %ld of %zu", cut, len);
			check_image(name, buf, (size_t)cut, &w, 0);
		}
	}
}

static void walk_header_bits(uint8_t *buf, size_t len, const struct layout *l)
{
	size_t bit;

	for (bit = 0; bit < l->first * 8; bit++) {
		size_t byte = bit / 8;
		struct want w = { .kind = WANT_ERROR };
		char name[64];

		if (byte < 8) {
			w.msg = "not a kstack trace: bad magic";
		} else if (byte < 12) {
			w.msg = "unsupported trace format version: file has format version";
		} else if (byte < 16) {
			/* the TLV length: too long, beyond the file, or a wrong checksum */
			w.msg = "header: bad length";
			w.msg2 = "trace is truncated: the header is incomplete";
			w.msg3 = "header: checksum mismatch";
		} else {
			w.msg = "trace is corrupt: header: checksum mismatch";
		}
		buf[byte] ^= 1 << bit % 8;
		snprintf(name, sizeof(name), "header bit %zu", bit);
		check_image(name, buf, len, &w, 0);
		buf[byte] ^= 1 << bit % 8;
	}
}

static void walk_random_flips(uint8_t *buf, size_t len, const struct layout *l)
{
	uint64_t s = WALK_SEED;
	unsigned int c;

	for (c = 0; c < RANDOM_FLIPS; c++) {
		size_t span = l->trailer_end - l->first, pos[3], first_block = SIZE_MAX;
		unsigned int bits[3], n = 1 + splitmix64(&s) % 3, i, j;
		struct want w = { .kind = WANT_ERROR };
		char name[96], msg[32];

		for (i = 0; i < n; i++) {
			uint64_t r = splitmix64(&s);

			pos[i] = l->first + (size_t)(r % span);
			bits[i] = (r >> 32) % 8;
			/* the same bit twice would undo itself */
			for (j = 0; j < i; j++)
				if (pos[j] == pos[i] && bits[j] == bits[i])
					bits[i] = (bits[i] + 1) % 8;
			if (block_of(l, pos[i]) < first_block)
				first_block = block_of(l, pos[i]);
		}
		snprintf(msg, sizeof(msg), ": block %zu: ", first_block);
		w.msg = msg;
		for (i = 0; i < n; i++)
			buf[pos[i]] ^= 1 << bits[i];
		snprintf(name, sizeof(name), "random flip %u (%u bits, first at %zu)", c, n, pos[0]);
		check_image(name, buf, len, &w, 0);
		for (i = n; i-- > 0;)
			buf[pos[i]] ^= 1 << bits[i];
	}
}

int main(int argc, char **argv)
{
	struct layout l;
	uint8_t *buf;
	size_t len;
	double t0 = now();
	char cmd[300];

	if (argc < 2) {
		fprintf(stderr, "usage: walk KSTACK\n");
		return 2;
	}
	kstack = argv[1];
	/* in memory where there is a tmpfs: each replay's database syncs to disk */
	snprintf(dir, sizeof(dir), "%s/kst-walk-XXXXXX",
		 access("/dev/shm", W_OK) ? "/tmp" : "/dev/shm");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(case_path, sizeof(case_path), "%s/case.kst", dir);
	snprintf(out_path, sizeof(out_path), "%s/out", dir);
	snprintf(err_path, sizeof(err_path), "%s/err", dir);
	snprintf(db_path, sizeof(db_path), "%s/r.db", dir);

	buf = base_trace(&len);
	walk_layout(buf, len, &l);
	if (l.nblocks != 7 || l.trailer_end + 16 != len) {
		fprintf(stderr, "walk: the base trace has %zu blocks, want 6 and a trailer\n",
			l.nblocks);
		return 1;
	}
	{
		struct want w = { .kind = WANT_OK, .events = 48 };

		check_image("the base trace", buf, len, &w, 0);
		check_image("the base trace, piped", buf, len, &w, 1);
	}
	walk_truncations(buf, len, &l);
	walk_header_bits(buf, len, &l);
	walk_random_flips(buf, len, &l);
	free(buf);
	walk_crafted();

	fprintf(stderr, "walk: %u cases, %u runs in %.1f s; slowest %.3f s (%s)\n", ncases, nruns,
		now() - t0, slowest, slowest_what);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd))
		fprintf(stderr, "could not remove %s\n", dir);
	if (test_failures)
		fprintf(stderr, "%d checks failed\n", test_failures);
	return test_failures ? 1 : 0;
}
