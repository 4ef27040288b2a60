import Foundation

/// A deployed version of a workflow: its content hash and the bundle of files it came with.
public struct WorkflowVersion: Hashable, Sendable, Codable {
    public var name: String
    public var version: Int
    public var hash: String
    public var bundle: Int64
    public var deployedAt: Date
    public var deployedBy: String

    public init(name: String, version: Int, hash: String, bundle: Int64, deployedAt: Date, deployedBy: String) {
        self.name = name
        self.version = version
        self.hash = hash
        self.bundle = bundle
        self.deployedAt = deployedAt
        self.deployedBy = deployedBy
    }
}
