// Written by hand: sqlite3_config is a C variadic function, which Swift cannot call, and
// neither GRDB nor any listed package exposes SQLITE_CONFIG_MEMSTATUS; sqlite3_wal_hook takes
// a C callback, and what it does here (defer a checkpoint) is Kakari's own.
#include <stdint.h>
#include <sqlite3.h>
#include "CSQLiteSettings.h"

int kakari_sqlite_disable_memory_statistics(void) {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

// Per thread: a commit runs its hook on the thread that runs COMMIT, and that same thread
// (the writer connection's) sets and reads these around it.
static _Thread_local int deferring = 0;
static _Thread_local int due = 0;

// What SQLite's own automatic checkpoint does (sqlite3WalDefaultHook): a passive checkpoint
// once the log holds `threshold` pages, its failures (a reader in the way) left for a later
// commit; unless the thread asked to run the checkpoint itself.
static int checkpoint_hook(void *threshold, sqlite3 *db, const char *name, int pages) {
    if (pages < (int)(intptr_t)threshold) return SQLITE_OK;
    if (deferring) {
        due = 1;
        return SQLITE_OK;
    }
    sqlite3_wal_checkpoint(db, name);
    return SQLITE_OK;
}

void kakari_sqlite_checkpoint_past(struct sqlite3 *db, int pages) {
    sqlite3_wal_hook(db, checkpoint_hook, (void *)(intptr_t)pages);
}

void kakari_sqlite_defer_checkpoints(int defer) {
    deferring = defer;
    if (defer) due = 0;
}

int kakari_sqlite_checkpoint_due(void) {
    return due;
}
