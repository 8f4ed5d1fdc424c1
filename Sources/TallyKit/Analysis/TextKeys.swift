import Foundation

/// Small integer indexes for the distinct texts of a scanned column (model names, say), found
/// from the row's bytes without making a `String` per row (`Database.scan`). Texts are hashed
/// with FNV-1a into an open-addressing table and compared byte for byte, so equal texts always
/// get the same index; a million lookups cost a few milliseconds.
public struct TextKeys {
    /// The texts by index, in order of first appearance; nil stands for NULL.
    public private(set) var texts: [String?] = []
    private var bytes: [[UInt8]?] = []
    private var hashes: [UInt64] = []
    /// Index + 1 of the text in each slot, 0 for an empty slot; the size is a power of two.
    private var slots = [Int32](repeating: 0, count: 64)

    public init() {}

    /// The index of the text (nil: NULL), added when new.
    public mutating func index(_ text: UnsafeBufferPointer<UInt8>?) -> Int {
        // Rows come in runs of one text (a session's model): try the last one first.
        if last < texts.count, Self.same(bytes[last], text) { return last }
        last = lookup(text)
        return last
    }

    private var last = 0

    private static func same(_ known: [UInt8]?, _ given: UnsafeBufferPointer<UInt8>?) -> Bool {
        switch (known, given) {
        case (nil, nil): return true
        case (let known?, let given?) where known.count == given.count:
            return known.withUnsafeBufferPointer { known in
                known.count == 0 || memcmp(known.baseAddress!, given.baseAddress!, known.count) == 0
            }
        default: return false
        }
    }

    private mutating func lookup(_ text: UnsafeBufferPointer<UInt8>?) -> Int {
        var hash: UInt64 = 0
        if let text {
            hash = 0xcbf2_9ce4_8422_2325
            for byte in text {
                hash ^= UInt64(byte)
                hash = hash &* 0x100_0000_01b3
            }
        }
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while slots[slot] != 0 {
            let i = Int(slots[slot]) - 1
            if hashes[i] == hash, Self.same(bytes[i], text) { return i }
            slot = (slot + 1) & mask
        }
        texts.append(text.map { String(decoding: $0, as: UTF8.self) })
        bytes.append(text.map(Array.init))
        hashes.append(hash)
        slots[slot] = Int32(texts.count)
        if texts.count * 2 > slots.count { rehash() }
        return texts.count - 1
    }

    /// Doubles the table.
    private mutating func rehash() {
        slots = [Int32](repeating: 0, count: slots.count * 2)
        let mask = slots.count - 1
        for (i, hash) in hashes.enumerated() {
            var slot = Int(truncatingIfNeeded: hash) & mask
            while slots[slot] != 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(i + 1)
        }
    }
}
