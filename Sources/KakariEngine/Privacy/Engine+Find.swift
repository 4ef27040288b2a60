import Foundation
import KakariCore
import KakariStore

extension Engine {
    /// Whether a household named `name` (and, if given, living at an address containing
    /// `address`) is on a survey list still running: the duty desk's answer to a resident who
    /// calls to check a visit is genuine (households of a dataset whose purpose has ended are
    /// not confirmed). Gives the name and address only; each household
    /// found is audited as read. Contractors are refused (exit 3, audited).
    public func findHousehold(name: String, address: String?, by user: String) async throws -> [HouseholdMatch] {
        if case .assignments = try await visibility(of: user) {
            throw await notPermitted("contractors cannot search the survey list; \(user) is a contractor", user: user)
        }
        let wantedName = Self.normalised(name)
        let wantedAddress = address.map(Self.normalised)
        guard !wantedName.isEmpty else { throw EngineError(.refused, "give the household's name with --name") }
        var matches: [(caseID: String, match: HouseholdMatch)] = []
        let lists = try await workflowVersions().map(\.name)
        // A household whose dataset's purpose has ended is no longer confirmed.
        let ended = try await endedDatasets()
        for workflow in Set(lists).sorted() {
            let definition = try await decider(workflow, try await latestVersion(of: workflow).version).definition
            guard definition.field("name") != nil, definition.field("address") != nil else { continue }
            // Through the blind index where the names are sealed: no name is decrypted to compare it.
            let candidates: [CaseRecord]
            if let sealed = sealedStore {
                candidates = try await sealed.unfinishedCases(of: workflow, where: "name", normalisedEquals: name)
            } else {
                candidates = try await store.cases(CaseFilter(workflow: workflow)).filter { !$0.snapshot.finished }
            }
            for record in candidates where ended[record.dataset ?? ""] == nil {
                guard case .string(let n)? = record.snapshot.data["name"], case .string(let a)? = record.snapshot.data["address"],
                      Self.normalised(n) == wantedName, wantedAddress.map({ Self.normalised(a).contains($0) }) ?? true else { continue }
                matches.append((record.snapshot.id, HouseholdMatch(name: n, address: a)))
            }
        }
        let at = Self.auditTime()
        let entries = matches.isEmpty
            ? [AuditEntry(at: at, user: user, command: command, action: .read, detail: "survey list lookup: not found")]
            : matches.map { AuditEntry(at: at, user: user, command: command, action: .read, caseID: $0.caseID,
                                       fields: ["address", "name"], detail: "survey list lookup") }
        try await store.appendAudit(entries)
        return matches.map { $0.match }
    }

    /// A name or address as compared: compatibility-normalised (full-width digits and
    /// letters as half-width), without spaces of either width.
    ///
    /// Written out here rather than always asking Foundation: most names and addresses are
    /// kanji, kana and ASCII, which compatibility mapping leaves as they are, and Foundation's
    /// mapping was a quarter of a sealed import's encryption work. Such a text only loses its
    /// spaces; any other character takes Foundation's way, so the result is always the same.
    static func normalised(_ text: String) -> String {
        guard text.unicodeScalars.allSatisfy(Self.keptByCompatibilityMapping) else {
            return text.precomposedStringWithCompatibilityMapping.filter { !$0.isWhitespace }
        }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars where scalar != " " && scalar != "\u{3000}" { out.append(scalar) }
        return String(out)
    }

    /// Scalars that NFKC maps to themselves and that no neighbour composes with: printable
    /// ASCII, hiragana and katakana without the separate sound marks, the long vowel mark,
    /// CJK unified ideographs, and the ideographic space (mapped to a space, then dropped).
    static func keptByCompatibilityMapping(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x20...0x7E, 0x3000, 0x3041...0x3096, 0x30A1...0x30FA, 0x30FC, 0x4E00...0x9FFF: return true
        default: return false
        }
    }
}
