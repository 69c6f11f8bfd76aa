/* SPDX-License-Identifier: MIT */
/* The schema embedded from data/schema.sql at build time (report/ only). */
#ifndef KS_SCHEMA_H
#define KS_SCHEMA_H

/* the PRAGMA user_version the schema sets */
extern const int ks_schema_version;
/* the whole of data/schema.sql */
extern const char ks_schema_sql[];

#endif
