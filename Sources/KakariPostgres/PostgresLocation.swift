import Foundation
import KakariStore
import PostgresNIO

/// A PostgreSQL store's address, parsed from `postgres://USER[:PASSWORD]@HOST[:PORT]/DB`.
///
/// Query options: `schema=NAME` keeps the store in its own schema of the database (several
/// stores in one database; the tests use one per test), `sslmode=disable|prefer|require`
/// (default prefer), `host=/socket/folder` for a unix socket, `timeout=SECONDS` for how long
/// a statement or a transaction may go unanswered before its connection is given up
/// (default 300; 0 waits for ever). The password may also come from `PGPASSWORD`.
public struct PostgresLocation: Hashable, Sendable, CustomStringConvertible {
    public var user: String
    public var password: String?
    public var host: String
    public var port: Int
    public var database: String
    public var schema: String
    public var sslMode: String
    public var socketFolder: String?
    /// How long one statement or transaction may wait for the server's answer, in seconds
    /// (`nil`: for ever). A connection cut without a word (a network that drops packets, a
    /// server gone mid-answer) is closed then, so a command ends with a sentence instead of
    /// waiting for ever.
    public var timeout: Double?

    /// Parses `text`, or refuses it with a one-sentence reason.
    public init(_ text: String) throws {
        guard let url = URLComponents(string: text), url.scheme == "postgres" || url.scheme == "postgresql" else {
            throw StoreError(.invalidStore, "'\(text)' is not a PostgreSQL address such as postgres://kakari@localhost:5432/kakari")
        }
        let query = Dictionary((url.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { _, b in b })
        user = url.user ?? ProcessInfo.processInfo.environment["PGUSER"] ?? "postgres"
        password = url.password ?? ProcessInfo.processInfo.environment["PGPASSWORD"]
        host = url.host.flatMap { $0.isEmpty ? nil : $0 } ?? "localhost"
        port = url.port ?? 5432
        database = String(url.path.drop { $0 == "/" })
        schema = query["schema"] ?? "public"
        sslMode = query["sslmode"] ?? "prefer"
        socketFolder = query["host"].flatMap { $0.hasPrefix("/") ? $0 : nil }
        switch query["timeout"].map({ Double($0) }) {
        case nil: timeout = 300
        case let seconds?? where seconds > 0 && seconds.isFinite: timeout = seconds
        case 0?: timeout = nil
        default: throw StoreError(.invalidStore, "timeout '\(query["timeout"] ?? "")' must be a number of seconds (0 waits for ever)")
        }
        guard !database.isEmpty, !database.contains("/") else {
            throw StoreError(.invalidStore, "'\(text)' names no database; write postgres://USER@HOST[:PORT]/DB")
        }
        guard Self.isPlainName(schema) else {
            throw StoreError(.invalidStore, "schema '\(schema)' must be lower-case letters, digits and underscores")
        }
        guard ["disable", "prefer", "require"].contains(sslMode) else {
            throw StoreError(.invalidStore, "sslmode '\(sslMode)' is not one of disable, prefer, require")
        }
    }

    static func isPlainName(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 63 && name.allSatisfy { ($0.isASCII && ($0.isLowercase || $0.isNumber)) || $0 == "_" }
            && !(name.first?.isNumber ?? true)
    }

    /// The address without the password, for messages and logs.
    public var description: String {
        var out = "postgres://\(user)@\(host):\(port)/\(database)"
        if schema != "public" { out += "?schema=\(schema)" }
        return out
    }

    /// The same server and user, another database (the maintenance database for CREATE DATABASE).
    func with(database: String) -> PostgresLocation {
        var copy = self
        copy.database = database
        copy.schema = "public"
        return copy
    }

    /// One connection's configuration, for the probe that opening a store makes.
    func connectionConfiguration() -> PostgresConnection.Configuration {
        var config: PostgresConnection.Configuration
        if let socketFolder {
            config = .init(unixSocketPath: socketFolder + "/.s.PGSQL.\(port)", username: user, password: password, database: database)
        } else {
            config = .init(host: host, port: port, username: user, password: password, database: database, tls: tls)
        }
        config.options.connectTimeout = .seconds(5)
        config.options.additionalStartupParameters = [("search_path", schema), ("application_name", "kakari")]
        return config
    }

    var tls: PostgresConnection.Configuration.TLS {
        switch sslMode {
        case "disable": .disable
        case "require": .require(try! .init(configuration: .makeClientConfiguration()))
        default: .prefer(try! .init(configuration: .makeClientConfiguration()))
        }
    }

    /// postgres-nio's configuration for this address.
    func configuration(maximumConnections: Int) -> PostgresClient.Configuration {
        var config: PostgresClient.Configuration
        if let socketFolder {
            config = .init(unixSocketPath: socketFolder + "/.s.PGSQL.\(port)", username: user, password: password, database: database)
        } else {
            let tls: PostgresClient.Configuration.TLS = switch sslMode {
            case "disable": .disable
            case "require": .require(.makeClientConfiguration())
            default: .prefer(.makeClientConfiguration())
            }
            config = .init(host: host, port: port, username: user, password: password, database: database, tls: tls)
        }
        config.options.maximumConnections = maximumConnections
        config.options.minimumConnections = 0
        config.options.connectionIdleTimeout = .seconds(10)
        config.options.connectTimeout = .seconds(5)
        config.options.additionalStartupParameters = [("search_path", schema), ("application_name", "kakari")]
        return config
    }
}
