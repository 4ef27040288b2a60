import Foundation
import KakariCore
import KakariStore

extension SealedStore {
    /// The unfinished cases of `workflow` whose `field` equals `text` once normalised (width
    /// and spaces ignored). Sealed values are compared through their blind index (a keyed hash
    /// of the normalised text), so nothing is decrypted but the matches; values of cases
    /// without a dataset are stored in plain text and compared as they are.
    public func unfinishedCases(of workflow: String, where field: String, normalisedEquals text: String) async throws -> [CaseRecord] {
        let wanted = Engine.normalised(text)
        var indexes: [String: String?] = [:]
        var out: [CaseRecord] = []
        for record in try await base.cases(CaseFilter(workflow: workflow)) where !record.snapshot.finished {
            guard let value = record.snapshot.data[field] else { continue }
            if let token = SealedValue.token(value) {
                guard !token.erased else { continue }
                if indexes[token.dataset] == nil {
                    indexes[token.dataset] = .some(try await keys(of: token.dataset).map { SealedValue.blindIndex(wanted, keys: $0) })
                }
                guard let index = indexes[token.dataset] ?? nil, index == token.index else { continue }
            } else {
                guard case .string(let plain) = value, Engine.normalised(plain) == wanted else { continue }
            }
            out.append(try await open(record))
        }
        return out
    }
}
