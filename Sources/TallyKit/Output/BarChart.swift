/// The chart drawn under a `table`: horizontal bars, or a one-line sparkline.
///
/// Bars: one line per shown row, the label right-aligned to the widest label, a bar of `█` with
/// an eighth-block partial (`▏▎▍▌▋▊▉`) scaled so the largest value is 40 cells, then the value
/// as the table shows it. NULL, zero and negative values draw no bar; a positive value too small
/// for an eighth still draws `▏` so it is not mistaken for zero.
///
/// ```
///  gpt-5 ████████████████████████████████████████ $12.40
/// sonnet ██████████████▌ $4.50
/// ```
enum BarChart {
    /// Cells taken by the bar of the largest value.
    static let barWidth = 40
    static let partials: [Character] = ["▏", "▎", "▍", "▌", "▋", "▊", "▉"]
    static let ticks: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]

    /// The chart's lines, or none when its columns are not in the result.
    static func lines(_ chart: Chart, result: ResultSet, rows: [[Value]]) -> [String] {
        guard let labelIndex = result.index(of: chart.labelColumn),
            let valueIndex = result.index(of: chart.valueColumn)
        else { return [] }
        let valueColumn = result.columns[valueIndex]
        let values = rows.map { row -> Double? in
            result.cell(row, valueIndex).doubleValue.flatMap { $0.isFinite ? $0 : nil }
        }
        let shown = rows.map { TableRenderer.escape(valueColumn.displayText(result.cell($0, valueIndex)) ?? "") }
        switch chart.kind {
        case .bar:
            let labelColumn = result.columns[labelIndex]
            let labels = rows.map { TableRenderer.escape(labelColumn.displayText(result.cell($0, labelIndex)) ?? "") }
            let labelWidth = labels.map(DisplayWidth.of).max() ?? 0
            let largest = values.compactMap { $0 }.filter { $0 > 0 }.max()
            return rows.indices.map { i in
                let bar = largest.map { self.bar(values[i] ?? 0, largest: $0) } ?? ""
                let parts = [DisplayWidth.pad(labels[i], to: labelWidth, right: true), bar, shown[i]]
                return parts.filter { !$0.isEmpty }.joined(separator: " ")
            }
        case .sparkline:
            return [sparkline(values, name: valueColumn.name, shown: shown)]
        }
    }

    /// The bar for `value` when `largest` is 40 cells wide.
    static func bar(_ value: Double, largest: Double) -> String {
        guard value > 0, largest > 0 else { return "" }
        let eighths = max(1, Int((value / largest * Double(barWidth * 8)).rounded()))
        let partial = eighths % 8 == 0 ? "" : String(partials[eighths % 8 - 1])
        return String(repeating: "█", count: eighths / 8) + partial
    }

    /// `cost_usd ▁▃█▅  min $0.00  max $9.50`: one tick per row, NULL as a space.
    static func sparkline(_ values: [Double?], name: String, shown: [String]) -> String {
        let present = values.indices.filter { values[$0] != nil }
        guard let low = present.min(by: { values[$0]! < values[$1]! }),
            let high = present.max(by: { values[$0]! < values[$1]! })
        else { return name }
        let (minimum, maximum) = (values[low]!, values[high]!)
        let line = String(values.map { value -> Character in
            guard let value else { return " " }
            guard maximum > minimum else { return ticks[3] }
            return ticks[Int(((value - minimum) / (maximum - minimum) * 7).rounded())]
        })
        return "\(name) \(line)  min \(shown[low])  max \(shown[high])"
    }
}
