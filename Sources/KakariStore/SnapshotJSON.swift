import Foundation
import KakariCore

/// Writes a case snapshot as JSON by hand.
///
/// Every transition stores its case's snapshot, and Foundation's `JSONEncoder` was 30–40% of
/// the time of an import or a daemon run (measured with `perf` on `kakari cases import`); this
/// writer does the same job in a fraction of that. Its output decodes with `JSONDecoder` into
/// the same snapshot (a test pins the round trip).
public enum SnapshotJSON {
    public static func encode(_ s: CaseSnapshot) -> String {
        var out = "{"
        out.reserveCapacity(512)
        key("data", &out)
        out += "{"
        var first = true
        for name in s.data.keys.sorted() {
            if !first { out += "," }
            first = false
            string(name, &out)
            out += ":"
            value(s.data[name]!, &out)
        }
        out += "},"
        key("enteredAt", &out); out += number(s.enteredAt.timeIntervalSince1970) + ","
        key("finished", &out); out += s.finished ? "true," : "false,"
        key("id", &out); string(s.id, &out); out += ","
        key("openTasks", &out)
        out += "["
        for (i, t) in s.openTasks.enumerated() {
            if i > 0 { out += "," }
            out += "{\"event\":"; string(t.event, &out)
            out += ",\"key\":"; string(t.key, &out)
            out += ",\"kind\":"; string(t.kind, &out)
            out += "}"
        }
        out += "],"
        if let parent = s.parent { key("parent", &out); string(parent, &out); out += "," }
        if let result = s.result { key("result", &out); string(result, &out); out += "," }
        key("sequence", &out); out += String(s.sequence) + ","
        key("state", &out); string(s.state, &out); out += ","
        key("timers", &out)
        out += "{"
        for (i, name) in s.timers.keys.sorted().enumerated() {
            if i > 0 { out += "," }
            string(name, &out)
            out += ":" + number(s.timers[name]!.timeIntervalSince1970)
        }
        out += "},"
        key("version", &out); out += String(s.version)
        if let waiting = s.waitingFor { out += ","; key("waitingFor", &out); string(waiting, &out) }
        out += ","
        key("workflow", &out); string(s.workflow, &out)
        out += "}"
        return out
    }

    private static func key(_ name: String, _ out: inout String) {
        out += "\"" + name + "\":"
    }

    private static func number(_ d: Double) -> String {
        d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : "\(d)"
    }

    static func value(_ v: Value, _ out: inout String) {
        switch v {
        case .null: out += "null"
        case .string(let s): string(s, &out)
        case .int(let i): out += String(i)
        case .bool(let b): out += b ? "true" : "false"
        case .date(let d): out += "{\"$date\":\"\(d.description)\"}"
        case .list(let items):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += "," }
                string(item, &out)
            }
            out += "]"
        }
    }

    /// A JSON string literal: quotes, backslashes and control characters escaped.
    static func string(_ s: String, _ out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    out += String(format: "\\u%04x", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }
}
