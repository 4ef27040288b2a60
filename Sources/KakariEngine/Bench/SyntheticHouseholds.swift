import Foundation
import KakariCore

/// Writes `count` invented households as a CSV file for `cases import household-visit`:
/// the required columns only, towns from the deployed `towns` table, about one in five with
/// pre-school children. Deterministic for a given seed.
enum SyntheticHouseholds {
    static func write(count: Int, towns: [String], seed: UInt64, to path: String) throws {
        var random = SeededGenerator(seed: seed)
        guard FileManager.default.createFile(atPath: path, contents: nil),
              let handle = FileHandle(forWritingAtPath: path) else {
            throw EngineError(.refused, "cannot write \(path)")
        }
        defer { try? handle.close() }
        var chunk = "household_no,name,address,town,preschool_children\n"
        for i in stride(from: 1, through: count, by: 1) {
            let town = towns[Int(random.next() % UInt64(towns.count))]
            let children = random.next() % 5 == 0
            chunk += "B\(String(i)),世帯 \(i),練馬区\(town)\(i % 9 + 1)丁目\(i % 30 + 1)番,\(town),\(children)\n"
            if chunk.utf8.count > 1 << 20 {
                try handle.write(contentsOf: Data(chunk.utf8))
                chunk = ""
            }
        }
        try handle.write(contentsOf: Data(chunk.utf8))
    }
}
