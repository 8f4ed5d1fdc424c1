import Foundation

/// A result's chart as a standalone SVG image, for notebooks: the same chart the terminal
/// draws under a table (`BarChart`), with the same labels and values as the table shows them.
///
/// The output depends only on the result — fixed sizes, a monospace font, coordinates with one
/// decimal — so re-running a notebook rewrites the same bytes.
public enum SVGChart {
    static let font = 12.0
    /// Width of one character of the monospace font at that size, for layout.
    static let charWidth = 7.2
    static let rowHeight = 20.0
    static let barHeight = 14.0
    static let barWidth = 400.0
    static let margin = 8.0
    static let barColour = "#4c78a8"

    /// The SVG text, or nil when the chart's columns are not in the result or it has no rows.
    public static func render(_ chart: Chart, result: ResultSet) -> String? {
        guard let labelIndex = result.index(of: chart.labelColumn), let valueIndex = result.index(of: chart.valueColumn),
            !result.rows.isEmpty
        else { return nil }
        let labelColumn = result.columns[labelIndex], valueColumn = result.columns[valueIndex]
        let labels = result.rows.map { labelColumn.displayText(result.cell($0, labelIndex)) ?? "" }
        let shown = result.rows.map { valueColumn.displayText(result.cell($0, valueIndex)) ?? "" }
        let values = result.rows.map { row -> Double in
            let v = result.cell(row, valueIndex).doubleValue ?? 0
            return v.isFinite && v > 0 ? v : 0
        }
        let title = title(chart)
        switch chart.kind {
        case .bar: return bars(title: title, labels: labels, shown: shown, values: values)
        case .sparkline: return columns(title: title, labels: labels, shown: shown, values: values)
        }
    }

    /// `cost_usd by period`: the image's title and the link text in notebooks.
    public static func title(_ chart: Chart) -> String { "\(chart.valueColumn) by \(chart.labelColumn)" }

    /// Horizontal bars: label, bar, value — one row per result row.
    static func bars(title: String, labels: [String], shown: [String], values: [Double]) -> String {
        let labelWidth = Double(labels.map(DisplayWidth.of).max() ?? 0) * charWidth
        let valueWidth = Double(shown.map(DisplayWidth.of).max() ?? 0) * charWidth
        let largest = values.max() ?? 0
        let width = margin + labelWidth + margin + barWidth + margin + valueWidth + margin
        let top = margin + rowHeight
        let height = top + Double(values.count) * rowHeight + margin
        var body: [String] = []
        body.append(text(title, x: margin, y: margin + font, anchor: nil, bold: true))
        for i in values.indices {
            let y = top + Double(i) * rowHeight
            let baseline = y + (rowHeight + font) / 2 - 2
            let barX = margin + labelWidth + margin
            let length = largest > 0 ? values[i] / largest * barWidth : 0
            body.append(text(labels[i], x: margin + labelWidth, y: baseline, anchor: "end"))
            if length > 0 {
                body.append(
                    "<rect x=\"\(n(barX))\" y=\"\(n(y + (rowHeight - barHeight) / 2))\" width=\"\(n(max(length, 1)))\" height=\"\(n(barHeight))\" fill=\"\(barColour)\"/>")
            }
            body.append(text(shown[i], x: barX + max(length, 0) + margin, y: baseline, anchor: nil))
        }
        return document(title: title, width: width, height: height, body: body)
    }

    /// A column per row, for sparkline charts: the first and last labels under the columns and
    /// the smallest and largest values in the title.
    static func columns(title: String, labels: [String], shown: [String], values: [Double]) -> String {
        let columnWidth = 12.0, gap = 2.0, plotHeight = 80.0
        let largest = values.max() ?? 0
        let plotWidth = Double(values.count) * (columnWidth + gap)
        let caption = "\(title)  min \(shown[values.indices.min(by: { values[$0] < values[$1] })!])  max \(shown[values.indices.max(by: { values[$0] < values[$1] })!])"
        let width = max(margin * 2 + plotWidth, margin * 2 + Double(caption.count) * charWidth)
        let top = margin + rowHeight
        let height = top + plotHeight + rowHeight + margin
        var body = [text(caption, x: margin, y: margin + font, anchor: nil, bold: true)]
        for i in values.indices {
            let h = largest > 0 ? values[i] / largest * plotHeight : 0
            guard h > 0 else { continue }
            let x = margin + Double(i) * (columnWidth + gap)
            body.append(
                "<rect x=\"\(n(x))\" y=\"\(n(top + plotHeight - h))\" width=\"\(n(columnWidth))\" height=\"\(n(max(h, 1)))\" fill=\"\(barColour)\"/>")
        }
        let labelY = top + plotHeight + font + 2
        body.append(text(labels.first ?? "", x: margin, y: labelY, anchor: nil))
        if labels.count > 1 { body.append(text(labels.last ?? "", x: margin + plotWidth - gap, y: labelY, anchor: "end")) }
        return document(title: title, width: width, height: height, body: body)
    }

    static func document(title: String, width: Double, height: Double, body: [String]) -> String {
        var lines = [
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(n(width))\" height=\"\(n(height))\" viewBox=\"0 0 \(n(width)) \(n(height))\" font-family=\"ui-monospace, Menlo, Consolas, monospace\" font-size=\"\(n(font))\">",
            "<title>\(escape(title))</title>",
            "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>",
        ]
        lines += body
        lines.append("</svg>")
        return lines.joined(separator: "\n") + "\n"
    }

    static func text(_ s: String, x: Double, y: Double, anchor: String?, bold: Bool = false) -> String {
        var attributes = "x=\"\(n(x))\" y=\"\(n(y))\""
        if let anchor { attributes += " text-anchor=\"\(anchor)\"" }
        if bold { attributes += " font-weight=\"bold\"" }
        return "<text \(attributes) fill=\"#222222\">\(escape(s))</text>"
    }

    /// A coordinate with at most one decimal, always written the same way.
    static func n(_ value: Double) -> String {
        let tenths = (value * 10).rounded()
        let whole = Int(tenths) / 10, fraction = abs(Int(tenths) % 10)
        if fraction == 0 { return String(whole) }
        return (tenths < 0 && whole == 0 ? "-" : "") + "\(whole).\(fraction)"
    }

    static func escape(_ s: String) -> String {
        var out = ""
        for c in s.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case _ where c.value < 0x20: out += " "
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }
}
