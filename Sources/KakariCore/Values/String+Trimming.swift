extension StringProtocol {
    /// The text without surrounding whitespace. Most cells and arguments have none, so the
    /// common case is a check of the first and last character and no copy; Foundation's
    /// `trimmingCharacters(in:)` bridges every call, and it was measurable in `cases import`.
    public func trimmingWhitespace() -> String {
        if Self.plainAtEnds(unicodeScalars) { return String(self) }
        guard first?.isWhitespace == true || last?.isWhitespace == true else { return String(self) }
        guard let start = firstIndex(where: { !$0.isWhitespace }) else { return "" }
        let end = lastIndex(where: { !$0.isWhitespace })!
        return String(self[start...end])
    }

    /// Whether the text surely neither starts nor ends with whitespace, judged from its first
    /// and last scalars alone, without forming characters (`Character.isWhitespace` looks up
    /// Unicode properties, and was an eighth of checking a 100,000-row import).
    ///
    /// A scalar vouches for its end only when no character can hold it together with a
    /// whitespace scalar: printable ASCII other than the space, kana without the combining
    /// sound marks (U+3099, U+309A), and the CJK ideographs. Anything else says "not sure",
    /// and the caller asks the characters.
    static func plainAtEnds(_ scalars: UnicodeScalarView) -> Bool {
        guard let first = scalars.first, let last = scalars.last else { return false }
        func plain(_ s: Unicode.Scalar) -> Bool {
            switch s.value {
            case 0x21...0x7E, 0x3041...0x3096, 0x309B...0x30FF, 0x4E00...0x9FFF: true
            default: false
            }
        }
        return plain(first) && plain(last)
    }
}
