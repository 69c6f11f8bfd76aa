// SPDX-License-Identifier: MIT
/*
 * The corruption walk: damaged and badly written traces through `kstack
 * info`, `kstack dump` and `kstack replay`, every process killed after one
 * second (a hang fails the case instead of stalling the suite).
 *
 *   walk KSTACK
 *
 * The cases, on a small trace of six event blocks (every record type,
 * every codec, plain and TGID blocks) written here with the library, in
 * each format version (version 1 with a third of the random flips):
 *
 * - truncation at every block boundary and one byte either side: inside
 *   the header an error, then a truncated trace whose events are those of
 *   the whole blocks before the cut (a replay stores its runs as
 *   incomplete), and once the trailer is whole the complete trace;
 * - a flip of every bit of the header: an error naming the header, the
 *   magic or the version;
 * - 300 seeded random flips of 1 to 3 bits in the blocks (the footer, which
 *   readers ignore, left alone): an error naming the first damaged block;
 * - crafted files with valid checksums (walk_crafted.c, walk_crafted2.c),
 *   by file and through a pipe: absurd times, sizes, counts, CPU numbers,
 *   varints, block sequences and header fields, and version 2's directory,
 *   streams and references, each refused in one line naming the block or
 *   field, or, when the format allows it, read whole.
 *
 * Every failure gives one stderr line "kstack TOOL: PATH: ..." and exit 1,
 * and a replay stores nothing; nothing crashes.  The expected outcome of
 * each case follows from FORMAT.md and the layout of the file, walked here
 * from its block headers, not from the program's output.
 *
 * To stay within seconds (a process costs ~40 ms under ASan), kstack info
 * reads the case files 64 at a time (it takes several files and reports
 * each), and dump and replay, one process per case, get every truncation
 * and crafted case but a sample of the flips: one bit of each header byte
 * and one random flip in three.  All three tools read through the same
 * reader, which info exercises on every case.
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

/*
 * One second per case and tool, ten under AddressSanitizer: a hang never
 * ends, while a sanitized kstack info of a batch on a busy machine can take
 * more than a second (meson's --timeout-multiplier does not reach here).
 */
#if defined(__SANITIZE_ADDRESS__)
#define CASE_LIMIT_NS 10000000000ll
#else
#define CASE_LIMIT_NS 1000000000ll
#endif
#define RANDOM_FLIPS 300
#define INFO_BATCH 64		/* files per kstack info */
#define WALK_SEED 0x6b737461636bull	/* "kstack" */

static char dir[64];
static const char *kstack;
static char out_path[256], err_path[256], db_path[256];
static unsigned int ncases, nruns;
static double slowest;
static char slowest_what[128];

struct result {
	int code;		/* exit status, -1 if none */
	int sig;		/* the signal that ended it */
	int hang;		/* killed at the time limit */
	double secs;
	char out[1 << 20];
	char err[1 << 16];
};

static struct result res;

/* A queued case: its file, what it must give, and how it is run */
struct wcase {
	char name[96];
	char path[96];
	char msg[3][200];	/* w's messages ("" for none): the caller's may not last */
	struct want w;		/* its messages cleared */
	int pipe_in;		/* through a pipe on stdin: a process per tool */
	int each;		/* also through dump and replay, not info alone */
};

static struct wcase *queue;
static size_t nqueue, queue_cap;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void slurp_into(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "rb");
	size_t n = 0;

	if (f) {
		n = fread(buf, 1, size - 1, f);
		fclose(f);
	}
	buf[n] = 0;
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
 * stderr to files; with @pipe_from, that file comes through a pipe on
 * stdin.  SIGCHLD is blocked, so the wait is a sigtimedwait with the limit.
 */
static void run(const char *const *argv, const char *pipe_from)
{
	const char **args;
	sigset_t chld, old;
	pid_t pid, feeder = -1;
	int fds[2] = { -1, -1 }, status, n;
	double t0, left;

	for (n = 0; argv[n]; n++)
		;
	args = calloc(n + 2, sizeof(*args));
	args[0] = kstack;
	memcpy(args + 1, argv, n * sizeof(*args));
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, &old);
	if (pipe_from && pipe(fds)) {
		perror("pipe");
		exit(1);
	}
	t0 = now();
	pid = fork();
	if (pid == 0) {
		int o = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int e = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		sigprocmask(SIG_SETMASK, &old, NULL);
		if (pipe_from) {
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
	free(args);
	if (pipe_from) {
		close(fds[0]);
		feeder = fork();
		if (feeder == 0) {
			int f = open(pipe_from, O_RDONLY);
			char buf[4096];
			ssize_t k;

			sigprocmask(SIG_SETMASK, &old, NULL);
			signal(SIGPIPE, SIG_DFL);
			while (f >= 0 && (k = read(f, buf, sizeof(buf))) > 0)
				if (write(fds[1], buf, k) != k)
					break;
			_exit(0);
		}
		close(fds[1]);
	}
	res.hang = 0;
	for (;;) {
		struct timespec ts;

		if (waitpid(pid, &status, WNOHANG) == pid)
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
	slurp_into(out_path, res.out, sizeof(res.out));
	slurp_into(err_path, res.err, sizeof(res.err));
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

/* No crash and no hang; also keeps the slowest run.  Return: 0 if neither. */
static int check_ended(const char *name, const char *tool)
{
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
	return 0;
}

/*
 * The error line of @c in @err, which may hold those of other files too:
 * exactly one line "kstack TOOL: PATH: ..." saying what @c wants.
 */
static void check_error_line(const struct wcase *c, const char *tool, const char *path,
			     const char *err)
{
	const char *p, *line = NULL;
	char prefix[300], text[1024];
	size_t n, found = 0, i;

	snprintf(prefix, sizeof(prefix), "kstack %s: %s: ", tool, path);
	for (p = err; *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : p + strlen(p)) {
		if (!strncmp(p, prefix, strlen(prefix))) {
			line = p;
			found++;
		}
	}
	if (found != 1) {
		bad(c->name, tool, "%zu error lines for the file, want 1", found);
		return;
	}
	n = strcspn(line, "\n");
	if (!line[n]) {
		bad(c->name, tool, "the error line does not end");
		return;
	}
	snprintf(text, sizeof(text), "%.*s", (int)n, line);
	for (i = 0; i < 3 && c->msg[i][0] && !strstr(text, c->msg[i]); i++)
		;
	if (c->msg[0][0] && (i == 3 || !c->msg[i][0]))
		bad(c->name, tool, "'%s' does not say '%s'", text, c->msg[0]);
}

/*
 * @c's report in kstack info's output @out (which may hold those of other
 * files): none for a bad trace, else its event count and truncation.
 */
static void check_info_report(const struct wcase *c, const char *path, const char *out)
{
	const char *p, *next;
	unsigned long long e, b;
	char key[300], *rep;

	snprintf(key, sizeof(key), "%-26s %s\n", "file:", path);
	p = strstr(out, key);
	if (c->w.kind == WANT_ERROR) {
		if (p)
			bad(c->name, "info", "printed a report for a bad trace");
		return;
	}
	if (!p) {
		bad(c->name, "info", "no report");
		return;
	}
	next = strstr(p + 1, "\nfile:");
	rep = strndup(p, next ? (size_t)(next - p) : strlen(p));
	p = strstr(rep, "\nevents:");
	if (!p || sscanf(p, "\nevents: %llu in %llu blocks", &e, &b) != 2 || e != c->w.events)
		bad(c->name, "info", "events: want %llu", (unsigned long long)c->w.events);
	else if ((c->w.kind == WANT_TRUNC) != !!strstr(rep, "\ntruncated:"))
		bad(c->name, "info", "truncated: want %s", c->w.kind == WANT_TRUNC ? "yes" : "no");
	else if (c->w.kind == WANT_TRUNC && b != c->w.blocks)
		bad(c->name, "info", "%llu whole blocks, want %llu", b,
		    (unsigned long long)c->w.blocks);
	free(rep);
}

/* Exit status and stderr of a run for the one case @c. */
static int check_single(const struct wcase *c, const char *tool, const char *path)
{
	if (check_ended(c->name, tool))
		return -1;
	if (c->w.kind == WANT_ERROR) {
		if (res.code != 1)
			bad(c->name, tool, "exit %d, want 1", res.code);
		else if (lines_of(res.err) != 1)
			bad(c->name, tool, "%d stderr lines, want 1", lines_of(res.err));
		else
			check_error_line(c, tool, path, res.err);
		return 0;
	}
	if (res.code != 0)
		bad(c->name, tool, "exit %d, want 0", res.code);
	return 0;
}

/* kstack info on a batch of cases (by file) in one process */
static void info_batch(struct wcase *const *cs, size_t n)
{
	const char **argv = calloc(n + 2, sizeof(*argv));
	size_t i, errors = 0;
	char name[256];

	argv[0] = "info";
	for (i = 0; i < n; i++) {
		argv[i + 1] = cs[i]->path;
		errors += cs[i]->w.kind == WANT_ERROR;
	}
	run(argv, NULL);
	free(argv);
	snprintf(name, sizeof(name), "%s ... %s (%zu files)", cs[0]->name, cs[n - 1]->name, n);
	if (check_ended(name, "info"))
		return;
	if (res.code != (errors ? 1 : 0))
		bad(name, "info", "exit %d, want %d", res.code, errors ? 1 : 0);
	if ((size_t)lines_of(res.err) != errors)
		bad(name, "info", "%d stderr lines, want %zu", lines_of(res.err), errors);
	for (i = 0; i < n; i++) {
		if (cs[i]->w.kind == WANT_ERROR)
			check_error_line(cs[i], "info", cs[i]->path, res.err);
		check_info_report(cs[i], cs[i]->path, res.out);
	}
}

/* kstack info (piped), dump and replay on one case */
static void run_each(const struct wcase *c)
{
	const char *path = c->pipe_in ? "/dev/stdin" : c->path;
	const char *from = c->pipe_in ? c->path : NULL;
	const char *info[] = { "info", path, NULL };
	const char *dump[] = { "dump", path, NULL };
	const char *replay[] = { "replay", "-q", "-j", "1", "-d", db_path, path, NULL };
	int runs, complete;

	if (c->pipe_in) {
		run(info, from);
		if (!check_single(c, "info", path)) {
			check_info_report(c, path, res.out);
			if (c->w.kind != WANT_ERROR && res.err[0])
				bad(c->name, "info", "wrote to stderr");
		}
	}

	run(dump, from);
	if (!check_single(c, "dump", path) && c->w.kind != WANT_ERROR) {
		if ((uint64_t)lines_of(res.out) != c->w.events)
			bad(c->name, "dump", "%d lines, want %llu", lines_of(res.out),
			    (unsigned long long)c->w.events);
		else if (c->w.kind == WANT_OK && res.err[0])
			bad(c->name, "dump", "wrote to stderr");
		else if (c->w.kind == WANT_TRUNC && (lines_of(res.err) != 1 ||
						     !strstr(res.err, "recording was interrupted")))
			bad(c->name, "dump", "want the one-line note of an interrupted recording");
	}

	db_remove();
	run(replay, from);
	if (!check_single(c, "replay", path)) {
		db_runs(&runs, &complete);
		if (c->w.kind == WANT_ERROR && runs)
			bad(c->name, "replay", "%d runs stored for a bad trace", runs);
		else if (c->w.kind == WANT_OK && (runs != 2 || complete != 2))
			bad(c->name, "replay", "%d runs, %d complete; want 2 complete", runs,
			    complete);
		else if (c->w.kind == WANT_TRUNC && (runs != 2 || complete != 0))
			bad(c->name, "replay", "%d runs, %d complete; want 2 incomplete", runs,
			    complete);
	}
}

void add_case(const char *name, const uint8_t *buf, size_t len, const struct want *w,
	      int pipe_in, int each)
{
	struct wcase *c;

	if (nqueue == queue_cap) {
		queue_cap = queue_cap ? 2 * queue_cap : 256;
		queue = realloc(queue, queue_cap * sizeof(*queue));
		if (!queue)
			abort();
	}
	c = &queue[nqueue];
	snprintf(c->name, sizeof(c->name), "%s", name);
	snprintf(c->path, sizeof(c->path), "%s/c%zu.kst", dir, nqueue);
	c->w = *w;
	snprintf(c->msg[0], sizeof(c->msg[0]), "%s", w->msg ? w->msg : "");
	snprintf(c->msg[1], sizeof(c->msg[1]), "%s", w->msg2 ? w->msg2 : "");
	snprintf(c->msg[2], sizeof(c->msg[2]), "%s", w->msg3 ? w->msg3 : "");
	c->w.msg = c->w.msg2 = c->w.msg3 = NULL;
	c->pipe_in = pipe_in;
	c->each = each || pipe_in;
	spit(c->path, buf, len);
	nqueue++;
	ncases++;
}

/*
 * Run the queued cases: kstack info on the files in batches (one process
 * per INFO_BATCH files), then each case marked so through kstack dump and
 * replay (and info, if it comes through a pipe), one process each.
 */
static void run_queue(void)
{
	struct wcase *batch[INFO_BATCH];
	size_t i, n = 0;

	for (i = 0; i < nqueue; i++) {
		if (queue[i].pipe_in)
			continue;
		batch[n++] = &queue[i];
		if (n == INFO_BATCH) {
			info_batch(batch, n);
			n = 0;
		}
	}
	if (n)
		info_batch(batch, n);
	for (i = 0; i < nqueue; i++) {
		if (queue[i].each)
			run_each(&queue[i]);
		unlink(queue[i].path);
	}
	nqueue = 0;
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
static uint8_t *base_trace(const char *path, size_t *len, uint32_t version)
{
	struct ks_error err = { 0 };
	struct kst_writer *w;
	struct kst_info in;
	uint8_t *buf;
	size_t cap = 1 << 16;
	uint32_t i;
	FILE *f;

	kst_info_init(&in);
	in.version = version;
	kst_info_set_ncpus(&in, 2);
	snprintf(in.label, sizeof(in.label), "walk");
	in.depth_source = KST_DEPTH_SYNTH;
	in.start_ns = 1000;
	if (kst_writer_create(&w, path, &in, &err)) {
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
	f = fopen(path, "rb");
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
				for (k = 0; k + 1 < l->nblocks && l->off[k + 1] <= (size_t)cut;
				     k++) {
					w.events += l->nev[k];
					w.blocks++;
				}
			} else {
				/* the trailer is whole: the footer is not read */
				w.kind = WANT_OK;
				for (k = 0; k + 1 < l->nblocks; k++)
					w.events += l->nev[k];
			}
			snprintf(name, sizeof(name), "version %u, cut at %ld of %zu", buf[8], cut,
				 len);
			add_case(name, buf, (size_t)cut, &w, 0, 1);
		}
	}
}

/*
 * Every bit through kstack info; one bit of each byte, drawn from the seed,
 * also through dump and replay (they share the reader's header code).
 */
static void walk_header_bits(uint8_t *buf, size_t len, const struct layout *l)
{
	const unsigned int version = buf[8];
	uint64_t s = WALK_SEED;
	unsigned int each_bit = 0;
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
		if (bit % 8 == 0)
			each_bit = splitmix64(&s) % 8;
		buf[byte] ^= 1 << bit % 8;
		snprintf(name, sizeof(name), "version %u, header bit %zu", version, bit);
		add_case(name, buf, len, &w, 0, bit % 8 == each_bit);
		buf[byte] ^= 1 << bit % 8;
	}
}

static void walk_random_flips(uint8_t *buf, size_t len, const struct layout *l,
			      unsigned int flips)
{
	uint64_t s = WALK_SEED;
	unsigned int c;

	for (c = 0; c < flips; c++) {
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
		snprintf(name, sizeof(name), "random flip %u (%u bits, first at %zu), version %u", c,
			 n, pos[0], buf[8]);
		/* all through kstack info, one in three through dump and replay too */
		add_case(name, buf, len, &w, 0, c % 3 == 0);
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
	char cmd[300], base[256];
	uint32_t version;

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
	snprintf(out_path, sizeof(out_path), "%s/out", dir);
	snprintf(err_path, sizeof(err_path), "%s/err", dir);
	snprintf(db_path, sizeof(db_path), "%s/r.db", dir);

	snprintf(base, sizeof(base), "%s/base.kst", dir);
	for (version = 2; version >= 1; version--) {
		struct want w = { .kind = WANT_OK, .events = 48 };

		buf = base_trace(base, &len, version);
		walk_layout(buf, len, &l);
		if (l.nblocks != 7 || l.trailer_end + 16 != len) {
			fprintf(stderr, "walk: the version-%u base trace has %zu blocks, want 6 "
				"and a trailer\n", version, l.nblocks);
			return 1;
		}
		add_case(version == 2 ? "the base trace" : "the version-1 base trace", buf, len,
			 &w, 0, 1);
		add_case("the base trace, piped", buf, len, &w, 1, 1);
		walk_truncations(buf, len, &l);
		walk_header_bits(buf, len, &l);
		walk_random_flips(buf, len, &l, version == 2 ? RANDOM_FLIPS : RANDOM_FLIPS / 3);
		free(buf);
		run_queue();
	}
	walk_crafted();
	walk_crafted2();
	run_queue();

	fprintf(stderr, "walk: %u cases, %u runs in %.1f s; slowest %.3f s (%s)\n", ncases, nruns,
		now() - t0, slowest, slowest_what);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd))
		fprintf(stderr, "could not remove %s\n", dir);
	if (test_failures)
		fprintf(stderr, "%d checks failed\n", test_failures);
	return test_failures ? 1 : 0;
}
