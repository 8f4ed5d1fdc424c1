#ifndef TALLY_CSQLITECONFIG_H
#define TALLY_CSQLITECONFIG_H

/// Puts SQLite in multi-thread mode (no mutex around each call on a connection or statement)
/// when called before SQLite is first used; returns SQLITE_OK, or an error code when it is too
/// late. GRDB gives every connection to one thread at a time, which is all this mode asks.
/// `sqlite3_config` is variadic, so Swift cannot call it directly.
int tally_sqlite_use_multithread(void);

#endif
