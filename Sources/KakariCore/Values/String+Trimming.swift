extension StringProtocol {
    /// The text without surrounding whitespace. Most cells and arguments have none, so the
    /// common case is a check of the first and last character and no copy; Foundation's
    /// `trimmingCharacters(in:)` bridges every call, and it was measurable in `cases import`.
    public func trimmingWhitespace() -> String {
        guard first?.isWhitespace == true || last?.isWhitespace == true else { return String(self) }
        guard let start = firstIndex(where: { !$0.isWhitespace }) else { return "" }
        let end = lastIndex(where: { !$0.isWhitespace })!
        return String(self[start...end])
    }
}
