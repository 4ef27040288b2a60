import ArgumentParser
import Foundation
import KakariAnalysis
import KakariCore
import KakariEngine

extension Kakari.Tasks {
    /// `kakari tasks export --ledger | --sheets`: the survey's two paper documents.
    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "export",
            abstract: "Print the ledger (who, where, sheet number) or the survey sheets (sheet number only) of open tasks.",
            discussion: """
            The ledger (台帳) lists, for each open task with a survey sheet that you may see, its sheet \
            number and the fields the task shows (name, address, town…); the sheets (調査票) carry the \
            sheet number, the sheet's heading and fields, and what earlier visits recorded: no name, no \
            address, nothing that tells the survey's subject. The two are joined by the sheet number \
            only, so a lost sheet identifies nobody; sheets come in sheet-number order, not the \
            ledger's. Contractors get their own assignments, staff their section's. Exporting the \
            ledger is audited as a reading of its personal fields.

            Example: kakari tasks export --ledger --format html --output ledger.html --as inoue
            """)
        @Flag(help: "The ledger: sheet numbers with names and addresses.") var ledger = false
        @Flag(help: "The survey sheets: sheet numbers only.") var sheets = false
        @Option(help: "Only this section's tasks.") var section: String?
        @Option(help: "Only tasks of this kind.") var kind: String?
        @Option(help: ArgumentHelp("csv (UTF-8 with BOM, for spreadsheets) or html (printable, one sheet per page).", valueName: "FORMAT"))
        var format = "csv"
        @Option(help: ArgumentHelp("Write to this file instead of stdout.", valueName: "FILE")) var output: String?
        @OptionGroup var global: GlobalOptions

        func validate() throws {
            guard ledger != sheets else { throw ValidationError("give --ledger or --sheets (one of them)") }
            guard ["csv", "html"].contains(format) else { throw ValidationError("--format is csv or html, not '\(format)'") }
        }

        func run() async throws {
            try await failing {
                let context = try await CommandContext.open(global)
                let documents = try await context.engine.surveyDocuments(section: section, kind: kind, by: context.user)
                let out = context.output
                let text: String
                switch (ledger, format) {
                case (true, "csv"): text = SurveyDocumentFormat.ledgerCSV(documents.ledger, output: out)
                case (true, _): text = SurveyDocumentFormat.ledgerHTML(documents.ledger, output: out)
                case (false, "csv"): text = SurveyDocumentFormat.sheetsCSV(documents.sheets, output: out)
                default: text = SurveyDocumentFormat.sheetsHTML(documents.sheets, output: out)
                }
                if let output {
                    guard FileManager.default.createFile(atPath: output, contents: Data(text.utf8)) else {
                        throw EngineError(.refused, "cannot write \(output)")
                    }
                    let what = ledger ? "\(documents.ledger.count) ledger lines" : "\(documents.sheets.count) survey sheets"
                    if context.json { Output.printJSON(["file": output, "lines": ledger ? documents.ledger.count : documents.sheets.count]) } else {
                        print("wrote \(what) to \(output)")
                    }
                } else {
                    print(text, terminator: "")
                }
            }
        }
    }
}

/// The ledger and the sheets as CSV and as printable HTML (self-contained, no scripts).
enum SurveyDocumentFormat {
    static func csv(_ cells: [String]) -> String {
        cells.map { cell in
            cell.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) ? "\"" + cell.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : cell
        }.joined(separator: ",") + "\r\n"
    }

    static func show(_ value: Value?) -> String {
        switch value {
        case nil, .null?: ""
        case .bool(let b)?: b ? "はい" : "いいえ"
        case .list(let items)?: items.joined(separator: "・")
        case let v?: v.description
        }
    }

    static func ledgerCSV(_ lines: [LedgerLine], output: Output) -> String {
        var text = "\u{FEFF}"
        let labels = lines.first?.fields.map(\.field.label) ?? []
        text += csv(["調査票番号"] + labels + ["期限"])
        for line in lines { text += csv([line.number] + line.fields.map { show($0.value) } + [output.date(line.task.due)]) }
        return text
    }

    static func sheetsCSV(_ sheets: [SurveySheet], output: Output) -> String {
        var text = "\u{FEFF}"
        let labels = sheets.first?.fields.map(\.label) ?? []
        text += csv(["調査票番号", "回", "記録日時"] + labels)
        for sheet in sheets {
            for (i, e) in sheet.earlier.enumerated() {
                text += csv([sheet.number, String(i + 1), output.date(e.at)] + sheet.fields.map { show(e.values[$0.name]) })
            }
            text += csv([sheet.number, String(sheet.visit), ""] + sheet.fields.map { _ in "" })
        }
        return text
    }

    static let style = """
    body { font-family: "Noto Sans CJK JP", "Hiragino Sans", "Yu Gothic", "Meiryo", sans-serif; margin: 16mm; color: #000; }
    h1 { font-size: 20px; margin: 0 0 8px; } .no { font-size: 18px; font-weight: bold; letter-spacing: 2px; }
    table { border-collapse: collapse; font-size: 13px; width: 100%; margin: 8px 0; } th, td { border: 1px solid #444; padding: 4px 8px; text-align: left; }
    th { background: #eee; width: 9em; } .blank { height: 4em; } .sheet { page-break-after: always; }
    @media print { body { margin: 10mm; } }
    """

    static func page(_ title: String, _ body: String) -> String {
        "<!DOCTYPE html>\n<html lang=\"ja\"><head><meta charset=\"utf-8\"><title>\(HTML.escape(title))</title><style>\(style)</style></head><body>\n\(body)</body></html>\n"
    }

    static func ledgerHTML(_ lines: [LedgerLine], output: Output) -> String {
        let labels = lines.first?.fields.map(\.field.label) ?? []
        var body = "<h1>台帳</h1>\n<table><tr>" + (["調査票番号"] + labels + ["期限"]).map { "<th>\(HTML.escape($0))</th>" }.joined() + "</tr>\n"
        for line in lines {
            body += "<tr>" + ([line.number] + line.fields.map { show($0.value) } + [output.date(line.task.due)]).map { "<td>\(HTML.escape($0))</td>" }.joined() + "</tr>\n"
        }
        return page("台帳", body + "</table>\n")
    }

    static func sheetsHTML(_ sheets: [SurveySheet], output: Output) -> String {
        var body = ""
        for sheet in sheets {
            body += "<section class=\"sheet\"><h1>\(HTML.escape(sheet.title))</h1>\n"
            body += "<p class=\"no\">No. \(HTML.escape(sheet.number))　第 \(sheet.visit) 回</p>\n"
            if !sheet.earlier.isEmpty {
                body += "<table><tr><th>回</th><th>記録日時</th>" + sheet.fields.map { "<th>\(HTML.escape($0.label))</th>" }.joined() + "</tr>\n"
                for (i, e) in sheet.earlier.enumerated() {
                    body += "<tr><td>\(i + 1)</td><td>\(HTML.escape(output.date(e.at)))</td>"
                        + sheet.fields.map { "<td>\(HTML.escape(show(e.values[$0.name])))</td>" }.joined() + "</tr>\n"
                }
                body += "</table>\n"
            }
            body += "<table><tr><th>訪問日時</th><td></td></tr>\n"
            for field in sheet.fields {
                let blank: String
                switch field.type {
                case .enumeration(let values): blank = values.map { "□ \(HTML.escape($0))" }.joined(separator: "　")
                case .bool: blank = "□ はい　□ いいえ"
                case .text: blank = ""
                default: blank = ""
                }
                body += "<tr><th>\(HTML.escape(field.label))</th><td\(field.type == .text ? " class=\"blank\"" : "")>\(blank)</td></tr>\n"
            }
            body += "</table></section>\n"
        }
        return page(sheets.first?.title ?? "記録票", body)
    }
}
