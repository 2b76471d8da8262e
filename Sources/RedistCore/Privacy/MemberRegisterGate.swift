import RedistIngest
import RedistModel

/// Privacy fails closed: who may be named is decided by the member
/// register (consent, and who is a person), so a register that matched no
/// file, could not be read, is empty or had any row rejected stops the run
/// before any report or pack is written. A person whose row was rejected
/// would otherwise be an unknown counterparty, printed by name.
public enum MemberRegisterGate {
    /// Throws `DataError` naming each register file and its rejected rows.
    public static func check(_ data: Dataset) throws {
        var problems: [String] = []
        let why = "no report is written, so no one is named who should not be"
        for source in data.pipeline.sources where source.role == .members {
            let files = data.files.filter { $0.source == source.name }
            if files.isEmpty {
                problems.append("\(data.pipeline.file):\(source.line): error: the member register \"\(source.name)\" matched no file with path \"\(source.path)\" (relative to the pipeline file's folder); \(why) (fix path in its [[source]] table, or put the register there)")
                continue
            }
            for f in files {
                if let failure = f.failure {
                    problems.append("\(f.path): error: the member register could not be read (\(failure)); \(why)")
                } else if f.rowsRejected > 0 {
                    let lines = data.findings.filter { $0.1.id == f.id && $0.0.severity == .error }.map { String($0.0.location.line) }
                    let shown = lines.prefix(20).joined(separator: ", ") + (lines.count > 20 ? ", …" : "")
                    problems.append("\(f.path): error: \(f.rowsRejected) row\(f.rowsRejected == 1 ? "" : "s") of the member register \(f.rowsRejected == 1 ? "was" : "were") rejected (line\(lines.count == 1 ? "" : "s") \(shown)); correct \(f.rowsRejected == 1 ? "it" : "them"): \(why)")
                }
            }
            if problems.isEmpty, files.allSatisfy({ $0.failure == nil }), files.reduce(0, { $0 + $1.rowsLoaded }) == 0 {
                problems.append("\(files[0].path): error: the member register has no rows; \(why)")
            }
        }
        if !problems.isEmpty { throw DataError(problems.joined(separator: "\n")) }
    }
}

extension Dataset {
    /// Sources whose path matched no file: the reports say so, and `--strict` fails.
    public var sourcesWithoutFiles: [Pipeline.Source] {
        pipeline.sources.filter { s in !files.contains { $0.source == s.name } }
    }
}

extension Dataset {
    /// The sources of a role that could not be read: a file of it failed,
    /// or its path matched no file. Sentences whose facts come from such a
    /// source say so instead of stating them.
    public func unreadSources(_ role: SourceRole) -> [String] {
        let failed = Set(files.filter { $0.failure != nil }.map(\.source))
        let missing = Set(sourcesWithoutFiles.map(\.name))
        return pipeline.sources.filter { $0.role == role && (failed.contains($0.name) || missing.contains($0.name)) }.map(\.name)
    }

    /// The flags the report templates turn on, for the sources that could not be read.
    public var unreadFlags: UnreadFlags {
        let ledger = unreadSources(.ledger), grantsIn = unreadSources(.grantsIn)
        let grantsOut = unreadSources(.grantsOut), bank = unreadSources(.bank)
        let names = ledger + grantsIn + grantsOut + bank
        return UnreadFlags(
            ledger: !ledger.isEmpty, ledgerNames: ledger.joined(separator: ", "),
            grantsIn: !grantsIn.isEmpty, grantsInNames: grantsIn.joined(separator: ", "),
            grantsOut: !grantsOut.isEmpty, grantsOutNames: grantsOut.joined(separator: ", "),
            bank: !bank.isEmpty, bankNames: bank.joined(separator: ", "),
            any: !names.isEmpty,
            names: names.enumerated().map { i, name in UnreadFlags.Name(name: name, first: i == 0, last: i == names.count - 1) })
    }
}

/// The sources of each role that could not be read: `ledger`, `grantsIn`,
/// `grantsOut` and `bank` are true when a source of that role is unread,
/// `ledgerNames` and so on name them; `any`, and `names`, every unread
/// source for a sentence (`first` and `last` for its commas).
public struct UnreadFlags {
    public struct Name {
        public let name: String
        public let first: Bool, last: Bool
    }
    public let ledger: Bool, ledgerNames: String
    public let grantsIn: Bool, grantsInNames: String
    public let grantsOut: Bool, grantsOutNames: String
    public let bank: Bool, bankNames: String
    public let any: Bool
    public let names: [Name]
}
