import KakariCore
import Testing

@Suite("The expression language")
struct ExpressionTests {
    let fields: [String: FieldDefinition] = [
        "visits": FieldDefinition(name: "visits", type: .int),
        "town": FieldDefinition(name: "town", type: .string),
        "result": FieldDefinition(name: "result", type: .enumeration(["面接", "不在"])),
        "members": FieldDefinition(name: "members", type: .list),
        "since": FieldDefinition(name: "since", type: .date),
        "children": FieldDefinition(name: "children", type: .bool),
    ]
    let towns = LookupTable(name: "towns", columns: [.init(name: "area", type: .string)],
                            rows: ["練馬": ["area": .string("honcho")]], keys: ["練馬"])

    func scope(event: [String: FieldDefinition]? = nil) -> ExpressionScope {
        ExpressionScope(caseFields: fields, eventFields: event, tables: ["towns": towns])
    }

    func eval(_ text: String, _ data: [String: Value], event: [String: Value] = [:]) throws -> Value {
        let e = try ExpressionParser.parse(text)
        try TypeChecker(scope: scope(event: ["outcome": FieldDefinition(name: "outcome", type: .string)])).check(e)
        return try Evaluator(caseData: data, eventData: event, tables: ["towns": towns], today: Day(year: 2009, month: 5, day: 11)).evaluate(e)
    }

    @Test("arithmetic binds tighter than comparison, comparison tighter than and/or")
    func precedence() throws {
        #expect(try eval("visits + 1 >= 4 and not children", ["visits": .int(3), "children": .bool(false)]) == .bool(true))
        #expect(try eval("1 + 2 * 3", [:]) == .int(7))
        #expect(try eval("(1 + 2) * 3", [:]) == .int(9))
        #expect(try eval("children or visits > 2", ["visits": .int(1), "children": .bool(false)]) == .bool(false))
    }

    @Test("in and not in test membership of a list literal or a list field")
    func membership() throws {
        #expect(try eval("result in [\"面接\", \"不在\"]", ["result": .string("不在")]) == .bool(true))
        #expect(try eval("\"A\" not in members", ["members": .list(["B"])]) == .bool(true))
        #expect(try eval("result in [「面接」]", ["result": .string("面接")]) == .bool(true))
    }

    @Test("lookup reads a table column; a missing key is a runtime error")
    func lookup() throws {
        #expect(try eval("lookup(towns, town, \"area\")", ["town": .string("練馬")]) == .string("honcho"))
        #expect(try eval("has(towns, town)", ["town": .string("大泉")]) == .bool(false))
        #expect(throws: ExpressionError.self) { try eval("lookup(towns, town, \"area\")", ["town": .string("大泉")]) }
    }

    @Test("functions: len, if, today, year, days_between, coalesce, is_set, contains")
    func functions() throws {
        #expect(try eval("len(members)", ["members": .list(["a", "b"])]) == .int(2))
        #expect(try eval("if(children, 10, 0)", ["children": .bool(true)]) == .int(10))
        #expect(try eval("today() - since", ["since": .date(Day(year: 2009, month: 5, day: 1))]) == .int(10))
        #expect(try eval("year(today())", [:]) == .int(2009))
        #expect(try eval("days_between(since, today())", ["since": .date(Day(year: 2009, month: 5, day: 10))]) == .int(1))
        #expect(try eval("coalesce(town, \"?\")", [:]) == .string("?"))
        #expect(try eval("is_set(town)", ["town": .string("")]) == .bool(false))
        #expect(try eval("contains(members, \"a\")", ["members": .list(["a"])]) == .bool(true))
        #expect(try eval("event.outcome == \"x\"", [:], event: ["outcome": .string("x")]) == .bool(true))
    }

    @Test("type errors are found before any case runs, at the offending position")
    func typeErrors() throws {
        func error(_ text: String) -> ExpressionError? {
            do {
                try TypeChecker(scope: scope()).check(try ExpressionParser.parse(text))
                return nil
            } catch { return error }
        }
        #expect(error("visits == \"4\"")?.message == "cannot compare a whole number with text")
        #expect(error("visits + town")?.message == "cannot add text to a whole number")
        #expect(error("vists > 1")?.message == "unknown field 'vists'")
        #expect(error("vists > 1")?.hint == "did you mean 'visits'?")
        #expect(error("result == \"面会\"")?.offset == 10)
        #expect(error("lookup(town, town, \"area\")")?.message == "unknown table 'town'")
        #expect(error("lookup(towns, town, \"aera\")")?.hint == "did you mean 'area'?")
        #expect(error("event.outcome == 1")?.message == "'event.outcome' is used where no event is being handled")
        #expect(error("nope(1)")?.message == "unknown function 'nope'")
    }

    @Test("syntax errors name the problem and where it is")
    func syntaxErrors() {
        func error(_ text: String) -> ExpressionError? {
            do { _ = try ExpressionParser.parse(text); return nil } catch { return error }
        }
        #expect(error("visits = 1")?.hint == "compare with '=='")
        #expect(error("visits == 1 == 2")?.message == "comparisons cannot be chained")
        #expect(error("(visits")?.message == "expected ')' to close '(', found the end")
        #expect(error("\"open")?.message == "text is not closed")
        #expect(error(String(repeating: "(", count: 500) + "1" + String(repeating: ")", count: 500))?.message == "expression is nested too deeply")
        #expect(error("")?.message == "expression is empty")
    }

    @Test("division by zero and arithmetic on an empty field are refused, not crashed")
    func runtimeErrors() {
        #expect(throws: ExpressionError.self) { try eval("visits / 0", ["visits": .int(1)]) }
        #expect(throws: ExpressionError.self) { try eval("visits + 1", [:]) }
    }

    @Test("templates interpolate expressions and keep doubled braces literal")
    func templates() throws {
        let t = try Template("{town} 訪問 {visits + 1} 回目 {{済}}")
        let ev = Evaluator(caseData: ["town": .string("練馬"), "visits": .int(1)], tables: [:], today: Day(year: 2009, month: 5, day: 11))
        #expect(try t.render(ev) == "練馬 訪問 2 回目 {済}")
        #expect(throws: ExpressionError.self) { try Template("{town") }
    }

    @Test("a template names the case fields it reads and whether it reads the event's")
    func templateReferences() throws {
        let t = try Template("{town} 訪問 {visits + 1} 回目 {lookup(towns, town, \"area\")}")
        #expect(t.fieldReferences == ["town", "visits"] && !t.readsEventField)
        let e = try Template("{if(event.outcome == \"面接\", name, \"-\")}")
        #expect(e.fieldReferences == ["name"] && e.readsEventField)
        #expect(try Template("{{済}}").fieldReferences.isEmpty)
    }
}
