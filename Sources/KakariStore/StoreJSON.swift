import Foundation
import KakariCore

/// The JSON encoding stores use for snapshots, events and details: sorted keys (so equal
/// values give equal text) and dates as seconds since 1970.
public enum StoreJSON {
    public static func encode<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .secondsSince1970
        return String(decoding: try! encoder.encode(value), as: UTF8.self)
    }

    public static func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        return try decoder.decode(type, from: Data(text.utf8))
    }

    /// A queued event's fields: read by `JSONReader`, or by `JSONDecoder` when they are in a
    /// form it does not know (which then reports any error).
    public static func eventFields(_ text: String) throws -> [String: Value] {
        try JSONReader.values(json: text) ?? decode([String: Value].self, text)
    }
}
