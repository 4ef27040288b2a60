/// One difference between two versions of a workflow, in workflow terms.
public struct WorkflowChange: Hashable, Sendable, CustomStringConvertible {
    public enum Kind: String, Hashable, Sendable { case added, removed, changed }

    public var kind: Kind
    /// What kind of thing changed: `workflow`, `field`, `event`, `state`, `transition`,
    /// `guard`, `assignment`, `task`, `form`, `timer`, `deadline`, `child`.
    public var element: String
    /// Where: `state visit1`, `state visit1 / on visited`, `state visit1 / task visit / form result`.
    public var path: String
    /// What exactly, for a change: `due 5bd → 7bd`.
    public var detail: String

    public init(_ kind: Kind, _ element: String, _ path: String, _ detail: String = "") {
        self.kind = kind
        self.element = element
        self.path = path
        self.detail = detail
    }

    public var description: String {
        let sign = switch kind { case .added: "+"; case .removed: "-"; case .changed: "~" }
        return "\(sign) \(element) \(path)" + (detail.isEmpty ? "" : ": \(detail)")
    }
}
