import Crypto
import Foundation
import KakariCore
import KakariStore

/// How a personal value is stored for a case in a dataset: a string token that names the
/// dataset, carries a blind index for lookups, and the value encrypted with AES-GCM.
///
/// `kakari:sealed:1:DATASET:INDEX:CIPHERTEXT`, where CIPHERTEXT is base64url of nonce,
/// ciphertext and tag over the value's JSON, and INDEX is the hex of the first 16 bytes of an
/// HMAC-SHA256 of the normalised text (empty for values that are not text). After
/// `kakari purge` the token becomes `kakari:erased:DATASET`. The token uses no character JSON
/// escapes, so a store can find it inside any JSON text.
public enum SealedValue {
    static let sealedPrefix = "kakari:sealed:1:"
    static let erasedPrefix = "kakari:erased:"

    /// The two keys a dataset's key file gives: one encrypts, one makes the blind index.
    struct Keys: Sendable {
        let seal: SymmetricKey
        /// Numbers the dataset's survey sheets (a purge destroys the link with the key).
        let sheet: SymmetricKey
        /// An HMAC already keyed for the blind index: each use copies it (keying is a third of its cost).
        let indexer: HMAC<SHA256>

        init(_ master: SymmetricKey) {
            seal = HKDF<SHA256>.deriveKey(inputKeyMaterial: master, info: Data("kakari seal v1".utf8), outputByteCount: 32)
            sheet = HKDF<SHA256>.deriveKey(inputKeyMaterial: master, info: Data("kakari survey sheet v1".utf8), outputByteCount: 32)
            let index = HKDF<SHA256>.deriveKey(inputKeyMaterial: master, info: Data("kakari blind index v1".utf8), outputByteCount: 32)
            indexer = HMAC<SHA256>(key: index)
        }
    }

    /// A dataset name is letters, digits, `-` and `_`: it sits inside tokens and file names.
    public static func isValidDataset(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 64 && name.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || $0 == "-" || $0 == "_") }
    }

    /// Marks `value` for `dataset` with `keys`; `indexed` adds the blind index of a text (not
    /// needed for task titles, which are never looked up).
    static func seal(_ value: Value, dataset: String, keys: Keys, indexed: Bool = true) throws -> Value {
        var json = ""
        JSONWriter.value(value, &json)
        let box = try AES.GCM.seal(Data(json.utf8), using: keys.seal)
        var index = ""
        if indexed, case .string(let text) = value { index = blindIndex(text, keys: keys) }
        return .string(sealedPrefix + dataset + ":" + index + ":" + base64url(box.combined!))
    }

    /// The blind index of a text: equal for texts that differ only in width and spaces.
    static func blindIndex(_ text: String, keys: Keys) -> String {
        let normalised = Engine.normalised(text)
        var hmac = keys.indexer
        hmac.update(data: Data(normalised.utf8))
        let mac = hmac.finalize()
        return hex(Data(mac).prefix(16))
    }

    /// The erased form of any value of `dataset`.
    static func erased(_ dataset: String) -> Value { .string(erasedPrefix + dataset) }

    /// A stored token taken apart, or nil for an ordinary value.
    struct Token {
        var dataset: String
        var index: String
        var ciphertext: Substring
        var erased: Bool
    }

    /// Whether `value` is a token (sealed or erased): one comparison of bytes, on every value read.
    static func isToken(_ value: Value) -> Bool {
        guard case .string(let text) = value else { return false }
        return text.utf8.starts(with: marker)
    }

    private static let marker = Array("kakari:".utf8)

    static func token(_ value: Value) -> Token? {
        guard case .string(let text) = value, text.utf8.starts(with: marker) else { return nil }
        if text.hasPrefix(erasedPrefix) {
            return Token(dataset: String(text.dropFirst(erasedPrefix.count)), index: "", ciphertext: "", erased: true)
        }
        guard text.hasPrefix(sealedPrefix) else { return nil }
        // DATASET:INDEX:CIPHERTEXT, all ASCII: split on the UTF-8 bytes.
        let rest = text.utf8.dropFirst(sealedPrefix.utf8.count)
        guard let first = rest.firstIndex(of: UInt8(ascii: ":")) else { return nil }
        let afterFirst = rest[rest.index(after: first)...]
        guard let second = afterFirst.firstIndex(of: UInt8(ascii: ":")) else { return nil }
        let cipher = afterFirst[afterFirst.index(after: second)...]
        guard !cipher.contains(UInt8(ascii: ":")) else { return nil }
        return Token(dataset: String(Substring(rest[..<first])), index: String(Substring(afterFirst[..<second])),
                     ciphertext: Substring(cipher), erased: false)
    }

    /// The value inside a sealed token.
    static func open(_ token: Token, keys: Keys) throws -> Value {
        guard let data = Data(base64urlEncoded: token.ciphertext),
              let plain = try? AES.GCM.open(AES.GCM.SealedBox(combined: data), using: keys.seal),
              let text = String(data: plain, encoding: .utf8), let value = JSONReader.value(json: text) else {
            throw EngineError(.refused, "a personal value of dataset \(token.dataset) does not decrypt with its key: the key file does not belong to this store, or the value was altered")
        }
        return value
    }

    /// What the engine works with where a value was erased: nothing for an optional field, a
    /// fixed placeholder of the field's type for a required one (so that replay still runs).
    static func placeholder(for field: FieldDefinition?) -> Value {
        guard let field, field.required else { return .null }
        if field.defaultValue != .null { return field.defaultValue }
        switch field.type {
        case .string, .text: return .string("(消去済み)")
        case .int: return .int(0)
        case .bool: return .bool(false)
        case .list: return .list([])
        case .date: return .date(Day(year: 1970, month: 1, day: 1))
        case .enumeration(let values): return .string(values.first ?? "")
        }
    }

    /// Replaces every sealed token of `dataset` inside a stored text (JSON or plain) by its
    /// erased form: what `kakari purge` writes over the ciphertext.
    static func eraseTokens(of dataset: String, in text: String) -> String {
        let marker = sealedPrefix + dataset + ":"
        guard text.contains(marker) else { return text }
        var out = ""
        var rest = Substring(text)
        while let range = rest.range(of: marker) {
            out += rest[..<range.lowerBound]
            out += erasedPrefix + dataset
            var end = range.upperBound
            while end < rest.endIndex, Self.tokenCharacters.contains(rest[end]) { end = rest.index(after: end) }
            rest = rest[end...]
        }
        return out + rest
    }

    private static let tokenCharacters = Set("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_:")

    /// Base64url without padding: Foundation's base64 with its three characters mapped in one
    /// pass (string replacement was a sixth of an import's time).
    static func base64url(_ data: Data) -> String {
        let encoded = [UInt8](data.base64EncodedData())
        var out = [UInt8]()
        out.reserveCapacity(encoded.count)
        for byte in encoded {
            switch byte {
            case UInt8(ascii: "="): continue
            case UInt8(ascii: "+"): out.append(UInt8(ascii: "-"))
            case UInt8(ascii: "/"): out.append(UInt8(ascii: "_"))
            default: out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// Lower-case hex of `bytes` (`String(format:)` per byte was a third of an import's time).
    static func hex<S: Sequence<UInt8>>(_ bytes: S) -> String {
        var out: [UInt8] = []
        for b in bytes { out.append(hexDigits[Int(b >> 4)]); out.append(hexDigits[Int(b & 15)]) }
        return String(decoding: out, as: UTF8.self)
    }
}

extension Data {
    init?(base64urlEncoded text: Substring) {
        var bytes = Array(text.utf8).map { $0 == UInt8(ascii: "-") ? UInt8(ascii: "+") : $0 == UInt8(ascii: "_") ? UInt8(ascii: "/") : $0 }
        while bytes.count % 4 != 0 { bytes.append(UInt8(ascii: "=")) }
        self.init(base64Encoded: Data(bytes))
    }
}
