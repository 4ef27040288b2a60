import Foundation
import KakariCore

/// Reads the snapshots `JSONWriter` writes, by hand.
///
/// Every event reads its case's snapshot, and Foundation's `JSONDecoder` was a quarter of the
/// time of `kakari demo` (measured with `perf`). This reader parses the JSON into a small tree
/// and builds the snapshot from it; anything it does not expect makes it return nil, and the
/// caller falls back to `JSONDecoder` (which then reports the error).
public enum JSONReader {
    /// A parsed JSON value.
    indirect enum Node {
        case null, bool(Bool), number(Double), string(String), array([Node]), object(Members)
    }

    /// An object's members in the order written. Kept as pairs, not a dictionary: hashing
    /// and growing a dictionary per object was most of the parse (`perf` of `daemon --once`),
    /// and a snapshot's objects are small. A key written twice reads as its last value, as a
    /// dictionary would have kept it.
    struct Members: Sequence {
        var pairs: [(String, Node)] = []
        var count: Int { pairs.count }

        subscript(key: String) -> Node? {
            for (name, node) in pairs.reversed() where name == key { return node }
            return nil
        }

        func makeIterator() -> IndexingIterator<[(String, Node)]> { pairs.makeIterator() }
    }

    /// The snapshot in `text`, or nil when it is not in the form `JSONWriter` writes.
    public static func snapshot(_ text: String) -> CaseSnapshot? {
        parse(text) { parser in snapshot(&parser) }
    }

    /// The snapshot in the UTF-8 bytes `utf8`, or nil when it is not in the form `JSONWriter`
    /// writes: a stored row's bytes read in place, without making a `String` of them first
    /// (which checks and copies every byte).
    public static func snapshot(utf8: UnsafeRawBufferPointer) -> CaseSnapshot? {
        var parser = Parser(bytes: utf8.assumingMemoryBound(to: UInt8.self))
        return snapshot(&parser)
    }

    private static func snapshot(_ parser: inout Parser) -> CaseSnapshot? {
        guard let node = parser.value(), case .object(let o) = node else { return nil }
        return makeSnapshot(o)
    }

    /// What `body` makes of `text`'s bytes. Strings read from the store are native UTF-8:
    /// they are parsed in place, without a copy.
    static func parse<T>(_ text: String, _ body: (inout Parser) -> T?) -> T? {
        func run(_ buffer: UnsafeBufferPointer<UInt8>) -> T? {
            var parser = Parser(bytes: buffer)
            return body(&parser)
        }
        if let result = text.utf8.withContiguousStorageIfAvailable(run) { return result }
        return Array(text.utf8).withUnsafeBufferPointer(run)
    }

    /// One value as `JSONWriter.value` writes it, or nil.
    public static func value(json text: String) -> Value? {
        parse(text) { parser in parser.value().flatMap(value) }
    }

    /// An object of values (a queued event's fields), or nil when it is not in the form
    /// `Value` encodes: the daemon reads a group's events at once, and that read, mostly
    /// `JSONDecoder`, was about 6% of `daemon --once`'s samples in `perf`.
    public static func values(json text: String) -> [String: Value]? {
        parse(text) { parser in
            guard case .object(let o)? = parser.value() else { return nil }
            var out: [String: Value] = [:]
            out.reserveCapacity(o.count)
            for (name, node) in o {
                guard let v = value(node) else { return nil }
                out[name] = v
            }
            return out
        }
    }

    /// The string member `key` of the JSON object in `text`, or nil (no such member, not a
    /// string, not an object).
    public static func string(_ key: String, inObject text: String) -> String? {
        parse(text) { parser in
            guard case .object(let o)? = parser.value(), case .string(let member)? = o[key] else { return nil }
            return member
        }
    }

    static func makeSnapshot(_ o: Members) -> CaseSnapshot? {
        guard case .string(let id)? = o["id"], case .string(let workflow)? = o["workflow"],
              case .number(let version)? = o["version"], case .string(let state)? = o["state"],
              case .object(let dataNode)? = o["data"], case .bool(let finished)? = o["finished"],
              case .number(let sequence)? = o["sequence"], case .number(let entered)? = o["enteredAt"]
        else { return nil }
        var data: [String: Value] = [:]
        data.reserveCapacity(dataNode.count)
        for (k, v) in dataNode {
            guard let value = value(v) else { return nil }
            data[k] = value
        }
        var tasks: [CaseSnapshot.OpenTask] = []
        if case .array(let items)? = o["openTasks"] {
            for item in items {
                guard case .object(let t) = item, case .string(let key)? = t["key"], case .string(let kind)? = t["kind"],
                      case .string(let event)? = t["event"] else { return nil }
                var item: String?
                if case .string(let i)? = t["item"] { item = i }
                tasks.append(.init(key: key, kind: kind, event: event, item: item))
            }
        }
        func dates(_ node: Node?) -> [String: Date]? {
            var out: [String: Date] = [:]
            if case .object(let t)? = node {
                for (k, v) in t {
                    guard case .number(let seconds) = v else { return nil }
                    out[k] = Date(timeIntervalSince1970: seconds)
                }
            }
            return out
        }
        guard let timers = dates(o["timers"]) else { return nil }
        var suspended: Suspension?
        if case .object(let s)? = o["suspended"] {
            guard case .number(let at)? = s["at"], let paused = dates(s["timers"]) else { return nil }
            suspended = Suspension(at: Date(timeIntervalSince1970: at), timers: paused)
        }
        var pending: [CaseSnapshot.PendingEvent]?
        if case .array(let items)? = o["pending"] {
            pending = []
            for item in items {
                guard case .object(let p) = item, case .string(let name)? = p["name"], case .object(let f)? = p["fields"] else { return nil }
                var fields: [String: Value] = [:]
                for (k, v) in f {
                    guard let value = value(v) else { return nil }
                    fields[k] = value
                }
                pending!.append(.init(name: name, fields: fields))
            }
        }
        func optionalString(_ key: String) -> String? { if case .string(let s)? = o[key] { s } else { nil } }
        return CaseSnapshot(id: id, workflow: workflow, version: Int(version), state: state, data: data, openTasks: tasks,
                            timers: timers, waitingFor: optionalString("waitingFor"), parent: optionalString("parent"),
                            finished: finished, result: optionalString("result"), sequence: Int(sequence),
                            enteredAt: Date(timeIntervalSince1970: entered), suspended: suspended, pending: pending)
    }

    static func value(_ node: Node) -> Value? {
        switch node {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .number(let d): return d == d.rounded() && abs(d) < 9e15 ? .int(Int(d)) : nil
        case .string(let s): return .string(s)
        case .array(let items):
            var strings: [String] = []
            for item in items { guard case .string(let s) = item else { return nil }; strings.append(s) }
            return .list(strings)
        case .object(let o):
            guard o.count == 1, case .string(let text)? = o["$date"], let day = Day(iso: text) else { return nil }
            return .date(day)
        }
    }

    /// A strict, small JSON parser over UTF-8 bytes.
    struct Parser {
        let bytes: UnsafeBufferPointer<UInt8>
        var i = 0

        mutating func skip() { while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i += 1 } }

        mutating func value() -> Node? {
            skip()
            guard i < bytes.count else { return nil }
            switch bytes[i] {
            case UInt8(ascii: "{"):
                i += 1
                var o = Members()
                skip()
                if i < bytes.count, bytes[i] == UInt8(ascii: "}") { i += 1; return .object(o) }
                while true {
                    skip()
                    guard let key = string() else { return nil }
                    skip()
                    guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { return nil }
                    i += 1
                    guard let v = value() else { return nil }
                    o.pairs.append((key, v))
                    skip()
                    guard i < bytes.count else { return nil }
                    if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                    if bytes[i] == UInt8(ascii: "}") { i += 1; return .object(o) }
                    return nil
                }
            case UInt8(ascii: "["):
                i += 1
                var a: [Node] = []
                skip()
                if i < bytes.count, bytes[i] == UInt8(ascii: "]") { i += 1; return .array(a) }
                while true {
                    guard let v = value() else { return nil }
                    a.append(v)
                    skip()
                    guard i < bytes.count else { return nil }
                    if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                    if bytes[i] == UInt8(ascii: "]") { i += 1; return .array(a) }
                    return nil
                }
            case UInt8(ascii: "\""):
                return string().map(Node.string)
            case UInt8(ascii: "t"): return literal("true", .bool(true))
            case UInt8(ascii: "f"): return literal("false", .bool(false))
            case UInt8(ascii: "n"): return literal("null", .null)
            default:
                if let whole = integer() { return .number(Double(whole)) }
                let start = i
                while i < bytes.count, (bytes[i] >= 0x30 && bytes[i] <= 0x39) || bytes[i] == UInt8(ascii: "-")
                        || bytes[i] == UInt8(ascii: ".") || bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E")
                        || bytes[i] == UInt8(ascii: "+") { i += 1 }
                guard i > start, let d = Double(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)) else { return nil }
                return .number(d)
            }
        }

        mutating func literal(_ word: StaticString, _ node: Node) -> Node? {
            let count = word.utf8CodeUnitCount
            guard i + count <= bytes.count else { return nil }
            for k in 0..<count where bytes[i + k] != word.utf8Start[k] { return nil }
            i += count
            return node
        }

        /// A whole number (the common case: versions, sequences, times in seconds), read
        /// without making a string; nil, consuming nothing, for anything else.
        mutating func integer() -> Int? {
            var j = i
            let negative = j < bytes.count && bytes[j] == UInt8(ascii: "-")
            if negative { j += 1 }
            let digitsStart = j
            var value = 0
            while j < bytes.count, bytes[j] >= 0x30, bytes[j] <= 0x39, j - digitsStart < 15 {
                value = value * 10 + Int(bytes[j] - 0x30)
                j += 1
            }
            guard j > digitsStart else { return nil }
            if j < bytes.count, bytes[j] == UInt8(ascii: ".") || bytes[j] == UInt8(ascii: "e") || bytes[j] == UInt8(ascii: "E")
                || (bytes[j] >= 0x30 && bytes[j] <= 0x39) { return nil }
            i = j
            return negative ? -value : value
        }

        mutating func string() -> String? {
            guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { return nil }
            i += 1
            let start = i
            var escaped = false
            while i < bytes.count, bytes[i] != UInt8(ascii: "\"") {
                if bytes[i] == UInt8(ascii: "\\") { escaped = true; i += 1 }
                i += 1
            }
            guard i < bytes.count else { return nil }
            let raw = UnsafeBufferPointer(rebasing: bytes[start..<i])
            i += 1
            if !escaped { return String(decoding: raw, as: UTF8.self) }
            // Rare: decode escapes through Foundation.
            let quoted = "\"" + String(decoding: raw, as: UTF8.self) + "\""
            return try? JSONDecoder().decode(String.self, from: Data(quoted.utf8))
        }
    }
}
