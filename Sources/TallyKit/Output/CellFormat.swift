import Foundation

/// How one cell reads, decided by its column's type. Every renderer goes through here, so a
/// `money` cell is `$1,234.50` in every human format and `1234.5` in every machine format.
///
/// A value that does not fit its column's type (text in a `money` column, say) is shown the
/// way an `any` column would show it rather than dropped.
extension Column {
    /// The cell for people (`table`, `markdown`, `line`, charts); nil for NULL.
    public func displayText(_ value: Value) -> String? {
        if value.isNull { return nil }
        switch type {
        case .tokens, .integer:
            if let n = exactInteger(value) { return NumberFormat.grouped(n) }
        case .money:
            if let d = numericDecimal(value) { return NumberFormat.money(d) }
        case .percent:
            if let d = numericDecimal(value) { return NumberFormat.percent(d) }
        case .real:
            if let text = realText(value) { return text }
        case .timestamp:
            if let text = timestampText(value) { return text }
        case .bool:
            if let b = boolValue(value) { return b ? "true" : "false" }
        case .text, .date:
            if case .blob = value { break }
            return exportText(value)  // as is: a year 2026 in a date column is not "2,026"
        case .any:
            break
        }
        return anyDisplayText(value)
    }

    /// The cell for machines (`csv`, `tsv`): plain full-precision numbers, ISO timestamps,
    /// `true`/`false`, blobs in base64; nil for NULL.
    public func exportText(_ value: Value) -> String? {
        switch value {
        case .null: return nil
        case .blob(let data): return data.base64EncodedString()
        default: break
        }
        if let number = exportNumber(value) { return number }
        switch type {
        case .timestamp:
            if let text = timestampText(value) { return text }
        case .bool:
            if let b = boolValue(value) { return b ? "true" : "false" }
        default:
            break
        }
        switch value {
        case .integer(let i): return String(i)
        case .real(let d): return NumberFormat.shortest(d)
        case .decimal(let d): return NumberFormat.plain(d)
        case .text(let s): return s
        case .null, .blob: return nil
        }
    }

    /// A numeric-typed cell as a machine number that is also valid JSON: integers for tokens and
    /// integers, exact decimal digits for money and percent (`0.006275`), the shortest
    /// round-tripping text for reals; nil when the cell is not a number (or not finite).
    func exportNumber(_ value: Value) -> String? {
        switch type {
        case .tokens, .integer:
            if let n = exactInteger(value) { return String(n) }
            return numericDecimal(value).map(NumberFormat.plain)
        case .money, .percent:
            return numericDecimal(value).map(NumberFormat.plain)
        case .real:
            if case .real(let d) = value { return NumberFormat.shortest(d) }
            return numericDecimal(value).map(NumberFormat.plain)
        default:
            return nil
        }
    }

    /// Whether `table` right-aligns this column: numeric types, and `any` columns whose
    /// non-NULL cells are all numbers.
    func isRightAligned(in rows: [[Value]], at index: Int) -> Bool {
        if type.isNumeric { return true }
        guard type == .any else { return false }
        return rows.allSatisfy { row in
            switch row[index] {
            case .integer, .real, .decimal, .null: return true
            case .text, .blob: return false
            }
        }
    }

    // MARK: - Per type

    /// Integers in an `any` column are grouped unless the column names an identifier.
    private var isIdentifier: Bool { name == "id" || name.hasSuffix("_id") }

    private func anyDisplayText(_ value: Value) -> String? {
        switch value {
        case .null: return nil
        case .integer(let i): return isIdentifier ? String(i) : NumberFormat.grouped(i)
        case .real(let d): return NumberFormat.real(d)
        case .decimal(let d): return NumberFormat.real(d)
        case .text(let s): return s
        case .blob(let b): return "x'" + b.map { hexByte($0) }.joined() + "'"
        }
    }

    /// Integer-valued cells of any storage class (`3`, `3.0`, `"3"`).
    private func exactInteger(_ value: Value) -> Int64? {
        switch value {
        case .integer(let i): return i
        case .real(let d): return d.rounded() == d && abs(d) < 9.2e18 ? Int64(d) : nil
        case .decimal(let d): return d == d.rounded0 ? Int64(d.description) : nil
        case .text(let s): return Int64(s)
        case .null, .blob: return nil
        }
    }

    /// The exact decimal of a number, or of text that is wholly a number (`"1.5"`, not `"1.5x"`).
    private func numericDecimal(_ value: Value) -> Decimal? {
        switch value {
        case .text(let s): return Double(s) == nil ? nil : value.decimalValue
        case .blob: return nil
        default: return value.decimalValue
        }
    }

    private func realText(_ value: Value) -> String? {
        switch value {
        case .integer(let i): return NumberFormat.grouped(i)
        case .real(let d): return NumberFormat.real(d)
        case .decimal(let d): return NumberFormat.real(d)
        case .text(let s): return Double(s).map(NumberFormat.real)
        case .null, .blob: return nil
        }
    }

    /// Integers are epoch milliseconds, reals and decimals epoch seconds, text is kept as given.
    private func timestampText(_ value: Value) -> String? {
        switch value {
        case .integer(let ms): return TimestampFormat.iso8601(epochMilliseconds: ms)
        case .real(let s): return TimestampFormat.iso8601(epochSeconds: s)
        case .decimal(let d): return TimestampFormat.iso8601(epochSeconds: NSDecimalNumber(decimal: d).doubleValue)
        case .text(let s): return s
        case .null, .blob: return nil
        }
    }

    func boolValue(_ value: Value) -> Bool? {
        switch value {
        case .integer(let i): return i != 0
        case .real(let d): return d != 0
        case .decimal(let d): return d != 0
        case .text(let s):
            switch s.lowercased() {
            case "true", "t", "yes", "1": return true
            case "false", "f", "no", "0": return false
            default: return nil
            }
        case .null, .blob: return nil
        }
    }

    private func hexByte(_ byte: UInt8) -> String {
        let digits = Array("0123456789abcdef")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 0xF)]])
    }
}

extension Decimal {
    /// The value rounded to an integer (used to tell integral decimals apart).
    fileprivate var rounded0: Decimal {
        var input = self
        var out = Decimal()
        NSDecimalRound(&out, &input, 0, .plain)
        return out
    }
}
