// Written by hand: sqlite3_config is a C variadic function, which Swift cannot call, and
// neither GRDB nor any listed package exposes SQLITE_CONFIG_MEMSTATUS.
#include <sqlite3.h>
#include "CSQLiteSettings.h"

int kakari_sqlite_disable_memory_statistics(void) {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}
