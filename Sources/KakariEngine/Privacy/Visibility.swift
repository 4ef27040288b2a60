/// What a person may see of cases and tasks, from their role in the deployed staff directory.
public enum Visibility: Hashable, Sendable {
    /// Leads and admins (and everyone while no staff directory is deployed).
    case everything
    /// Staff: the cases that have a task in their section, and that section's tasks.
    case section(String)
    /// Contractors: the cases and tasks assigned to them while the task is open, and of a
    /// case only the fields the task `sees`.
    case assignments(user: String, section: String)
    /// The duty desk: only whether a named household is on the survey list (`cases find`).
    case confirmOnly
}
