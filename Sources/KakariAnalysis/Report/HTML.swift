import Foundation

/// The report as one self-contained, printable HTML page: inline CSS and SVG only, no
/// scripts, no fonts or images from anywhere (ward networks are closed).
public enum HTML {
    /// Escapes text for HTML content and attribute values.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for c in text {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }

    static let style = """
    body { font-family: "Noto Sans CJK JP", "Hiragino Sans", "Yu Gothic", "Meiryo", sans-serif; margin: 24px; color: #222; }
    h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 18px; margin: 28px 0 8px; border-bottom: 2px solid #ccc; }
    h3 { font-size: 15px; margin: 18px 0 6px; } .asof { color: #555; margin: 0 0 12px; }
    table { border-collapse: collapse; font-size: 13px; } th, td { border: 1px solid #ccc; padding: 3px 8px; }
    th { background: #f2f2f2; text-align: left; } td.n { text-align: right; font-variant-numeric: tabular-nums; }
    .diagram { max-width: 100%; height: auto; } .diagram text.label { font-size: 13px; } .diagram text.long { font-size: 10.5px; } .diagram text.count { font-size: 13px; font-weight: bold; }
    .bar { display: inline-block; height: 14px; background: #e68a2e; vertical-align: middle; }
    .bar.final { background: #5b9b5b; } .weeks td { min-width: 28px; }
    .in { color: #b35c00; } .out { color: #2f6f2f; } .overdue { color: #b00020; font-weight: bold; }
    section { page-break-inside: avoid; } @media print { body { margin: 8mm; } h2 { page-break-after: avoid; } }
    """

    /// The whole page.
    public static func page(_ report: StatusReport, title: String) -> String {
        let fmt = DateFormatter()
        fmt.locale = Locale(identifier: "ja_JP_POSIX")
        fmt.timeZone = report.calendar.timeZone
        fmt.dateFormat = "yyyy-MM-dd HH:mm"
        let day = DateFormatter()
        day.locale = fmt.locale
        day.timeZone = fmt.timeZone
        day.dateFormat = "M/d"
        var out = ["<!DOCTYPE html>", "<html lang=\"ja\"><head><meta charset=\"utf-8\">",
                   "<meta name=\"viewport\" content=\"width=device-width\"><title>\(escape(title))</title>",
                   "<style>\n\(style)\n</style></head><body>",
                   "<h1>\(escape(title))</h1>", "<p class=\"asof\">\(escape(fmt.string(from: report.now))) 現在 (as of)</p>"]
        for part in report.workflows {
            let d = part.definition
            out.append("<section class=\"workflow\" data-workflow=\"\(escape(d.name))\" data-total=\"\(part.total)\">")
            out.append("<h2>\(escape(d.label)) <small>(\(escape(d.name)), \(part.total) 件)</small></h2>")
            out.append(StateDiagram(d).svg(counts: part.current))
            out.append("<h3>ファネル: 到達した案件数 (funnel: cases that reached each state)</h3><table class=\"funnel\">")
            let diagram = StateDiagram(d)
            let ordered = d.states.sorted { a, b in
                let pa = diagram.positions[a.name] ?? (0, 0), pb = diagram.positions[b.name] ?? (0, 0)
                return (pa.column, pa.row) < (pb.column, pb.row)
            }
            for s in ordered {
                let n = part.entered[s.name] ?? 0
                let width = Int((Double(n) / Double(max(part.total, 1)) * 320).rounded())
                out.append("<tr data-state=\"\(escape(s.name))\" data-entered=\"\(n)\"><th>\(escape(s.label))</th><td class=\"n\">\(n)</td>"
                    + "<td><span class=\"bar\(s.isFinal ? " final" : "")\" style=\"width:\(width)px\"></span></td></tr>")
            }
            out.append("</table>")
            out.append(weekly(part, report: report, day: day))
            out.append("</section>")
        }
        out.append("<section><h2>係ごとのタスク (open and overdue tasks per section)</h2><table class=\"sections\"><tr><th>係</th><th>未完了</th><th>期限超過</th></tr>")
        for s in report.sections {
            out.append("<tr data-section=\"\(escape(s.section))\" data-open=\"\(s.open)\" data-overdue=\"\(s.overdue)\"><th>\(escape(s.label))</th>"
                + "<td class=\"n\">\(s.open)</td><td class=\"n\(s.overdue > 0 ? " overdue" : "")\">\(s.overdue)</td></tr>")
        }
        out.append("</table></section>")
        out.append("<section><h2>待ち時間の長い案件 (the oldest waiting cases)</h2><table class=\"oldest\"><tr><th>案件</th><th>ワークフロー</th><th>状態</th><th>いつから</th><th>日数</th></tr>")
        for c in report.oldest {
            let days = Int(report.now.timeIntervalSince(c.since) / 86_400)
            out.append("<tr data-case=\"\(escape(c.id))\"><td>\(escape(c.id))</td><td>\(escape(c.workflow))</td><td>\(escape(c.label))</td>"
                + "<td>\(escape(fmt.string(from: c.since)))</td><td class=\"n\">\(days)</td></tr>")
        }
        out.append("</table></section></body></html>")
        return out.joined(separator: "\n") + "\n"
    }

    /// Cases entering (+) and leaving (−) each state per week; the last 12 weeks at most.
    private static func weekly(_ part: StatusReport.WorkflowPart, report: StatusReport, day: DateFormatter) -> String {
        let shown = max(0, part.weeks - 12)..<part.weeks
        var out = ["<h3>週ごとの出入り (cases entering + / leaving − each state per week)</h3><table class=\"weeks\"><tr><th>状態</th>"]
        for w in shown { out.append("<th>\(day.string(from: report.firstWeek.addingTimeInterval(Double(w) * 7 * 86_400)))〜</th>") }
        out.append("</tr>")
        for s in part.definition.states where part.entered[s.name] != nil {
            var row = "<tr data-state=\"\(escape(s.name))\"><th>\(escape(s.label))</th>"
            for w in shown {
                let i = part.weeklyIn[s.name]?[w] ?? 0, o = part.weeklyOut[s.name]?[w] ?? 0
                row += "<td class=\"n\">" + (i > 0 ? "<span class=\"in\">+\(i)</span> " : "") + (o > 0 ? "<span class=\"out\">−\(o)</span>" : "") + "</td>"
            }
            out.append(row + "</tr>")
        }
        out.append("</table>")
        return out.joined()
    }
}
