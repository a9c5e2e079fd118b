import Foundation

/// Inline SVG charts for the report page: no scripts, no external assets, sized in the SVG's
/// own units so the page scales them.
enum ReportChart {
    static let width = 640.0

    /// A line through `points` in order, with the maximum on the y axis and every label (or
    /// every n-th when there are many) under the x axis.
    static func line(_ points: [(label: String, value: Double)], title: String) -> String {
        guard !points.isEmpty else { return "" }
        // Wide enough on the right for half the last x label, centred on the last point
        // (about 6.5 units per character at the page's font size), so it is never clipped.
        let lastLabel = Double(points.last?.label.count ?? 0)
        let height = 220.0, left = 48.0, right = max(16.0, lastLabel * 3.4 + 4), top = 16.0, bottom = 36.0
        let maxValue = max(points.map(\.value).max() ?? 0, 1)
        let step = points.count > 1 ? (width - left - right) / Double(points.count - 1) : 0
        func x(_ i: Int) -> Double { points.count > 1 ? left + Double(i) * step : (width - left - right) / 2 + left }
        func y(_ v: Double) -> Double { top + (height - top - bottom) * (1 - v / maxValue) }
        var svg = header(height: height, title: title)
        svg += "<line x1=\"\(f(left))\" y1=\"\(f(height - bottom))\" x2=\"\(f(width - right))\" y2=\"\(f(height - bottom))\" class=\"axis\"/>"
        svg += "<text x=\"\(f(left - 6))\" y=\"\(f(top + 4))\" text-anchor=\"end\">\(number(maxValue))</text>"
        svg += "<text x=\"\(f(left - 6))\" y=\"\(f(height - bottom))\" text-anchor=\"end\">0</text>"
        let path = points.indices.map { "\(f(x($0))),\(f(y(points[$0].value)))" }.joined(separator: " ")
        svg += "<polyline points=\"\(path)\" class=\"line\"/>"
        let every = max(1, Int((Double(points.count) / 8).rounded(.up)))
        for (i, p) in points.enumerated() {
            svg += "<circle cx=\"\(f(x(i)))\" cy=\"\(f(y(p.value)))\" r=\"3\" class=\"dot\"><title>\(escape(p.label)): \(number(p.value))</title></circle>"
            if i % every == 0 || i == points.count - 1 {
                svg += "<text x=\"\(f(x(i)))\" y=\"\(f(height - bottom + 16))\" text-anchor=\"middle\">\(escape(p.label))</text>"
            }
        }
        return svg + "</svg>"
    }

    /// One horizontal bar per item, longest first as given, value at the bar's end.
    static func horizontalBars(_ items: [(label: String, value: Double)], title: String) -> String {
        guard !items.isEmpty else { return "" }
        let rowHeight = 22.0, labelWidth = 240.0, right = 64.0
        let height = Double(items.count) * rowHeight + 8
        let maxValue = max(items.map(\.value).max() ?? 0, 1)
        var svg = header(height: height, title: title)
        for (i, item) in items.enumerated() {
            let y = 4 + Double(i) * rowHeight
            let length = (width - labelWidth - right) * item.value / maxValue
            let label = item.label.count > 36 ? String(item.label.prefix(35)) + "…" : item.label
            svg += "<text x=\"\(f(labelWidth - 6))\" y=\"\(f(y + 15))\" text-anchor=\"end\"><title>\(escape(item.label))</title>\(escape(label))</text>"
            svg += "<rect x=\"\(f(labelWidth))\" y=\"\(f(y + 3))\" width=\"\(f(length))\" height=\"\(f(rowHeight - 6))\" class=\"bar\"/>"
            svg += "<text x=\"\(f(labelWidth + length + 4))\" y=\"\(f(y + 15))\">\(number(item.value))</text>"
        }
        return svg + "</svg>"
    }

    /// A funnel: one vertical bar per step, with the share kept from the previous step (and so
    /// the drop-off) written between bars.
    static func funnel(_ steps: [(label: String, count: Double, fromPrevious: Double?)], title: String) -> String {
        guard !steps.isEmpty else { return "" }
        let height = 240.0, top = 20.0, bottom = 44.0
        let slot = width / Double(steps.count)
        let maxValue = max(steps.map(\.count).max() ?? 0, 1)
        var svg = header(height: height, title: title)
        for (i, s) in steps.enumerated() {
            let barHeight = (height - top - bottom) * s.count / maxValue
            let x = Double(i) * slot + slot * 0.2
            svg += "<rect x=\"\(f(x))\" y=\"\(f(height - bottom - barHeight))\" width=\"\(f(slot * 0.6))\" height=\"\(f(barHeight))\" class=\"bar\"/>"
            svg += "<text x=\"\(f(x + slot * 0.3))\" y=\"\(f(height - bottom - barHeight - 4))\" text-anchor=\"middle\">\(number(s.count))</text>"
            let label = s.label.count > 24 ? String(s.label.prefix(23)) + "…" : s.label
            svg += "<text x=\"\(f(x + slot * 0.3))\" y=\"\(f(height - bottom + 16))\" text-anchor=\"middle\"><title>\(escape(s.label))</title>\(escape(label))</text>"
            if i > 0, let kept = s.fromPrevious {
                svg += "<text x=\"\(f(Double(i) * slot))\" y=\"\(f(height - bottom + 34))\" text-anchor=\"middle\" class=\"drop\">−\(String(format: "%.1f", (1 - kept) * 100))%</text>"
            }
        }
        return svg + "</svg>"
    }

    private static func header(height: Double, title: String) -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(f(width)) \(f(height))\" role=\"img\" aria-label=\"\(escape(title))\"><title>\(escape(title))</title>"
    }

    private static func f(_ d: Double) -> String { String(format: "%.1f", d) }

    static func number(_ d: Double) -> String {
        d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(format: "%.2f", d)
    }

    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for c in text {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(c)
            }
        }
        return out
    }
}
