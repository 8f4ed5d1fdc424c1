import Foundation

/// Progress of a long index run on a terminal (files, records/s, ETA); silent elsewhere.
public final class Progress: @unchecked Sendable {
    private let write: (String) -> Void
    private var total = 0
    private var files = 0
    private var records = 0
    private var started = Date()
    private var lastDraw = Date.distantPast
    private var drawn = false

    /// A reporter that writes to stderr, or nil when stderr is not a terminal.
    public static func onTerminal() -> Progress? {
        isatty(STDERR_FILENO) == 1 ? Progress { FileHandle.standardError.write(Data($0.utf8)) } : nil
    }

    public init(write: @escaping (String) -> Void) {
        self.write = write
    }

    func start(files total: Int) {
        self.total = total
        files = 0
        records = 0
        started = Date()
    }

    func advance(files: Int, records: Int) {
        self.files += files
        self.records += records
        let now = Date()
        guard now.timeIntervalSince(lastDraw) >= 0.25 else { return }
        lastDraw = now
        let elapsed = max(now.timeIntervalSince(started), 0.001)
        let rate = Double(self.records) / elapsed
        let filesRate = Double(self.files) / elapsed
        let eta = filesRate > 0 ? Double(total - self.files) / filesRate : 0
        let line = "indexing: \(NumberFormat.grouped(Int64(self.files)))/\(NumberFormat.grouped(Int64(total))) files, "
            + "\(NumberFormat.grouped(Int64(rate))) records/s, ETA \(Int(eta.rounded()))s"
        write("\r\u{1B}[2K" + line)
        drawn = true
    }

    func finish() {
        if drawn { write("\r\u{1B}[2K") }
        drawn = false
    }
}
