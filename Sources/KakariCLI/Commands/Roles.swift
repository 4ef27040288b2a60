import ArgumentParser
import Foundation
import KakariEngine

extension Kakari {
    /// `kakari roles sync`: one PostgreSQL role per person, under row-level security.
    struct Roles: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "roles",
            abstract: "Database roles for the people of the staff directory (PostgreSQL).",
            subcommands: [Sync.self])

        /// `kakari roles sync`.
        struct Sync: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "sync",
                abstract: "Give each person of the deployed staff directory their own PostgreSQL role under row-level security (leads and admins).",
                discussion: """
                Makes a login role kakari_LOGIN for each person where missing (in the group kakari_people), \
                grants SELECT on the case tables, and stores the directory the row-level security policies \
                read: with psql a person sees the rows kakari would show them and no more. Run it again \
                after each deploy that changes staff.yaml. Passwords are set on the server (ALTER ROLE \
                kakari_LOGIN PASSWORD '…') or replaced by certificate or peer authentication.

                Example: kakari roles sync --store postgres://kakari@db.example/nerima --as admin
                """)
            @OptionGroup var global: GlobalOptions

            func run() async throws {
                try await failing {
                    let context = try await CommandContext.open(global)
                    let people = try await context.engine.syncDatabaseRoles(by: context.user)
                    if context.json {
                        Output.printJSON(people.map { ["login": $0.login, "role": $0.role, "section": $0.section, "database_role": $0.databaseRole] })
                        return
                    }
                    var table = TextTable(["LOGIN", "ROLE", "SECTION", "DATABASE ROLE"])
                    for p in people { table.append([p.login, p.role, p.section, p.databaseRole]) }
                    print(table.rendered)
                }
            }
        }
    }
}
