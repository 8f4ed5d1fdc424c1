/// FNV-1a 64 of UTF-8 text: a fixed, documented hash, the same on every platform and run
/// (Swift's `Hasher` is seeded per process). Used where a stable name or key is derived from
/// text: event keys without an id, history file names.
public enum FNV1a64 {
    public static func hash(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return hash
    }

    /// 16 lowercase hex digits.
    public static func hex(_ digest: UInt64) -> String {
        String(digest, radix: 16).leftPadded(to: 16)
    }

    public static func hex(_ text: String) -> String { hex(hash(text)) }
}
