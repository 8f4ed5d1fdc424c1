#include <sqlite3.h>
#include "CSQLiteConfig.h"

int tally_sqlite_use_multithread(void) {
    return sqlite3_config(SQLITE_CONFIG_MULTITHREAD);
}
