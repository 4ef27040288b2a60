/// What one simulation run gave: where its cases ended, the tasks each section received per
/// week, the largest number of open tasks at the end of a day, and how long cases took.
public struct SimulationRun: Hashable, Sendable {
    /// Finished cases per final state.
    public var finals: [String: Int]
    /// Cases still open when the run ended.
    public var unfinished: Int
    /// Tasks created per section, per week from the start (week 0 first).
    public var weekly: [String: [Int]]
    public var peakBacklog: Int
    /// Days from start to finish of the median finished case.
    public var medianDaysToFinish: Double
    /// Cases not finished when the profile's `days` had passed.
    public var unfinishedByDeadline: Int
    /// Events or completions the workflow refused during the run.
    public var refused: Int
}
