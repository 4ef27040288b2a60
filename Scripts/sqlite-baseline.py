#!/usr/bin/env python3
"""The raw durable commit rate of SQLite on this machine, as a baseline for Kakari's figures.

Runs the transaction a transition minimally needs -- update one case row and insert one
history row -- with the settings Kakari uses (WAL, synchronous=FULL), once per transaction
and in groups of 256 per transaction (as the daemon's group commit does).
Usage: Scripts/sqlite-baseline.py [N]   (default 20000 transactions)
"""
import os, sqlite3, sys, tempfile, time

n = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
folder = tempfile.mkdtemp(prefix="kakari-baseline-")

def run(group):
    path = os.path.join(folder, f"baseline-{group}.sqlite")
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute("CREATE TABLE cases (id TEXT PRIMARY KEY, sequence INTEGER, snapshot TEXT)")
    db.execute("CREATE TABLE history (case_id TEXT, seq INTEGER, detail TEXT, PRIMARY KEY (case_id, seq)) WITHOUT ROWID")
    db.executemany("INSERT INTO cases VALUES (?, 0, ?)", [(f"H{i:06d}", "x" * 600) for i in range(5000)])
    start = time.perf_counter()
    done = 0
    while done < n:
        db.execute("BEGIN IMMEDIATE")
        for _ in range(min(group, n - done)):
            cid = f"H{done % 5000:06d}"
            db.execute("UPDATE cases SET sequence = sequence + 1, snapshot = ? WHERE id = ?", ("y" * 600, cid))
            db.execute("INSERT INTO history VALUES (?, ?, ?)", (cid, done, "z" * 200))
            done += 1
        db.execute("COMMIT")
    return n / (time.perf_counter() - start)

single = run(1)
grouped = run(256)
print(f"one transition per transaction:   {single:10.0f} transactions/s")
print(f"256 transitions per transaction:  {grouped:10.0f} transitions/s")
