/// A task a state gives to a section when a case enters it. Completing the task delivers
/// its form as the event `event`, which advances the case.
public struct TaskDefinition: Hashable, Sendable {
    /// Where a task goes: a fixed section, or one computed from the case's data.
    public enum SectionRule: Hashable, Sendable {
        case fixed(String)
        case route(Expression, source: String)
    }

    public var kind: String
    public var label: String
    public var title: Template
    public var section: SectionRule
    public var due: Duration?
    public var followUp: Duration?
    /// Higher first; households with pre-school children, for example.
    public var priority: Expression?
    /// The fields the worker fills in.
    public var form: [FieldDefinition]
    /// The event that completing the task delivers.
    public var event: String
    /// The case fields the worker may see.
    public var sees: [String]
    /// A decision (資格・賦課の最終決定): never given to a contractor.
    public var decision: Bool
    /// The roles that may complete it (empty: staff and leads of the section, and contractors
    /// when `contractor` is set).
    public var contractor: Bool
    /// A confirmation ("four eyes"): must be completed by someone other than whoever completed
    /// the task of kind `confirms` in this case.
    public var confirms: String?
    /// `for_each:`: the list field that gives one task per item (one per household member, say).
    /// The item is `item` in the title and `event.item` in the branches.
    public var forEach: String?
    /// `retain:`: the kind of an earlier task of this case; the new task goes straight to whoever
    /// completed that one (retain familiar).
    public var retain: String?
    /// `critical:`: a critical section of the case. While someone holds a task of a section, no
    /// one else may take or complete another task of the same section in the same case.
    public var critical: String?

    /// `sheet:`: the paper survey sheet (調査票) of the task, when it has one: what an
    /// investigator fills in, under a sheet number only (`kakari tasks export --sheets`).
    public var sheet: SurveySheetDefinition?

    /// The name an item of a `for_each:` task goes by.
    public static let itemName = "item"

    public init(
        kind: String, label: String? = nil, title: Template, section: SectionRule, due: Duration? = nil,
        followUp: Duration? = nil, priority: Expression? = nil, form: [FieldDefinition] = [],
        event: String? = nil, sees: [String] = [], decision: Bool = false, contractor: Bool = false,
        confirms: String? = nil, forEach: String? = nil, retain: String? = nil,
        critical: String? = nil, sheet: SurveySheetDefinition? = nil
    ) {
        self.kind = kind
        self.label = label ?? kind
        self.title = title
        self.section = section
        self.due = due
        self.followUp = followUp
        self.priority = priority
        self.form = form
        self.event = event ?? kind
        self.sees = sees
        self.decision = decision
        self.contractor = contractor
        self.confirms = confirms
        self.forEach = forEach
        self.retain = retain
        self.critical = critical
        self.sheet = sheet
    }

    /// The fields completing the task delivers: the form, and `item` for a `for_each:` task.
    public var eventFields: [FieldDefinition] {
        guard forEach != nil else { return form }
        return form + [FieldDefinition(name: Self.itemName, type: .string, label: "item")]
    }
}

/// A task's survey sheet: its heading and the form fields printed on it. The heading and the
/// fields are chosen by the section lead so that a lost sheet tells nothing of the survey's
/// subject or of the household (DOMAIN.md §1): the sheet carries a sheet number, no name.
public struct SurveySheetDefinition: Hashable, Sendable {
    public var title: String
    public var fields: [String]

    public init(title: String, fields: [String]) {
        self.title = title
        self.fields = fields
    }
}
