import Foundation
import RedistCore
import RedistIngest
import RedistModel
import RedistReports
import Testing

/// docs/pipeline-reference.md against the code: every key, column, option,
/// role, format, date format, category, fund type and output column the
/// code accepts or writes, taken from the code's own lists, is documented,
/// and nothing is documented that the code does not accept.
@Suite("Pipeline reference")
struct ReferenceTests {
    static let text = (try? String(contentsOfFile: Repo.root + "/docs/pipeline-reference.md", encoding: .utf8)) ?? ""

    /// The lines under the heading that is exactly `heading`, up to the next heading.
    static func section(_ heading: String) -> [Substring] {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard let start = lines.firstIndex(where: { $0 == heading }) else { return [] }
        let rest = lines[(start + 1)...]
        let end = rest.firstIndex { $0.hasPrefix("#") } ?? lines.endIndex
        return Array(lines[(start + 1)..<end])
    }

    /// The section's tables, by the title of their first column: the
    /// `` `name` `` of each row's first cell.
    static func tables(_ heading: String) -> [String: [String]] {
        var out: [String: [String]] = [:]
        var current: String? = nil
        for line in section(heading) {
            guard line.hasPrefix("| ") else { current = nil; continue }
            let first = line.dropFirst(2).prefix { $0 != "|" }.trimmingCharacters(in: .whitespaces)
            if current == nil { current = first; out[first] = out[first] ?? []; continue }
            guard first.hasPrefix("`"), first.hasSuffix("`"), first.count > 2 else { continue }
            out[current!, default: []].append(String(first.dropFirst().dropLast()))
        }
        return out
    }

    static func same(_ documented: [String]?, _ code: [String], _ what: String) {
        let documented = Set(documented ?? [])
        let code = Set(code)
        #expect(code.subtracting(documented).isEmpty, "\(what): accepted by the code but not in docs/pipeline-reference.md: \(code.subtracting(documented).sorted())")
        #expect(documented.subtracting(code).isEmpty, "\(what): documented but not accepted by the code: \(documented.subtracting(code).sorted())")
    }

    @Test func everyTableIsDocumented() {
        #expect(!Self.text.isEmpty, "docs/pipeline-reference.md is missing")
        // Every top-level key is a table with a key list and a heading of its own.
        for key in Pipeline.Keys.root {
            let table = Pipeline.Keys.tables.first { $0.table == "[\(key)]" || $0.table == "[[\(key)]]" }
            #expect(table != nil, "\(key) has no key list in Pipeline.Keys.tables")
            if let table { #expect(Self.text.contains("\n## `\(table.table)`\n"), "\(table.table) has no heading in the reference") }
        }
    }

    @Test(arguments: Pipeline.Keys.tables.map(\.table))
    func everyKeyOfATableIsDocumented(_ table: String) {
        let keys = Pipeline.Keys.tables.first { $0.table == table }!.keys
        Self.same(Self.tables("## `\(table)`")["key"], keys, table)
    }

    @Test(arguments: Readers.formats)
    func everyColumnAndOptionOfAFormatIsDocumented(_ format: String) {
        let reader = Readers.reader(for: format)!
        let heading = "#### format `\(format)`"
        let tables = Self.tables(heading)
        Self.same(tables["column"], reader.columnKeys, "[source.columns] of format \(format)")
        Self.same(tables["option"], reader.optionKeys, "[source.options] of format \(format)")
        let prose = Self.section(heading).joined(separator: "\n")
        for role in reader.roles {
            #expect(prose.contains("`\(role.rawValue)`"), "format \(format): role \(role.rawValue) is not named")
        }
    }

    @Test func everyValueListIsDocumented() {
        Self.same(Self.tables("### Roles")["role"], SourceRole.allCases.map(\.rawValue), "roles")
        Self.same(Self.tables("### Date formats")["format"], DateFormat.allCases.map(\.rawValue), "date formats")
        Self.same(Self.tables("### Categories")["category"], Category.allCases.map(\.rawValue), "categories")
        Self.same(Self.tables("## `[[fund]]`")["type"], Pipeline.FundType.allCases.map(\.rawValue), "fund types")
        let formats = Readers.formats.filter { Self.text.contains("\n#### format `\($0)`\n") }
        Self.same(formats, Readers.formats, "formats")
    }

    @Test func everyOutputColumnIsDocumented() {
        let outputs: [(String, [String])] = [
            ("summary.csv", SummaryCSV.header), ("fund_movements.csv", FundMovementsCSV.header), ("transactions.csv", TransactionsCSV.header),
            ("quality.csv", QualityCSV.header), ("reconciliation.csv", ReconciliationCSV.header),
            ("open-data/360giving.csv", OpenData360Giving.header),
            ("evidence/<funder>/grants.csv", EvidencePack.grantsHeader), ("evidence/<funder>/flows.csv", EvidencePack.flowsHeader),
        ]
        for (file, header) in outputs {
            Self.same(Self.tables("### `\(file)`")["column"], header, file)
        }
    }
}
