import Foundation

/// The ward's workflow folder copied elsewhere with edits, as a section lead changes a
/// procedure before deploying it.
public enum EditedWorkflows {
    /// Copies every `.yaml` of `Workflows/` into `folder` (created), passing household-visit.yaml
    /// through `edit`; returns `folder`.
    @discardableResult
    public static func write(to folder: String, household edit: (String) -> String) throws -> String {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for name in try FileManager.default.contentsOfDirectory(atPath: Repository.workflows) where name.hasSuffix(".yaml") {
            let text = try String(contentsOfFile: Repository.workflows + "/" + name, encoding: .utf8)
            try (name == "household-visit.yaml" ? edit(text) : text).write(toFile: folder + "/" + name, atomically: true, encoding: .utf8)
        }
        return folder
    }

    /// A fifth visit (`visits + 1 >= 5`).
    public static func fifthVisit(_ text: String) -> String {
        text.replacingOccurrences(of: "visits + 1 >= 4", with: "visits + 1 >= 5")
    }

    /// The state `contacted` renamed `met`, with its transitions and the deadline's exceptions.
    public static func contactedRenamedMet(_ text: String) -> String {
        text.replacingOccurrences(of: "except: [contacted,", with: "except: [met,")
            .replacingOccurrences(of: "to: contacted\n", with: "to: met\n")
            .replacingOccurrences(of: "\n  contacted:\n", with: "\n  met:\n")
    }
}
