/// A household found on the survey list by `cases find`: its name and address, nothing else.
public struct HouseholdMatch: Hashable, Sendable {
    public var name: String
    public var address: String

    public init(name: String, address: String) {
        self.name = name
        self.address = address
    }
}
