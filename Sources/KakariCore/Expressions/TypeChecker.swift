/// Checks an expression against the data schema at load time, so that a guard comparing a
/// date with a number, or naming a field that does not exist, is refused before any case runs.
public struct TypeChecker {
    public let scope: ExpressionScope

    public init(scope: ExpressionScope) { self.scope = scope }

    /// The type of `expression`; nil means it is always `null`.
    @discardableResult
    public func check(_ expression: Expression) throws(ExpressionError) -> ValueType? {
        switch expression {
        case .literal(let value, _):
            return value.type
        case .list(let items, let offset):
            for item in items {
                let t = try check(item)
                guard t == nil || t == .string else {
                    throw ExpressionError(offset: item.offset, "a list holds text, not \(t!)")
                }
            }
            _ = offset
            return .list
        case .field(let name, let offset):
            guard let field = scope.caseFields[name] else {
                if scope.tables[name] != nil {
                    throw ExpressionError(offset: offset, "'\(name)' is a table, not a field",
                                          hint: "read it with lookup(\(name), key, \"column\")")
                }
                throw ExpressionError(offset: offset, "unknown field '\(name)'",
                                      hint: NameSuggestion.hint(for: name, in: scope.caseFields.keys)
                                          ?? "to write text, quote it inside the YAML value ('\"\(name)\"') or use 「\(name)」")
            }
            return field.type.valueType
        case .eventField(let name, let offset):
            guard let fields = scope.eventFields else {
                throw ExpressionError(offset: offset, "'event.\(name)' is used where no event is being handled")
            }
            guard let field = fields[name] else {
                let what = scope.eventName.map { "event '\($0)'" } ?? "the event"
                throw ExpressionError(offset: offset, "\(what) has no field '\(name)'",
                                      hint: NameSuggestion.hint(for: name, in: fields.keys))
            }
            return field.type.valueType
        case .unary(let op, let operand, let offset):
            let t = try check(operand)
            switch op {
            case .not:
                try require(t, .bool, at: operand.offset, "'not' needs true/false")
                return .bool
            case .negate:
                try require(t, .int, at: offset, "'-' needs a number")
                return .int
            }
        case .binary(let op, let left, let right, let offset):
            return try checkBinary(op, left, right, offset)
        case .call(let name, let args, let offset):
            return try checkCall(name, args, offset)
        }
    }

    private func require(_ t: ValueType?, _ expected: ValueType, at offset: Int, _ message: String) throws(ExpressionError) {
        guard t == expected else {
            throw ExpressionError(offset: offset, "\(message), found \(t.map(\.description) ?? "null")")
        }
    }

    private func checkBinary(_ op: BinaryOperator, _ left: Expression, _ right: Expression, _ offset: Int) throws(ExpressionError) -> ValueType? {
        let l = try check(left), r = try check(right)
        switch op {
        case .and, .or:
            try require(l, .bool, at: left.offset, "'\(op.rawValue)' needs true/false on its left")
            try require(r, .bool, at: right.offset, "'\(op.rawValue)' needs true/false on its right")
            return .bool
        case .equal, .notEqual:
            if let l, let r, l != r {
                throw ExpressionError(offset: offset, "cannot compare \(l) with \(r)")
            }
            try checkEnumLiteral(left, right)
            try checkEnumLiteral(right, left)
            return .bool
        case .less, .lessOrEqual, .greater, .greaterOrEqual:
            guard let l, let r, l == r, [.int, .date, .string].contains(l) else {
                throw ExpressionError(offset: offset, "'\(op.rawValue)' compares two numbers, two dates or two texts, found \(l.map(\.description) ?? "null") and \(r.map(\.description) ?? "null")")
            }
            return .bool
        case .in, .notIn:
            try require(r, .list, at: right.offset, "'\(op.rawValue)' needs a list on its right")
            guard l == nil || l == .string else {
                throw ExpressionError(offset: left.offset, "only text can be looked for in a list, found \(l!)")
            }
            if case .list(let items, _) = right {
                for item in items { try checkEnumLiteral(left, item) }
            }
            return .bool
        case .add:
            switch (l, r) {
            case (.int, .int): return .int
            case (.string, .string): return .string
            case (.date, .int): return .date
            default: break
            }
            throw ExpressionError(offset: offset, "cannot add \(r.map(\.description) ?? "null") to \(l.map(\.description) ?? "null")",
                                  hint: "'+' adds numbers, joins texts, or adds days to a date")
        case .subtract:
            switch (l, r) {
            case (.int, .int): return .int
            case (.date, .int): return .date
            case (.date, .date): return .int
            default: break
            }
            throw ExpressionError(offset: offset, "cannot subtract \(r.map(\.description) ?? "null") from \(l.map(\.description) ?? "null")")
        case .multiply, .divide, .remainder:
            try require(l, .int, at: left.offset, "'\(op.rawValue)' needs numbers")
            try require(r, .int, at: right.offset, "'\(op.rawValue)' needs numbers")
            return .int
        }
    }

    /// `outcome == "mett"` where `outcome` is an enum: name the allowed values.
    private func checkEnumLiteral(_ side: Expression, _ other: Expression) throws(ExpressionError) {
        guard case .literal(.string(let literal), let offset) = other else { return }
        let field: FieldDefinition?
        switch side {
        case .field(let name, _): field = scope.caseFields[name]
        case .eventField(let name, _): field = scope.eventFields?[name]
        default: field = nil
        }
        guard let field, case .enumeration(let values) = field.type, !values.contains(literal) else { return }
        throw ExpressionError(offset: offset, "'\(literal)' is not a value of \(field.name) (\(values.joined(separator: ", ")))",
                              hint: NameSuggestion.hint(for: literal, in: values))
    }

    private func checkCall(_ name: String, _ args: [Expression], _ offset: Int) throws(ExpressionError) -> ValueType? {
        guard let function = ExpressionFunction(rawValue: name) else {
            throw ExpressionError(offset: offset, "unknown function '\(name)'",
                                  hint: NameSuggestion.hint(for: name, in: ExpressionFunction.allCases.map(\.rawValue))
                                      ?? "the functions are \(ExpressionFunction.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        func arity(_ counts: ClosedRange<Int>) throws(ExpressionError) {
            guard counts.contains(args.count) else {
                throw ExpressionError(offset: offset, "\(name) takes \(counts.lowerBound == counts.upperBound ? "\(counts.lowerBound)" : "\(counts.lowerBound) or \(counts.upperBound)") argument\(counts.upperBound == 1 ? "" : "s")",
                                      hint: "write \(function.signature)")
            }
        }
        switch function {
        case .len:
            try arity(1...1)
            let t = try check(args[0])
            guard t == .string || t == .list else {
                throw ExpressionError(offset: args[0].offset, "len needs a text or a list")
            }
            return .int
        case .lookup, .has:
            try arity(function == .has ? 2...2 : 2...3)
            let table = try resolveTable(args[0])
            let keyType = try check(args[1])
            guard keyType == nil || keyType == .string else {
                throw ExpressionError(offset: args[1].offset, "a table key is text, found \(keyType!)")
            }
            if function == .has { return .bool }
            if args.count == 2 {
                guard table.columns.count == 1 else {
                    throw ExpressionError(offset: offset, "table '\(table.name)' has several columns",
                                          hint: "name one: lookup(\(table.name), key, \"\(table.columns.first?.name ?? "column")\")")
                }
                return table.columns[0].type.valueType
            }
            guard case .literal(.string(let columnName), let columnOffset) = args[2] else {
                throw ExpressionError(offset: args[2].offset, "the column of lookup is a quoted name")
            }
            guard let column = table.column(columnName) else {
                throw ExpressionError(offset: columnOffset, "table '\(table.name)' has no column '\(columnName)'",
                                      hint: NameSuggestion.hint(for: columnName, in: table.columns.map(\.name)))
            }
            return column.type.valueType
        case .if:
            try arity(3...3)
            try require(try check(args[0]), .bool, at: args[0].offset, "the condition of if must be true/false")
            let a = try check(args[1]), b = try check(args[2])
            if let a, let b, a != b {
                throw ExpressionError(offset: args[2].offset, "both branches of if must have one type, found \(a) and \(b)")
            }
            return a ?? b
        case .today:
            try arity(0...0)
            return .date
        case .contains:
            try arity(2...2)
            try require(try check(args[0]), .list, at: args[0].offset, "contains needs a list first")
            try require(try check(args[1]), .string, at: args[1].offset, "contains looks for a text")
            return .bool
        case .isSet:
            try arity(1...1)
            try check(args[0])
            return .bool
        case .year:
            try arity(1...1)
            try require(try check(args[0]), .date, at: args[0].offset, "year needs a date")
            return .int
        case .daysBetween:
            try arity(2...2)
            try require(try check(args[0]), .date, at: args[0].offset, "days_between needs dates")
            try require(try check(args[1]), .date, at: args[1].offset, "days_between needs dates")
            return .int
        case .coalesce:
            try arity(2...2)
            let a = try check(args[0]), b = try check(args[1])
            if let a, let b, a != b {
                throw ExpressionError(offset: args[1].offset, "the fallback must have the value's type (\(a)), found \(b)")
            }
            return a ?? b
        }
    }

    private func resolveTable(_ arg: Expression) throws(ExpressionError) -> LookupTable {
        guard case .field(let name, let offset) = arg else {
            throw ExpressionError(offset: arg.offset, "the first argument of lookup is a table name")
        }
        guard let table = scope.tables[name] else {
            throw ExpressionError(offset: offset, "unknown table '\(name)'",
                                  hint: NameSuggestion.hint(for: name, in: scope.tables.keys))
        }
        return table
    }
}
