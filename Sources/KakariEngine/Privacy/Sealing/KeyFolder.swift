import Crypto
import Foundation
import Synchronization

/// The folder that holds one key file per dataset (`NAME.key`, 32 random bytes in hex), kept
/// outside the store: `--keys`, `KAKARI_KEYS`, or `STORE.keys` beside a SQLite file.
///
/// Whoever holds the store but not this folder reads no personal field of a dataset; whoever
/// destroys a key file (`kakari purge`) makes that dataset's stored ciphertext unreadable for good.
public final class KeyFolder: Sendable {
    public let path: String
    private let loaded = Mutex<[String: SymmetricKey]>([:])

    public init(path: String) {
        self.path = path
    }

    /// Where the key of `dataset` lives.
    public func file(of dataset: String) -> String { (path as NSString).appendingPathComponent("\(dataset).key") }

    /// The key of `dataset`, or nil when it was never made or has been destroyed.
    public func key(_ dataset: String) throws -> SymmetricKey? {
        if let key = loaded.withLock({ $0[dataset] }) { return key }
        guard let data = FileManager.default.contents(atPath: file(of: dataset)) else { return nil }
        guard let text = String(data: data, encoding: .utf8)?.trimmingCharacters(in: .whitespacesAndNewlines),
              text.count == 64, let bytes = Data(hexString: text) else {
            throw EngineError(.refused, "the key file \(file(of: dataset)) is damaged; restore it from the ward's key backup")
        }
        let key = SymmetricKey(data: bytes)
        loaded.withLock { $0[dataset] = key }
        return key
    }

    /// Makes a new random key for `dataset` (the folder is created, readable by its owner only).
    /// Refuses to replace a key that exists: that would make the dataset unreadable.
    @discardableResult
    public func create(_ dataset: String) throws -> SymmetricKey {
        if let existing = try key(dataset) { return existing }
        let manager = FileManager.default
        do {
            try manager.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw EngineError(.refused, "cannot make the key folder \(path): \(error.localizedDescription)")
        }
        let key = SymmetricKey(size: .bits256)
        let hex = key.withUnsafeBytes { SealedValue.hex($0) } + "\n"
        guard manager.createFile(atPath: file(of: dataset), contents: Data(hex.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw EngineError(.refused, "cannot write the key file \(file(of: dataset))")
        }
        loaded.withLock { $0[dataset] = key }
        return key
    }

    /// Destroys the key of `dataset`: the file is overwritten with zeros, flushed to disk, and
    /// removed. Returns whether there was a key to destroy.
    @discardableResult
    public func destroy(_ dataset: String) throws -> Bool {
        loaded.withLock { $0[dataset] = nil }
        let path = file(of: dataset)
        guard FileManager.default.fileExists(atPath: path) else { return false }
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 65
        if let handle = FileHandle(forWritingAtPath: path) {
            handle.write(Data(count: max(size, 65)))
            try? handle.synchronize()
            try? handle.close()
        }
        do { try FileManager.default.removeItem(atPath: path) } catch {
            throw EngineError(.refused, "cannot remove the key file \(path): \(error.localizedDescription)")
        }
        return true
    }
}
