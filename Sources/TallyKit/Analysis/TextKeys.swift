import Foundation

/// Small integer indexes for the distinct texts of a scanned column (model names, say), found
/// from the row's bytes without making a `String` per row (`Database.scan`). Texts are hashed
/// with FNV-1a and compared byte for byte, so equal texts always get the same index.
public struct TextKeys {
    /// The texts by index, in order of first appearance; nil stands for NULL.
    public private(set) var texts: [String?] = []
    private var buckets: [UInt64: [(bytes: [UInt8]?, index: Int)]] = [:]

    public init() {}

    /// The index of the text (nil: NULL), added when new.
    public mutating func index(_ bytes: UnsafeBufferPointer<UInt8>?) -> Int {
        var hash: UInt64 = 0
        if let bytes {
            hash = 0xcbf2_9ce4_8422_2325
            for byte in bytes {
                hash ^= UInt64(byte)
                hash = hash &* 0x100_0000_01b3
            }
        }
        if let entries = buckets[hash] {
            for entry in entries {
                switch (entry.bytes, bytes) {
                case (nil, nil): return entry.index
                case (let known?, let given?) where known.elementsEqual(given): return entry.index
                default: continue
                }
            }
        }
        texts.append(bytes.map { String(decoding: $0, as: UTF8.self) })
        buckets[hash, default: []].append((bytes.map(Array.init), texts.count - 1))
        return texts.count - 1
    }
}
