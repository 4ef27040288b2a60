/// An import refused: every problem found, each as `FILE:ROW:COLUMN: reason`. Nothing of
/// the file was applied.
public struct ImportError: Error, Sendable, CustomStringConvertible {
    /// One problem, located in the file.
    public struct Problem: Sendable, Comparable {
        public var row: Int
        public var column: Int
        public var message: String

        public static func < (a: Problem, b: Problem) -> Bool { (a.row, a.column) < (b.row, b.column) }
    }

    public var file: String
    public var problems: [Problem]
    /// At most this many lines are shown; the rest are counted.
    static let shown = 50

    public var description: String {
        let sorted = problems.sorted()
        var lines = sorted.prefix(Self.shown).map { "\(file):\($0.row):\($0.column): \($0.message)" }
        if sorted.count > Self.shown { lines.append("\(file): and \(sorted.count - Self.shown) more problems") }
        lines.append("\(file): nothing was imported")
        return lines.joined(separator: "\n")
    }
}
