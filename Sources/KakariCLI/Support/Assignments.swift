import ArgumentParser

/// Splits `FIELD=VALUE` arguments; anything without `=` is a usage error.
func assignments(_ arguments: [String]) throws -> [String: String] {
    var out: [String: String] = [:]
    for argument in arguments {
        guard let eq = argument.firstIndex(of: "="), eq != argument.startIndex else {
            throw ValidationError("'\(argument)' is not FIELD=VALUE")
        }
        let name = String(argument[..<eq])
        guard out[name] == nil else { throw ValidationError("\(name) is given twice") }
        out[name] = String(argument[argument.index(after: eq)...])
    }
    return out
}
