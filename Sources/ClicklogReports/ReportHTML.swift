import ClicklogQuery
import Foundation

/// `index.html` of a report: one self-contained page (inline CSS and SVG, no scripts, no
/// external assets) with a section per saved query: its numbers, their change against the
/// comparison period (`ReportComparison`), and charts.
enum ReportHTML {
    static func page(_ sections: [ReportSection], day: ReportDay) -> String {
        let e = ReportChart.escape
        var html = """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Clicklog report \(day)</title>
            <style>
            body{font:14px/1.45 system-ui,sans-serif;max-width:900px;margin:2em auto;padding:0 1em;color:#222}
            h1{font-size:1.6em}h2{margin-top:2em;border-bottom:1px solid #ddd}table{border-collapse:collapse;margin:.5em 0}
            td,th{padding:.2em .6em;border-bottom:1px solid #eee;text-align:left}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}td.n{white-space:nowrap}
            .up{color:#17803d}.down{color:#b3261e}.muted{color:#777}svg{width:100%;height:auto;font-size:11px}
            svg text{fill:#444}.axis{stroke:#999}.line{fill:none;stroke:#2f6fdf;stroke-width:2}.dot{fill:#2f6fdf}.bar{fill:#2f6fdf}.drop{fill:#b3261e}
            figure{margin:1em 0 1.5em}figcaption{font-weight:600;color:#555;margin-bottom:.3em}details{margin:.5em 0}summary{cursor:pointer;color:#555}
            code{background:#f3f3f3;padding:0 .2em;border-radius:3px}
            </style></head><body>
            <h1>Clicklog report — \(day)</h1>
            <p class="muted">Each section is one saved query run for \(day) (midnight to midnight in the query's zone, UTC by default). Changes are against the previous day, or, where a query sets <code>compare: Nd</code>, against the average day of the N days before (counts divided by N; rates and means over the whole period). Each table's header says which.</p>
            <ul>\(sections.map { "<li><a href=\"#\(e($0.name))\">\(e($0.name))</a></li>" }.joined())</ul>

            """
        for section in sections {
            html += "<section id=\"\(e(section.name))\"><h2>\(e(section.name))</h2>"
            if let description = section.saved.description { html += "<p>\(e(description))</p>" }
            html += "<p class=\"muted\">\(section.saved.query.name) · <a href=\"\(e(section.name)).csv\">CSV</a> · <a href=\"\(e(section.name)).json\">JSON</a></p>"
            html += body(section, day: day)
            html += "</section>\n"
        }
        return html + "</body></html>\n"
    }

    static func body(_ section: ReportSection, day: ReportDay) -> String {
        let c = section.comparison
        switch (section.result, section.previous) {
        case let (r as SessionsResult, p as SessionsResult): return sessions(r, p, c, week: section.week, day: day, name: section.name, tz: section.saved.tz)
        case let (r as FunnelResult, p as FunnelResult): return funnel(r, p, c, name: section.name)
        case let (r as TopResult, p as TopResult): return top(r, p, c, name: section.name)
        case let (r as CountsResult, p as CountsResult): return counts(r, p, c, name: section.name)
        default: return ""
        }
    }

    static func sessions(
        _ r: SessionsResult, _ p: SessionsResult, _ c: ReportComparison, week: SessionsResult?, day: ReportDay, name: String, tz: String?
    ) -> String {
        var html = table(["", "day", c.header, "change"], numeric: [false, true, true, true], rows: [
            ["sessions", count(r.total.sessions), c.cell(p.total.sessions), change(Double(r.total.sessions), c.perDay(p.total.sessions))],
            ["mean duration (s)", decimal(r.total.meanDurationS), decimal(p.total.meanDurationS), change(r.total.meanDurationS, p.total.meanDurationS)],
            ["median duration (s)", decimal(r.total.medianDurationS), decimal(p.total.medianDurationS), change(r.total.medianDurationS, p.total.medianDurationS)],
            ["bounce rate", percent(r.total.bounceRate), percent(p.total.bounceRate), pointsChange(r.total.bounceRate, p.total.bounceRate)],
            ["events per session", decimal(r.total.meanEvents), decimal(p.total.meanEvents), change(r.total.meanEvents, p.total.meanEvents)],
        ])
        html += chart(ReportChart.line(hourly(r), title: "\(name): sessions per hour"),
                      caption: "Sessions per hour of their first event (\(tz ?? "UTC"))")
        if let week {
            let perDay = Dictionary(week.byDay.map { ($0.day, Double($0.stats.sessions)) }, uniquingKeysWith: +)
            let days = (-6...0).map { day.adding(days: $0).description }
            html += chart(ReportChart.line(days.map { ($0, perDay[$0] ?? 0) }, title: "\(name): sessions per day, last 7 days"),
                          caption: "Sessions per day, last 7 days")
        }
        return html
    }

    /// The day's 24 clock hours `00:00` ... `23:00`, 0 for hours without sessions.
    static func hourly(_ r: SessionsResult) -> [(label: String, value: Double)] {
        var perHour = [Double](repeating: 0, count: 24)
        for h in r.byHour {
            if let hour = Int(h.hour.suffix(5).prefix(2)), (0..<24).contains(hour) { perHour[hour] += Double(h.stats.sessions) }
        }
        return perHour.enumerated().map { (String(format: "%02d:00", $0), $1) }
    }

    static func funnel(_ r: FunnelResult, _ p: FunnelResult, _ c: ReportComparison, name: String) -> String {
        let rows = r.steps.enumerated().map { i, s in
            let before = i < p.steps.count ? p.steps[i].count : 0
            let conversion = i < p.steps.count ? p.steps[i].conversion : nil
            return [s.step, count(s.count), percent(s.conversion), percent(s.fromPrevious), c.cell(before), percent(conversion),
                    change(Double(s.count), c.perDay(before))]
        }
        return table(["step", "visitors", "conversion", "from previous", c.header, "conversion, \(c.periodHeader)", "change"],
                     numeric: [false, true, true, true, true, true, true], rows: rows)
            + chart(ReportChart.funnel(r.steps.map { ($0.step, Double($0.count), $0.fromPrevious) }, title: "\(name): visitors per step"),
                    caption: "Visitors per step, with the drop-off from the step before")
    }

    static func top(_ r: TopResult, _ p: TopResult, _ c: ReportComparison, name: String) -> String {
        let previous = Dictionary(p.rows.map { ($0.value, $0.events) }, uniquingKeysWith: { a, _ in a })
        let rows = r.rows.map { row in
            [row.value, count(row.events), count(row.uniqueVisitors), previous[row.value].map(c.cell) ?? "–",
             previous[row.value].map { change(Double(row.events), c.perDay($0)) } ?? "new in list"]
        }
        return table([r.dimension, "events", "unique visitors", c.header, "change"],
                     numeric: [false, true, true, true, true], rows: rows)
            + chart(ReportChart.horizontalBars(r.rows.map { ($0.value, Double($0.events)) }, title: "\(name): events by \(r.dimension)"),
                    caption: "Events by \(r.dimension)")
    }

    static func counts(_ r: CountsResult, _ p: CountsResult, _ c: ReportComparison, name: String) -> String {
        let total = r.rows.reduce(0) { $0 + $1.events }, before = p.rows.reduce(0) { $0 + $1.events }
        var perInterval: [(label: String, value: Double)] = []
        for row in r.rows {
            if perInterval.last?.label == row.interval { perInterval[perInterval.count - 1].value += Double(row.events) }
            else { perInterval.append((row.interval, Double(row.events))) }
        }
        var now: [String: Int] = [:], then: [String: Int] = [:]
        for row in r.rows { now[row.key ?? "(none)", default: 0] += row.events }
        for row in p.rows { then[row.key ?? "(none)", default: 0] += row.events }
        let keys = now.keys.sorted { (now[$0]!, $1) > (now[$1]!, $0) }
        let summary = [["all events", count(total), c.cell(before), change(Double(total), c.perDay(before))]]
            + keys.map { key in
                [key, count(now[key]!), then[key].map(c.cell) ?? "–", then[key].map { change(Double(now[key]!), c.perDay($0)) } ?? "new"]
            }
        let html = table([r.by, "day", c.header, "change"], numeric: [false, true, true, true], rows: summary)
        let unit = r.rows.first.map { $0.interval.count > 10 ? "hour" : "day" } ?? "interval"
        let figure = perInterval.count > 1
            ? chart(ReportChart.line(perInterval.map { ($0.label.count > 10 ? String($0.label.suffix(5)) : $0.label, $0.value) },
                                     title: "\(name): events per \(unit)"),
                    caption: "Events per \(unit)")
            : chart(ReportChart.horizontalBars(keys.map { ($0, Double(now[$0]!)) }, title: "\(name): events by \(r.by)"),
                    caption: "Events by \(r.by)")
        let rows = r.rows.map { row in [row.interval, row.key ?? "", count(row.events)] }
        return html + figure + "<details><summary>All rows</summary>"
            + table(["interval", r.by, "events"], numeric: [false, false, true], rows: rows) + "</details>"
    }

    /// A chart with a visible caption; nothing when the chart is empty.
    static func chart(_ svg: String, caption: String) -> String {
        svg.isEmpty ? "" : "<figure><figcaption>\(ReportChart.escape(caption))</figcaption>\(svg)</figure>"
    }

    // MARK: Cells

    static func table(_ header: [String], numeric: [Bool], rows: [[String]]) -> String {
        let e = ReportChart.escape
        var html = "<table><tr>" + header.enumerated().map { "<th\(numeric[$0] ? " class=\"n\"" : "")>\(e($1))</th>" }.joined() + "</tr>"
        for row in rows {
            html += "<tr>" + row.enumerated().map { i, cell in
                let cls = cell.hasPrefix("+") ? " up" : cell.hasPrefix("−") ? " down" : ""
                return "<td class=\"\(numeric[i] ? "n" : "")\(cls)\">\(e(cell))</td>"
            }.joined() + "</tr>"
        }
        return html + "</table>"
    }

    static func count(_ n: Int) -> String { String(n) }
    static func decimal(_ d: Double?) -> String { d.map { String(format: "%.2f", $0) } ?? "–" }
    static func percent(_ d: Double?) -> String { d.map { String(format: "%.1f%%", $0 * 100) } ?? "–" }

    /// The change of a rate in percentage points, `+0.8 pp`, since a relative change of a rate
    /// (`+3.3%` of 24.6%) reads as the rate's own value; `0` below 0.05 points, `–` without a value.
    static func pointsChange(_ now: Double?, _ before: Double?) -> String {
        guard let now, let before, now.isFinite, before.isFinite else { return "–" }
        let delta = (now - before) * 100
        if abs(delta) < 0.05 { return "0" }
        return (delta > 0 ? "+" : "−") + String(format: "%.1f pp", abs(delta))
    }

    /// `+12 (+3.4%)`, `−5 (−1.0%)`, `0`, or `–` when a side has no value.
    static func change(_ now: Double?, _ before: Double?) -> String {
        guard let now, let before, now.isFinite, before.isFinite else { return "–" }
        let delta = now - before
        if delta == 0 { return "0" }
        let sign = delta > 0 ? "+" : "−"
        let magnitude = abs(delta) == abs(delta).rounded() ? String(Int64(abs(delta))) : String(format: "%.2f", abs(delta))
        guard before != 0 else { return sign + magnitude }
        return "\(sign)\(magnitude) (\(sign)\(String(format: "%.1f", abs(delta / before) * 100))%)"
    }
}
