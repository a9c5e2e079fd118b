import ClicklogQuery
import Foundation

/// `index.html` of a report: one self-contained page (inline CSS and SVG, no scripts, no
/// external assets) with a section per saved query: its numbers, their change against the
/// previous day, and a chart.
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
            td,th{padding:.2em .6em;border-bottom:1px solid #eee;text-align:left}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
            .up{color:#17803d}.down{color:#b3261e}.muted{color:#777}svg{width:100%;height:auto;font-size:11px}
            svg text{fill:#444}.axis{stroke:#999}.line{fill:none;stroke:#2f6fdf;stroke-width:2}.dot{fill:#2f6fdf}.bar{fill:#2f6fdf}.drop{fill:#b3261e}
            </style></head><body>
            <h1>Clicklog report — \(day)</h1>
            <p class="muted">Each section is one saved query run for \(day) (midnight to midnight in the query's zone, UTC by default); changes are against \(day.adding(days: -1)).</p>
            <ul>\(sections.map { "<li><a href=\"#\(e($0.name))\">\(e($0.name))</a></li>" }.joined())</ul>

            """
        for section in sections {
            html += "<section id=\"\(e(section.name))\"><h2>\(e(section.name))</h2>"
            if let description = section.saved.description { html += "<p>\(e(description))</p>" }
            html += "<p class=\"muted\">\(section.saved.query.name) · <a href=\"\(e(section.name)).csv\">CSV</a> · <a href=\"\(e(section.name)).json\">JSON</a></p>"
            html += body(section)
            html += "</section>\n"
        }
        return html + "</body></html>\n"
    }

    static func body(_ section: ReportSection) -> String {
        switch (section.result, section.previous) {
        case let (r as SessionsResult, p as SessionsResult): sessions(r, p, week: section.week, name: section.name)
        case let (r as FunnelResult, p as FunnelResult): funnel(r, p, name: section.name)
        case let (r as TopResult, p as TopResult): top(r, p, name: section.name)
        case let (r as CountsResult, p as CountsResult): counts(r, p, name: section.name)
        default: ""
        }
    }

    static func sessions(_ r: SessionsResult, _ p: SessionsResult, week: SessionsResult?, name: String) -> String {
        var html = table(["", "day", "previous day", "change"], numeric: [false, true, true, true], rows: [
            ["sessions", count(r.total.sessions), count(p.total.sessions), change(Double(r.total.sessions), Double(p.total.sessions))],
            ["mean duration (s)", decimal(r.total.meanDurationS), decimal(p.total.meanDurationS), change(r.total.meanDurationS, p.total.meanDurationS)],
            ["median duration (s)", decimal(r.total.medianDurationS), decimal(p.total.medianDurationS), change(r.total.medianDurationS, p.total.medianDurationS)],
            ["bounce rate", percent(r.total.bounceRate), percent(p.total.bounceRate), change(r.total.bounceRate, p.total.bounceRate)],
            ["events per session", decimal(r.total.meanEvents), decimal(p.total.meanEvents), change(r.total.meanEvents, p.total.meanEvents)],
        ])
        if let week {
            html += ReportChart.line(week.byDay.map { ($0.day, Double($0.stats.sessions)) }, title: "\(name): sessions per day, last 7 days")
        }
        return html
    }

    static func funnel(_ r: FunnelResult, _ p: FunnelResult, name: String) -> String {
        let rows = r.steps.enumerated().map { i, s in
            let before = i < p.steps.count ? p.steps[i].count : 0
            return [s.step, count(s.count), percent(s.conversion), percent(s.fromPrevious), count(before), change(Double(s.count), Double(before))]
        }
        return table(["step", "visitors", "conversion", "from previous", "previous day", "change"],
                     numeric: [false, true, true, true, true, true], rows: rows)
            + ReportChart.funnel(r.steps.map { ($0.step, Double($0.count), $0.fromPrevious) }, title: "\(name): visitors per step")
    }

    static func top(_ r: TopResult, _ p: TopResult, name: String) -> String {
        let previous = Dictionary(p.rows.map { ($0.value, $0.events) }, uniquingKeysWith: { a, _ in a })
        let rows = r.rows.map { row in
            [row.value, count(row.events), count(row.uniqueVisitors), previous[row.value].map(count) ?? "–",
             previous[row.value].map { change(Double(row.events), Double($0)) } ?? "new in list"]
        }
        return table([r.dimension, "events", "unique visitors", "previous day", "change"],
                     numeric: [false, true, true, true, true], rows: rows)
            + ReportChart.horizontalBars(r.rows.map { ($0.value, Double($0.events)) }, title: "\(name): events by \(r.dimension)")
    }

    static func counts(_ r: CountsResult, _ p: CountsResult, name: String) -> String {
        let total = r.rows.reduce(0) { $0 + $1.events }, before = p.rows.reduce(0) { $0 + $1.events }
        var perInterval: [(label: String, value: Double)] = []
        for row in r.rows {
            if perInterval.last?.label == row.interval { perInterval[perInterval.count - 1].value += Double(row.events) }
            else { perInterval.append((row.interval, Double(row.events))) }
        }
        var byKey: [String: Int] = [:]
        for row in p.rows { byKey[row.key ?? "", default: 0] += row.events }
        let html = table(["", "day", "previous day", "change"], numeric: [false, true, true, true],
                         rows: [["events", count(total), count(before), change(Double(total), Double(before))]])
        let rows = r.rows.map { row in [row.interval, row.key ?? "", count(row.events)] }
        let chart = perInterval.count > 1
            ? ReportChart.line(perInterval, title: "\(name): events per \(r.rows.first.map { $0.interval.count > 10 ? "hour" : "day" } ?? "interval")")
            : ReportChart.horizontalBars(r.rows.map { ($0.key ?? "(none)", Double($0.events)) }, title: "\(name): events by \(r.by)")
        return html + chart + table(["interval", r.by, "events"], numeric: [false, false, true], rows: rows)
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
