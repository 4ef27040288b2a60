import KakariCore
import Yams

/// Loads `staff:` files: the sections that receive tasks and the people in them.
enum StaffLoader {
    /// The directory, and the node of every section and user key for later checks.
    static func load(_ node: Node, _ r: NodeReader) -> (StaffDirectory, homeTowns: [(String, Node)])? {
        guard let f = r.fields(node, "staff", allowed: ["label", "sections", "users"], required: ["sections", "users"])
        else { return nil }
        var directory = StaffDirectory()
        var homeTowns: [(String, Node)] = []
        if let sections = f["sections"].flatMap({ r.mapping($0, "sections") }) {
            for (id, keyNode, value) in sections {
                guard NodeReader.isName(id) else { r.error(keyNode, "section '\(id)' must be an ASCII name", hint: "put Japanese text in its label"); continue }
                let s = r.fields(value, "section '\(id)'", allowed: ["label", "unclaimed", "claimed_by_others"])
                directory.sections.append(.init(id: id, label: s?["label"].flatMap { r.string($0, "label") } ?? id,
                                                showsUnclaimed: shown(s?["unclaimed"], "unclaimed", r),
                                                showsClaimedByOthers: shown(s?["claimed_by_others"], "claimed_by_others", r)))
            }
        }
        let sectionIDs = directory.sections.map(\.id)
        if let users = f["users"].flatMap({ r.mapping($0, "users") }) {
            for (id, keyNode, value) in users {
                guard NodeReader.isName(id) else { r.error(keyNode, "user '\(id)' must be an ASCII login name"); continue }
                guard let u = r.fields(value, "user '\(id)'", allowed: ["name", "section", "role", "home_town"], required: ["section", "role"]),
                      let sectionNode = u["section"], let section = r.string(sectionNode, "section"),
                      let roleNode = u["role"], let roleName = r.string(roleNode, "role") else { continue }
                if !sectionIDs.contains(section) {
                    r.error(sectionNode, "unknown section '\(section)'", hint: NameSuggestion.hint(for: section, in: sectionIDs))
                }
                guard let role = StaffDirectory.Role(rawValue: roleName) else {
                    r.error(roleNode, "unknown role '\(roleName)'",
                            hint: NameSuggestion.hint(for: roleName, in: StaffDirectory.Role.allCases.map(\.rawValue))
                                ?? "roles: \(StaffDirectory.Role.allCases.map(\.rawValue).joined(separator: ", "))")
                    continue
                }
                let town = u["home_town"].flatMap { r.string($0, "home_town") }
                if let town, let node = u["home_town"] { homeTowns.append((town, node)) }
                directory.users.append(.init(id: id, name: u["name"].flatMap { r.string($0, "name") } ?? id,
                                             section: section, role: role, homeTown: town))
            }
        }
        return (directory, homeTowns)
    }

    /// `shown` (the default) or `hidden`: whether a section's staff see a kind of task.
    static func shown(_ node: Node?, _ key: String, _ r: NodeReader) -> Bool {
        guard let node, let text = r.string(node, key) else { return true }
        guard text == "shown" || text == "hidden" else {
            r.error(node, "\(key) is shown or hidden, not '\(text)'", hint: NameSuggestion.hint(for: text, in: ["shown", "hidden"]))
            return true
        }
        return text == "shown"
    }
}
