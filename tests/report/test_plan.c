// SPDX-License-Identifier: MIT
/*
 * The merge plan read from a schema (store_plan.h), on a schema made up for
 * the test with every kind of table the merge knows: which tables are
 * entities, which references are mapped, and the order of the copy.  A table
 * added to data/schema.sql is merged the same way, with no change to the
 * merge.
 */
#define _GNU_SOURCE
#include "helpers.h"
#include "store_plan.h"

/*
 * hosts:  referred to by key, UNIQUE (name): an entity.
 * jobs:   refers to hosts, UNIQUE (host, name): an entity below an entity.
 * codes:  referred to by its key but no UNIQUE: the key is what it means.
 * events: refers to jobs and codes: a child, only the jobs reference mapped.
 * notes:  refers to hosts; a rowid table without an INTEGER PRIMARY KEY.
 * meta:   refers to nothing, is referred to by nothing.
 * Declared children first, so the order comes from the keys, not the text.
 */
static const char schema[] =
	"CREATE TABLE events (job INTEGER NOT NULL REFERENCES jobs(key), "
	"code INTEGER NOT NULL REFERENCES codes, seq INTEGER, PRIMARY KEY (job, seq)) "
	"WITHOUT ROWID;"
	"CREATE TABLE jobs (key INTEGER PRIMARY KEY, host INTEGER NOT NULL REFERENCES "
	"hosts(key), name TEXT NOT NULL, UNIQUE (host, name));"
	"CREATE TABLE notes (host INTEGER REFERENCES hosts(key), text TEXT);"
	"CREATE TABLE hosts (key INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);"
	"CREATE TABLE codes (code INTEGER PRIMARY KEY, name TEXT NOT NULL);"
	"CREATE TABLE meta (k TEXT PRIMARY KEY, v TEXT);";

static const struct ks_merge_table *table(const struct ks_merge_plan *p, const char *name,
					  size_t *at)
{
	size_t i;

	for (i = 0; i < p->n; i++) {
		if (!strcmp(p->t[i].name, name)) {
			*at = i;
			return &p->t[i];
		}
	}
	fprintf(stderr, "table %s not in the plan\n", name);
	exit(1);
}

/* The columns @t copies, and after '>' the table each mapped one refers to. */
static char *cols_of(const struct ks_merge_plan *p, const struct ks_merge_table *t)
{
	char *buf = NULL;
	size_t len = 0, c;
	FILE *f = open_memstream(&buf, &len);

	for (c = 0; c < t->ncols; c++) {
		fprintf(f, "%s%s", c ? "," : "", t->cols[c]);
		if (t->parent[c] >= 0)
			fprintf(f, ">%s", p->t[t->parent[c]].name);
	}
	fclose(f);
	return buf;
}

static void check_table(const struct ks_merge_plan *p, const char *name, bool entity,
			const char *cols)
{
	size_t at;
	const struct ks_merge_table *t = table(p, name, &at);
	char *got = cols_of(p, t);

	CHECK(t->entity == entity);
	CHECK_STR(got, cols);
	free(got);
}

int main(void)
{
	struct ks_store s = { .path = "test" };
	struct ks_merge_plan p;
	struct ks_error err = { 0 };
	size_t hosts, jobs, events, notes, codes;

	if (sqlite3_open(":memory:", &s.db) != SQLITE_OK ||
	    sqlite3_exec(s.db, schema, NULL, NULL, NULL) != SQLITE_OK) {
		fprintf(stderr, "schema: %s\n", sqlite3_errmsg(s.db));
		return 1;
	}
	CHECK_OK(ks_merge_plan_build(&s, &p, &err));
	CHECK(p.n == 6);
	/* an entity copies all but its key, which the output gives anew */
	check_table(&p, "hosts", true, "name");
	check_table(&p, "jobs", true, "host>hosts,name");
	/* a key nobody renumbers: copied as it is, and so are references to it */
	check_table(&p, "codes", false, "code,name");
	check_table(&p, "events", false, "job>jobs,code,seq");
	check_table(&p, "notes", false, "host>hosts,text");
	check_table(&p, "meta", false, "k,v");
	/* entities before what refers to them */
	table(&p, "hosts", &hosts);
	table(&p, "jobs", &jobs);
	table(&p, "events", &events);
	table(&p, "notes", &notes);
	table(&p, "codes", &codes);
	CHECK(hosts < jobs && jobs < events && hosts < notes);
	/* an entity is found again by its UNIQUE columns, its references mapped */
	CHECK(strstr(p.t[jobs].copy_sql, "WHERE NOT EXISTS (SELECT 1 FROM main.\"jobs\" AS y "
		     "WHERE y.\"host\" = m0.new AND y.\"name\" = x.\"name\")") != NULL);
	/* a child follows a row added; a table of codes gets the rows it lacks */
	CHECK(strstr(p.t[events].copy_sql, "WHERE 0 OR m0.fresh") != NULL);
	CHECK(strstr(p.t[notes].copy_sql, "ORDER BY x.rowid") != NULL);
	CHECK(strstr(p.t[codes].copy_sql, "EXCEPT SELECT \"code\", \"name\" FROM main.\"codes\"")
	      != NULL);
	CHECK(!p.t[codes].map_sql && p.t[hosts].map_sql && p.t[jobs].map_sql);
	ks_merge_plan_release(&p);

	/* a cycle of keys cannot be ordered */
	CHECK(sqlite3_exec(s.db, "CREATE TABLE a (key INTEGER PRIMARY KEY, b INTEGER REFERENCES "
			   "b(key), n TEXT UNIQUE); CREATE TABLE b (key INTEGER PRIMARY KEY, "
			   "a INTEGER REFERENCES a(key), n TEXT UNIQUE);", NULL, NULL, NULL) ==
	      SQLITE_OK);
	CHECK(ks_merge_plan_build(&s, &p, &err) == -KS_E_INTERNAL);
	CHECK(strstr(err.detail, "cycle") != NULL);
	ks_merge_plan_release(&p);
	sqlite3_close(s.db);
	if (test_failures)
		fprintf(stderr, "%d check(s) failed\n", test_failures);
	return test_failures ? 1 : 0;
}
