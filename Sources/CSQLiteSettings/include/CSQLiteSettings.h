#ifndef CSQLITESETTINGS_H
#define CSQLITESETTINGS_H

struct sqlite3;

/// Turns off SQLite's memory statistics for the process (SQLITE_CONFIG_MEMSTATUS = 0), so that
/// its allocations no longer take one process-wide mutex each. Must run before SQLite is
/// initialised (before the first connection opens); returns SQLITE_OK, or SQLITE_MISUSE when
/// SQLite was initialised already (nothing changes then).
int kakari_sqlite_disable_memory_statistics(void);

/// Checkpoints the log of connection `db` after a commit that leaves it holding `pages` pages
/// or more, as `PRAGMA wal_autocheckpoint = pages` does (it replaces that setting), except
/// while the calling thread defers checkpoints.
void kakari_sqlite_checkpoint_past(struct sqlite3 *db, int pages);

/// Defers (1) or stops deferring (0) the checkpoint of commits made on the calling thread.
/// Deferring also forgets whether one was due.
void kakari_sqlite_defer_checkpoints(int defer);

/// Whether a commit on the calling thread skipped a checkpoint since it began deferring:
/// 1 when the caller should run one (`PRAGMA wal_checkpoint(PASSIVE)`), else 0.
int kakari_sqlite_checkpoint_due(void);

#endif
