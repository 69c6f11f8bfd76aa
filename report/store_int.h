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

#endif
