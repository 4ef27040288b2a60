import Foundation
import KakariCore

/// Writes the JSON a transition stores (the case snapshot, the event, the data changes) by hand.
///
/// Every transition stores these, and Foundation's `JSONEncoder` was 30–40% of the time of an
/// import or a daemon run (measured with `perf` on `kakari cases import`); this writer does the
/// same job in a fraction of that. Its output is what `JSONEncoder` would write for the same
/// `Codable` types and decodes with `JSONDecoder` into the same values (tests pin the round trips).
public enum JSONWriter {
    /// An event as `CaseEvent`'s `Codable` form: `{"signal":{"fields":{…},"name":"visit","task":"2.1"}}`.
    public static func encode(_ event: CaseEvent) -> String {
        var out = JSONOutput()
        switch event {
        case .start(let data, let parent):
            out += "{\"start\":{\"data\":"
            values(data, &out)
            if let parent { out += ",\"parent\":"; string(parent, &out) }
            out += "}}"
        case .signal(let name, let fields, let task):
            out += "{\"signal\":{\"fields\":"
            values(fields, &out)
            out += ",\"name\":"; string(name, &out)
            if let task { out += ",\"task\":"; string(task, &out) }
            out += "}}"
        case .timer(let name):
            out += "{\"timer\":{\"name\":"; string(name, &out); out += "}}"
        case .childFinished(let child, let result):
            out += "{\"childFinished\":{\"child\":"; string(child, &out)
            out += ",\"result\":"; string(result, &out); out += "}}"
        case .suspend, .resume, .move, .cancel, .migrate, .reopen:
            // Operator events are rare: Foundation's encoder writes them.
            return StoreJSON.encode(event)
        }
        return out.string
    }

    /// Data changes as `[Decision.Change]`'s `Codable` form.
    public static func encode(_ changes: [Decision.Change]) -> String {
        var out = JSONOutput("[")
        for (i, c) in changes.enumerated() {
            if i > 0 { out += "," }
            out += "{\"field\":"; string(c.field, &out)
            out += ",\"new\":"; value(c.new, &out)
            out += ",\"old\":"; value(c.old, &out)
            out += "}"
        }
        out += "]"
        return out.string
    }

    /// A mapping of names to values, keys sorted.
    public static func values(_ map: [String: Value], _ out: inout String) { append(to: &out) { values(map, &$0) } }

    static func values(_ map: [String: Value], _ out: inout JSONOutput) {
        out += "{"
        for (i, name) in map.keys.sorted().enumerated() {
            if i > 0 { out += "," }
            string(name, &out)
            out += ":"
            value(map[name]!, &out)
        }
        out += "}"
    }

    public static func encode(_ s: CaseSnapshot) -> String {
        String(decoding: encodedBytes(s), as: UTF8.self)
    }

    /// `encode(_:)`'s text as UTF-8 bytes, for a store that binds bytes (SQLite): making a
    /// `String` of them checks every byte again. The array holds the bytes alone (see the end).
    public static func encodedBytes(_ s: CaseSnapshot) -> [UInt8] {
        var out = JSONOutput("{", capacity: 2048)
        key("data", &out)
        values(s.data, &out)
        out += ","
        key("enteredAt", &out); out += number(s.enteredAt.timeIntervalSince1970) + ","
        key("finished", &out); out += s.finished ? "true," : "false,"
        key("id", &out); string(s.id, &out); out += ","
        key("openTasks", &out)
        out += "["
        for (i, t) in s.openTasks.enumerated() {
            if i > 0 { out += "," }
            out += "{\"event\":"; string(t.event, &out)
            if let item = t.item { out += ",\"item\":"; string(item, &out) }
            out += ",\"key\":"; string(t.key, &out)
            out += ",\"kind\":"; string(t.kind, &out)
            out += "}"
        }
        out += "],"
        if let parent = s.parent { key("parent", &out); string(parent, &out); out += "," }
        if let pending = s.pending {
            key("pending", &out)
            out += "["
            for (i, p) in pending.enumerated() {
                if i > 0 { out += "," }
                out += "{\"fields\":"
                values(p.fields, &out)
                out += ",\"name\":"; string(p.name, &out)
                out += "}"
            }
            out += "],"
        }
        if let result = s.result { key("result", &out); string(result, &out); out += "," }
        key("sequence", &out); out += String(s.sequence) + ","
        key("state", &out); string(s.state, &out); out += ","
        if let suspended = s.suspended {
            key("suspended", &out)
            out += "{\"at\":" + number(suspended.at.timeIntervalSince1970) + ",\"timers\":"
            timers(suspended.timers, &out)
            out += "},"
        }
        key("timers", &out)
        timers(s.timers, &out)
        out += ","
        key("version", &out); out += String(s.version)
        if let waiting = s.waitingFor { out += ","; key("waitingFor", &out); string(waiting, &out) }
        out += ","
        key("workflow", &out); string(s.workflow, &out)
        out += "}"
        // Copied out of the buffer, which has room for twice a usual snapshot: the snapshot
        // cache keeps these arrays, and thousands of them holding that room were 13–18 MB of a
        // daemon's memory (docs/performance.md, fix 31).
        return out.compactBytes
    }

    private static func timers(_ timers: [String: Date], _ out: inout JSONOutput) {
        out += "{"
        for (i, name) in timers.keys.sorted().enumerated() {
            if i > 0 { out += "," }
            string(name, &out)
            out += ":" + number(timers[name]!.timeIntervalSince1970)
        }
        out += "}"
    }

    private static func key(_ name: String, _ out: inout JSONOutput) {
        out += "\""; out += name; out += "\":"
    }

    private static func number(_ d: Double) -> String {
        d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : "\(d)"
    }

    /// One value; dates as `{"$date": …}` like `Value`'s `Codable` form.
    public static func value(_ v: Value, _ out: inout String) { append(to: &out) { value(v, &$0) } }

    static func value(_ v: Value, _ out: inout JSONOutput) {
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
    public static func string(_ s: String, _ out: inout String) { append(to: &out) { string(s, &$0) } }

    /// Appends to a `String` what `write` writes (the public functions for callers outside the store).
    private static func append(to out: inout String, _ write: (inout JSONOutput) -> Void) {
        var bytes = JSONOutput()
        write(&bytes)
        out += bytes.string
    }

    static func string(_ s: String, _ out: inout JSONOutput) {
        out += "\""
        // Most texts need no escaping: copy them whole.
        func plain(_ byte: UInt8) -> Bool { byte >= 0x20 && byte != 0x22 && byte != 0x5C }
        // Native strings are contiguous UTF-8: scanned as a buffer, not through string indices.
        if s.utf8.withContiguousStorageIfAvailable({ $0.allSatisfy(plain) }) ?? s.utf8.allSatisfy(plain) {
            out += s
            out += "\""
            return
        }
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
                    out.append(scalar)
                }
            }
        }
        out += "\""
    }
}

/// The bytes `JSONWriter` writes, made into one `String` at the end. Appending to a byte array
/// is plain copying; appending to a `String` checks its capacity and form on every piece, and
/// was most of the writer's time (`perf` of `kakari daemon --once`).
struct JSONOutput {
    private(set) var bytes: [UInt8] = []

    init(_ start: String = "", capacity: Int = 0) {
        bytes.reserveCapacity(max(capacity, 64))
        self += start
    }

    static func += (out: inout JSONOutput, text: String) {
        if text.utf8.withContiguousStorageIfAvailable({ out.bytes.append(contentsOf: $0) }) == nil {
            out.bytes.append(contentsOf: text.utf8)
        }
    }

    mutating func append(_ scalar: Unicode.Scalar) {
        UTF8.encode(scalar) { bytes.append($0) }
    }

    /// What was written, as text (always valid UTF-8: only whole strings and scalars go in).
    var string: String { String(decoding: bytes, as: UTF8.self) }

    /// What was written, in an array with no room beyond its bytes.
    var compactBytes: [UInt8] {
        [UInt8](unsafeUninitializedCapacity: bytes.count) { copy, count in
            count = bytes.withUnsafeBufferPointer { copy.initialize(fromContentsOf: $0) }
        }
    }
}
