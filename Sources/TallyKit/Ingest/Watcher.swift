import Foundation

/// File events under a folder (inotify, recursive), for `index --watch`. Started BEFORE the bulk
/// pass, so a file written while that pass runs is still reported afterwards: the ledger then
/// tells whether the pass already had it (no file missed, none indexed twice).
public final class Watcher {
    let root: String
    private var fd: Int32 = -1
    private var directories: [Int32: String] = [:]
    /// Paths seen since the last `drain`, reported once.
    private var pending = Set<String>()

    public init(root: URL) {
        self.root = root.standardizedFileURL.path
    }

    deinit {
        if fd >= 0 { close(fd) }
    }

    /// Starts watching every folder under the root. Returns false when inotify is unavailable
    /// (the caller then polls).
    public func start() -> Bool {
        fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard fd >= 0 else { return false }
        var isDir: ObjCBool = false
        let folder = FileManager.default.fileExists(atPath: root, isDirectory: &isDir) && isDir.boolValue
            ? root : (root as NSString).deletingLastPathComponent
        return add(folder, reportFiles: false)
    }

    private static let mask = UInt32(IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_CREATE | IN_MODIFY)

    /// Watches a folder and its subfolders; files already inside a folder created after the
    /// watch started are reported (they may have been written before its watch was added).
    @discardableResult
    private func add(_ folder: String, reportFiles: Bool) -> Bool {
        let wd = inotify_add_watch(fd, folder, Self.mask)
        guard wd >= 0 else { return false }
        directories[wd] = folder
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return true }
        for name in names where !name.hasPrefix(".") {
            let path = folder + "/" + name
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else { continue }
            if isDir.boolValue {
                add(path, reportFiles: reportFiles)
            } else if reportFiles {
                pending.insert(path)
            }
        }
        return true
    }

    /// Waits up to `timeout` seconds for events, then collects until `quiet` seconds pass without
    /// any; returns the changed (or removed) file paths.
    public func next(timeout: TimeInterval, quiet: TimeInterval = 0.3) -> Set<String> {
        var deadline = Date().addingTimeInterval(timeout)
        var sawAny = !pending.isEmpty
        while true {
            let wait = max(0, deadline.timeIntervalSinceNow)
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&pfd, 1, Int32(wait * 1000))
            if ready > 0 {
                readEvents()
                sawAny = sawAny || !pending.isEmpty
                deadline = Date().addingTimeInterval(quiet)
                continue
            }
            if ready < 0 && errno == EINTR { return drain() }
            if sawAny || Date() >= deadline { return drain() }
        }
    }

    private func drain() -> Set<String> {
        defer { pending.removeAll() }
        return pending
    }

    private func readEvents() {
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            guard n > 0 else { return }
            var offset = 0
            buffer.withUnsafeBytes { raw in
                while offset < n {
                    let event = raw.load(fromByteOffset: offset, as: inotify_event.self)
                    let nameStart = offset + MemoryLayout<inotify_event>.size
                    var name = ""
                    if event.len > 0 {
                        let bytes = raw[nameStart..<(nameStart + Int(event.len))].prefix { $0 != 0 }
                        name = String(decoding: bytes, as: UTF8.self)
                    }
                    offset = nameStart + Int(event.len)
                    guard let folder = directories[event.wd], !name.isEmpty, !name.hasPrefix(".") else { continue }
                    let path = folder + "/" + name
                    if event.mask & UInt32(IN_ISDIR) != 0 {
                        if event.mask & UInt32(IN_CREATE | IN_MOVED_TO) != 0 { add(path, reportFiles: true) }
                    } else {
                        pending.insert(path)
                    }
                }
            }
        }
    }
}
