import Crypto
import Foundation

/// The SHA-256 chain over audit entries, the same for every store: each entry's hash covers
/// the previous entry's hash and the entry's canonical content (every field, length-prefixed,
/// with its position), so any edit, deletion, insertion or reordering breaks the chain at the
/// first entry it touches.
public enum AuditChain {
    /// The `previousHash` of the first entry.
    public static let genesis = String(repeating: "0", count: 64)

    /// The settings key of the chain's head (`SEQ HASH` of the last entry), written in the
    /// same transaction as the entries, so that removing the newest entries is found too.
    public static let headSetting = "audit.head"

    /// The entry's content as hashed: every field but the hashes, each length-prefixed so no
    /// two different entries share a canonical form.
    public static func canonical(_ e: AuditEntry) -> String {
        parts(e).map { "\($0.utf8.count):\($0)" }.joined(separator: "|")
    }

    /// The fields of the canonical form, in its order.
    static func parts(_ e: AuditEntry) -> [String] {
        let milliseconds = Int64((e.at.timeIntervalSince1970 * 1000).rounded())
        return [String(e.seq), String(milliseconds), e.user, e.command, e.action.rawValue, e.caseID ?? "\u{0}",
                e.fields.joined(separator: ","), e.detail]
    }

    /// The hash of `entry` following `previousHash`: SHA-256 of `previousHash`, a newline and
    /// `canonical(entry)`. The bytes go straight into one buffer, not through `canonical`'s
    /// interpolated and joined strings: it runs inside the write transaction, once per entry.
    public static func hash(_ entry: AuditEntry, after previousHash: String) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(previousHash.utf8.count + entry.detail.utf8.count + entry.user.utf8.count + entry.command.utf8.count + 96)
        bytes.append(contentsOf: previousHash.utf8)
        bytes.append(UInt8(ascii: "\n"))
        appendPart(String(entry.seq), to: &bytes)
        appendParts(afterSequence: entry, to: &bytes)
        let digest = SHA256.hash(data: bytes)
        let hex = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for byte in digest { out.append(hex[Int(byte >> 4)]); out.append(hex[Int(byte & 0x0f)]) }
        return String(decoding: out, as: UTF8.self)
    }

    /// The bytes of `canonical(entry)` after its first part, the sequence number: what a store
    /// that numbers and hashes the entries on its server is given (PostgreSQL's
    /// `kakari_audit_append`, migration 11). The hash is SHA-256 of the previous hash, a
    /// newline, the number's part (`LENGTH:NUMBER`) and these bytes.
    public static func canonical(afterSequence entry: AuditEntry) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(entry.detail.utf8.count + entry.user.utf8.count + entry.command.utf8.count + 64)
        appendParts(afterSequence: entry, to: &bytes)
        return bytes
    }

    /// Every part of the canonical form but the first (the sequence number), each after a `|`.
    private static func appendParts(afterSequence entry: AuditEntry, to bytes: inout [UInt8]) {
        for part in parts(entry).dropFirst() {
            bytes.append(UInt8(ascii: "|"))
            appendPart(part, to: &bytes)
        }
    }

    /// One part of the canonical form: its length in UTF-8 bytes, a colon, the part.
    private static func appendPart(_ part: String, to bytes: inout [UInt8]) {
        bytes.append(contentsOf: String(part.utf8.count).utf8)
        bytes.append(UInt8(ascii: ":"))
        bytes.append(contentsOf: part.utf8)
    }

    /// `entries` linked after the entry `(seq, hash)`, numbered and hashed; what a store
    /// does inside its write transaction, from the last stored entry.
    public static func link(_ entries: [AuditEntry], after last: (seq: Int64, hash: String)?) -> [AuditEntry] {
        var seq = last?.seq ?? 0
        var previous = last?.hash ?? genesis
        return entries.map { entry in
            var e = entry
            seq += 1
            e.seq = seq
            e.previousHash = previous
            e.hash = hash(e, after: previous)
            previous = e.hash
            return e
        }
    }

    /// The first place where the chain is broken.
    public struct Break: Hashable, Sendable, CustomStringConvertible {
        /// The entry at which the chain breaks.
        public var seq: Int64
        public var problem: String
        public var description: String { "audit entry \(seq): \(problem)" }
    }

    /// Checks every entry (all of them, in order of `seq`) against its predecessor and the
    /// recorded head (`SEQ HASH`); nil when the chain is whole.
    public static func verify(_ entries: [AuditEntry], head: String?) -> Break? {
        var previous = genesis
        var expected: Int64 = 1
        for e in entries {
            if e.seq != expected {
                return Break(seq: expected, problem: e.seq > expected
                    ? "missing: the chain goes from entry \(expected - 1) to entry \(e.seq)"
                    : "out of order: entry \(e.seq) follows entry \(expected - 1)")
            }
            if hash(e, after: e.previousHash) != e.hash {
                return Break(seq: e.seq, problem: "altered: its content does not match its hash")
            }
            if e.previousHash != previous {
                return Break(seq: e.seq, problem: "does not follow entry \(e.seq - 1): an entry was replaced, inserted or reordered")
            }
            previous = e.hash
            expected += 1
        }
        let last = entries.last.map { "\($0.seq) \($0.hash)" }
        if let head, head != last {
            let headSeq = Int64(head.split(separator: " ").first ?? "") ?? 0
            if headSeq > expected - 1 {
                return Break(seq: expected, problem: "missing: the chain ends at entry \(expected - 1) but its head records entry \(headSeq)")
            }
            return Break(seq: headSeq, problem: "the head of the chain (\(head)) does not match the last entry")
        }
        if head == nil, let last = entries.last {
            return Break(seq: last.seq, problem: "the head of the chain is missing")
        }
        return nil
    }
}
