/* SPDX-License-Identifier: MIT */
/*
 * Internal to the store (store.c writes, store_read.c reads): the handle
 * and its error helper.  Nothing outside these files sees the sqlite3
 * handle.
 */
#ifndef KS_STORE_INT_H
#define KS_STORE_INT_H

#include <pthread.h>
#include <stdbool.h>

#include <sqlite3.h>

#include "store.h"

struct ks_store {
	pthread_mutex_t lock;
	sqlite3 *db;
	sqlite3_stmt *find_run;
	sqlite3_stmt *del_run;
	sqlite3_stmt *ins_run;
	sqlite3_stmt *ins_param;
	sqlite3_stmt *ins_sample;
	sqlite3_stmt *ins_crash;
	sqlite3_stmt *ins_hwm;
	char *path;
	bool readonly;
};

/**
 * ks_store_fail() - @err from the database's last error while doing @what:
 * "PATH: WHAT: SQLite's message".  Return: -KS_E_DB.
 */
int ks_store_fail(struct ks_store *s, struct ks_error *err, const char *what);

/**
 * ks_store_open_finished() - ks_store_open_ro() of a database nobody writes
 * any more (a shard to merge): with no -wal or -journal beside it, the file
 * is read alone, as immutable, and nothing is created beside it
 */
int ks_store_open_finished(struct ks_store **out, const char *path, struct ks_error *err);

/** ks_store_has_pending() - a non-empty -wal or -journal lies beside @path */
bool ks_store_has_pending(const char *path);

/**
 * ks_store_uri() - the SQLite URI "file:PATH?@query" of @path, every byte of
 * @path that is not plainly safe %-escaped
 * Return: a malloc'ed string to free(), NULL without memory.
 */
char *ks_store_uri(const char *path, const char *query);

#endif
