# SPDX-License-Identifier: MIT
# Every SQLite call of kstack sits behind the store (report/store*.c and
# store_int.h): the rest of the code asks the store for rows.  A grep keeps
# it so.
cd "${1:?source root}" || exit 2
found=$(grep -rl 'sqlite3' --include='*.c' --include='*.h' \
	common engine collect replay report tools | grep -vxE 'report/store(_[a-z]+)?\.[ch]')
[ -z "$found" ] || { echo "FAIL: SQLite outside the store:" $found >&2; exit 1; }
echo ok
