import PostgresNIO

/// A statement's text with its arguments kept apart, so that one statement can be put inside
/// another with both their arguments (the daemon's claim holds its candidates' query, see
/// `PostgresStore+Claims`). From fix 45 to fix 49 it also joined a batch's statements into one
/// data-modifying `WITH`; a batch is now one call of a prepared statement (`PreparedBatch`).
///
/// Written by hand: postgres-nio's `PostgresQuery` numbers its placeholders (`$1`, `$2`, …)
/// as it is made, and has no way to join two of them or to read its encoded arguments back.
/// A part keeps its literal pieces and, for each argument, how to append it; `render`
/// numbers the placeholders in the order the parts are joined.
struct QueryPart: Sendable, ExpressibleByStringInterpolation {
    /// The literal text before each argument, and after the last: one more than `arguments`.
    private var pieces: [String]
    /// Each argument, appended to the bindings when the part is rendered.
    private var arguments: [@Sendable (inout PostgresBindings) -> Void]

    init(stringLiteral value: String) {
        pieces = [value]
        arguments = []
    }

    init(stringInterpolation: StringInterpolation) {
        pieces = stringInterpolation.pieces
        arguments = stringInterpolation.arguments
    }

    /// Builds a part from a string literal with interpolated arguments, like `PostgresQuery`.
    struct StringInterpolation: StringInterpolationProtocol {
        fileprivate var pieces: [String] = [""]
        fileprivate var arguments: [@Sendable (inout PostgresBindings) -> Void] = []

        init(literalCapacity: Int, interpolationCount: Int) {
            pieces.reserveCapacity(interpolationCount + 1)
            arguments.reserveCapacity(interpolationCount)
        }

        mutating func appendLiteral(_ literal: String) {
            pieces[pieces.count - 1] += literal
        }

        /// Another part, its text and arguments in place (a subquery made apart).
        mutating func appendInterpolation(_ part: QueryPart) {
            pieces[pieces.count - 1] += part.pieces[0]
            pieces += part.pieces.dropFirst()
            arguments += part.arguments
        }

        /// An argument, sent apart from the text as `PostgresQuery` sends it.
        mutating func appendInterpolation<Value: PostgresDynamicTypeEncodable & Sendable>(_ value: Value) {
            arguments.append { $0.append(value) }
            pieces.append("")
        }
    }

    /// Appends the part's text to `sql` and its arguments to `binds`, numbering its
    /// placeholders after the arguments `binds` already holds.
    private func render(into sql: inout String, _ binds: inout PostgresBindings) {
        for (i, piece) in pieces.enumerated() {
            sql += piece
            if i < arguments.count {
                arguments[i](&binds)
                sql += "$\(binds.count)"
            }
        }
    }

    /// The part as a statement of its own.
    var query: PostgresQuery {
        var sql = ""
        var binds = PostgresBindings()
        render(into: &sql, &binds)
        return PostgresQuery(unsafeSQL: sql, binds: binds)
    }
}
