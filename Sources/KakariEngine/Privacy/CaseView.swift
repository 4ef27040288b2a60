import KakariCore
import KakariStore

/// A case as one person may see it: its data holds only the fields they may see, its
/// history only those fields' values, its tasks only theirs when they are a contractor.
public struct CaseView: Sendable {
    public var record: CaseRecord
    public var history: [HistoryEntry]
    public var tasks: [TaskRecord]
    public var children: [String]
    /// The fields shown; nil for all of them.
    public var visibleFields: Set<String>?
    /// Why fields are missing for everyone (a dataset whose purpose has ended), if they are.
    public var notice: String? = nil
}
