/// A lexical token of the expression language, with its offset in the source.
struct Token: Hashable, Sendable {
    enum Kind: Hashable, Sendable {
        case identifier(String)
        case integer(Int)
        case string(String)
        case symbol(String)
        case end
    }

    var kind: Kind
    var offset: Int
}
