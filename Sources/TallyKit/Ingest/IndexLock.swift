import Foundation
import GRDB

/// The indexer lock (SPEC §7): one row in `ingest_lock`. A second indexer waits (or fails with
/// a clear message); a lock whose process is gone, or whose heartbeat is stale, is taken over.
public struct IndexLock {
    public let store: Store
    public let pid = Int64(getpid())
    public let host = ProcessInfo.processInfo.hostName
    /// A holder that has not beaten for this long is presumed dead (another host, a hung process).
    public static let staleAfter: TimeInterval = 120

    public init(store: Store) {
        self.store = store
    }

    public struct Busy: Error, CustomStringConvertible {
        public var pid: Int64
        public var host: String
        public var since: String
        public var description: String {
            "another indexer is running on this database (pid \(pid) on \(host), since \(since)); wait for it, or run again with --wait"
        }
    }

    /// Takes the lock. Returns a message when a stale lock was recovered (the previous run
    /// crashed). With `wait`, polls until the holder is done; otherwise throws `Busy`.
    public func acquire(wait: Bool, log: (String) -> Void) throws -> String? {
        var announced = false
        while true {
            let outcome: Result<String?, Busy> = try store.write { db in
                let now = Date()
                if let row = try Row.fetchOne(db, sql: "SELECT pid, host, started_at, heartbeat_at FROM ingest_lock WHERE id = 1") {
                    let holderPid: Int64 = row["pid"]
                    let holderHost: String = row["host"]
                    if holderPid == pid && holderHost == host { return .success(nil) }
                    let heartbeat = Timestamps.parse(row["heartbeat_at"]) ?? .distantPast
                    let dead = holderHost == host && holderPid != pid && kill(pid_t(holderPid), 0) != 0 && errno == ESRCH
                    let silent = now.timeIntervalSince(heartbeat) > Self.staleAfter
                    guard dead || silent else {
                        return .failure(Busy(pid: holderPid, host: holderHost, since: row["started_at"]))
                    }
                    try take(db, now: now)
                    let why = dead ? "its process is gone" : "no heartbeat since \(row["heartbeat_at"] as String)"
                    return .success("recovered a stale index lock of pid \(holderPid) on \(holderHost) (\(why)); finishing its work")
                }
                try take(db, now: now)
                return .success(nil)
            }
            switch outcome {
            case .success(let message): return message
            case .failure(let busy):
                guard wait else { throw busy }
                if !announced {
                    log("waiting for the indexer pid \(busy.pid) on \(busy.host) (running since \(busy.since))…")
                    announced = true
                }
                Thread.sleep(forTimeInterval: 0.5)
            }
        }
    }

    private func take(_ db: Database, now: Date) throws {
        let at = Timestamps.iso(now)
        try db.execute(
            literal: """
                INSERT INTO ingest_lock (id, pid, host, started_at, heartbeat_at) VALUES (1, \(pid), \(host), \(at), \(at))
                ON CONFLICT(id) DO UPDATE SET pid = excluded.pid, host = excluded.host,
                  started_at = excluded.started_at, heartbeat_at = excluded.heartbeat_at
                """)
    }

    /// Shows the lock is alive (in the caller's transaction).
    public func heartbeat(_ db: Database) throws {
        try db.execute(literal: "UPDATE ingest_lock SET heartbeat_at = \(Timestamps.iso(Date())) WHERE id = 1 AND pid = \(pid)")
    }

    public func release() {
        _ = try? store.write { db in
            try db.execute(literal: "DELETE FROM ingest_lock WHERE id = 1 AND pid = \(pid) AND host = \(host)")
        }
    }
}
