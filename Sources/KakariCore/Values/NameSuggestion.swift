/// Finds the valid name nearest to a misspelt one, for "did you mean …?" hints.
public enum NameSuggestion {
    /// The closest candidate within a small edit distance, or nil.
    public static func nearest<S: Sequence>(to name: String, in candidates: S) -> String? where S.Element == String {
        let limit = name.count <= 3 ? 1 : max(2, name.count / 3)
        var best: (String, Int)?
        for candidate in candidates {
            let d = distance(name, candidate)
            if d <= limit, d < (best?.1 ?? .max) || (d == best?.1 && candidate < best!.0) { best = (candidate, d) }
        }
        return best?.0
    }

    /// "; did you mean 'x'?" or an empty string.
    public static func hint<S: Sequence>(for name: String, in candidates: S) -> String? where S.Element == String {
        nearest(to: name, in: candidates).map { "did you mean '\($0)'?" }
    }

    /// Edit distance over characters, counting a swap of neighbours as one edit
    /// (optimal string alignment), so 'opne' is one edit from 'open'.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var d = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { d[i][0] = i }
        for j in 0...b.count { d[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
                }
            }
        }
        return d[a.count][b.count]
    }
}
