# SPDX-License-Identifier: MIT
# Every column of data/schema.sql says what it holds: each column line of a
# table, and each named column of a view, carries a "--" comment, on the
# line or (for a long definition) on the line that follows it.
set -u
schema=${1:?usage: schema_comments.sh data/schema.sql}
awk '
	function flush() {
		if (pending)
			printf "%s:%d: column without a comment: %s\n", FILENAME, pending_nr, pending
		bad += pending != ""
		pending = ""
	}
	/^[ \t]+--/ { pending = ""; next }
	{ flush() }
	/^CREATE TABLE/ { in_table = 1; in_view = 0; next }
	/^CREATE VIEW/ { in_view = 1; in_table = 0; next }
	/^\)/ { in_table = 0 }
	in_table && /^\t[a-z_]+[ \t]/ && !/^\t(PRIMARY|UNIQUE)/ && !/--/ {
		pending = $0; pending_nr = NR
	}
	in_view && /[ \t]AS [a-z_]+,?[ \t]*(--.*)?$/ && !/--/ { pending = $0; pending_nr = NR }
	/;[ \t]*$/ { in_view = 0 }
	END { flush(); exit bad ? 1 : 0 }
' "$schema" || exit 1
echo ok
