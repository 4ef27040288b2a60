#ifndef CSQLITESETTINGS_H
#define CSQLITESETTINGS_H

/// Turns off SQLite's memory statistics for the process (SQLITE_CONFIG_MEMSTATUS = 0), so that
/// its allocations no longer take one process-wide mutex each. Must run before SQLite is
/// initialised (before the first connection opens); returns SQLITE_OK, or SQLITE_MISUSE when
/// SQLite was initialised already (nothing changes then).
int kakari_sqlite_disable_memory_statistics(void);

#endif
