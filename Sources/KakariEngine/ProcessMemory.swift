import Foundation

/// How much memory this process has held at most: for `kakari bench` and the daemon's report.
public enum ProcessMemory {
    /// The peak resident set from `getrusage`, in MB. On Linux it includes what the parent
    /// held when it started this process (carried across exec), so a child started by a large
    /// process reads high; `highWaterMegabytes` does not.
    public static func peakMegabytes() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1024
    }

    /// This process's own peak resident set (`VmHWM` of /proc/self/status), in MB, or nil
    /// where there is no /proc.
    public static func highWaterMegabytes() -> Double? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kilobytes = Double(line.dropFirst("VmHWM:".count).split(whereSeparator: \.isWhitespace).first ?? "") else { return nil }
        return kilobytes / 1024
    }
}
