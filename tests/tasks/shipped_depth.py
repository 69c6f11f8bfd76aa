#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The depth distribution of every shipped trace against a count made here.

For each trace of data/traces: kstack replay stores its task rows, kstack
report --depth --format csv prints the distribution (every task, and the
kernel's way: the tasks that exited), and this script counts the same thing
from kstack dump --csv on its own, from the definitions (tasks/tasks.h):

- a task is one life of a tid other than 0: it starts where the trace first
  names the tid (a NEW starts a new life, ending the one before), and ends
  at its FREE or at its final switch-out (state dead);
- its HWM is the highest of its snapshots, exit scans and switch-outs (as
  prev); a task whose HWM is never seen counts in the first bucket;
- it exited if an EXIT, a final switch-out, a FREE or a NEW of its tid ends
  it before the trace does;
- class: a kernel thread (flag 1 of its last SNAPSHOT or NEW) named
  "kworker/..." is a kworker, another a kthread, the rest user;
- bucket: the first of 1, 2, 4 ... THREAD_SIZE KiB its HWM does not pass,
  else 0.

The "all" class must also sum to the number of tasks counted here.
"""
import csv
import glob
import io
import os
import subprocess
import sys
import tempfile

KTHREAD = 0x1


def run(*args):
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def info(kstack, path, field):
    for line in run(kstack, 'info', path).splitlines():
        if line.startswith(field + ':'):
            return line.split()[-1]
    raise SystemExit('%s: no %s in kstack info' % (path, field))


def count(kstack, path):
    """(every task, exited tasks) as {(class, bucket_kb): tasks}, and the task count."""
    ts = int(info(kstack, path, 'thread size'))
    bounds = []
    kb = 1
    while kb * 1024 <= ts:
        bounds.append(kb)
        kb *= 2
    live, ended = {}, []

    def life(tid):
        if tid not in live:
            live[tid] = {'hwm': 0, 'kthread': False, 'comm': '', 'died': False}
        return live[tid]

    def end(tid):
        ended.append(live.pop(tid))

    rows = csv.DictReader(io.StringIO(run(kstack, 'dump', path, '--csv')))
    for e in rows:
        kind, tid, tid2 = e['type'], int(e['tid']), int(e['tid2'])
        hwm, flags, state = int(e['hwm']), int(e['flags']), int(e['state'])
        if kind == 'snapshot' and tid:
            t = life(tid)
            t['hwm'] = max(t['hwm'], hwm)
            t['kthread'] = bool(flags & KTHREAD)
            t['comm'] = e['comm'] or t['comm']
        elif kind == 'new' and tid:
            if tid2 and tid2 != tid:
                life(tid2)
            if tid in live:
                live[tid]['died'] = True
                end(tid)
            t = life(tid)
            t['kthread'] = bool(flags & KTHREAD)
            t['comm'] = e['comm']
        elif kind == 'exit' and tid:
            t = life(tid)
            t['hwm'] = max(t['hwm'], hwm)
            t['died'] = True
        elif kind == 'free' and tid in live and tid:
            live[tid]['died'] = True
            end(tid)
        elif kind == 'switch':
            if tid:
                t = life(tid)
                t['hwm'] = max(t['hwm'], hwm)
                if state == 2:
                    t['died'] = True
                    end(tid)
            if tid2:
                life(tid2)
        elif kind in ('kfault', 'kentry', 'kexit') and tid:
            life(tid)
    tasks = ended + list(live.values())
    every, exited = {}, {}
    for t in tasks:
        if t['kthread']:
            cls = 'kworker' if t['comm'].startswith('kworker/') else 'kthread'
        else:
            cls = 'user'
        b = next((k for k in bounds if t['hwm'] <= k * 1024), 0)
        for c in (cls, 'all'):
            every[(c, b)] = every.get((c, b), 0) + 1
            if t['died']:
                exited[(c, b)] = exited.get((c, b), 0) + 1
    return every, exited, len(tasks), bounds + [0]


def report(kstack, db, label, exited):
    args = [kstack, 'report', '-d', db, '--depth', '--format', 'csv', '--trace', label]
    lines = run(*(args + (['--exited'] if exited else []))).replace('\r', '').splitlines()
    if lines[0] != 'class,bucket_kb,tasks':
        raise SystemExit('%s: header %r' % (label, lines[0]))
    return {(c, int(b)): int(n) for c, b, n in (line.split(',') for line in lines[1:])}


def main():
    kstack, traces = sys.argv[1], sys.argv[2]
    fails = 0
    with tempfile.TemporaryDirectory() as tmp:
        db = os.path.join(tmp, 'k.db')
        paths = sorted(glob.glob(os.path.join(traces, '*.kst')))
        if not paths:
            raise SystemExit('no traces in %s' % traces)
        run(kstack, 'replay', '--policy', 'static', '-d', db, *paths)
        for path in paths:
            label = info(kstack, path, 'id')
            every, exited, ntasks, buckets = count(kstack, path)
            for name, want, got in (('every task', every, report(kstack, db, label, False)),
                                    ('exited', exited, report(kstack, db, label, True))):
                for c in ('kthread', 'kworker', 'user', 'all'):
                    for b in buckets:
                        if got.get((c, b)) != want.get((c, b), 0):
                            print('FAIL %s: %s: class %s, bucket %d: report %s, dump %d' %
                                  (label, name, c, b, got.get((c, b)), want.get((c, b), 0)))
                            fails += 1
            total = sum(n for (c, _), n in report(kstack, db, label, False).items() if c == 'all')
            if total != ntasks:
                print('FAIL %s: the all class sums to %d, the trace has %d tasks' %
                      (label, total, ntasks))
                fails += 1
            print('%s: %d tasks, %s' % (os.path.basename(path), ntasks,
                                        'checked' if not fails else 'see above'))
    sys.exit(1 if fails else 0)


if __name__ == '__main__':
    main()
