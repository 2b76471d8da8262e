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

    /// The flags the report templates turn on: `ledger`, `grantsOut`,
    /// `grantsIn` and `bank` (true when a source of that role is unread; with
    /// `ledgerNames` and so on, the sources' names),
    /// `any`, and `names`, the unread sources for a sentence.
    public var unreadFlags: [String: Any] {
        let roles: [(String, SourceRole)] = [("ledger", .ledger), ("grantsIn", .grantsIn), ("grantsOut", .grantsOut), ("bank", .bank)]
        var flags: [String: Any] = [:]
        var names: [String] = []
        for (key, role) in roles {
            let unread = unreadSources(role)
            flags[key] = !unread.isEmpty
            flags[key + "Names"] = unread.joined(separator: ", ")
            names += unread
        }
        flags["any"] = !names.isEmpty
        flags["names"] = names.enumerated().map { i, name -> [String: Any] in ["name": name, "first": i == 0, "last": i == names.count - 1] }
        return flags
    }
}
