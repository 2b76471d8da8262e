import Foundation
import RedistIngest
import RedistModel

/// What `redist check` finds in a pipeline file that loads: settings that
/// are valid one by one but cannot work together (a rule no movement can
/// ever match, a source that matches no file). Loading the file has already
/// refused everything that is wrong on its own.
public enum PipelineCheck {
    /// One finding, compiler style: `pipeline.toml:12: error: …`.
    public struct Finding: Sendable, CustomStringConvertible, Equatable {
        public enum Severity: String, Sendable { case error, warning }
        public var line: Int
        public var severity: Severity
        public var message: String
        public var file: String
        public var description: String { "\(file):\(line): \(severity.rawValue): \(message)" }
    }

    /// Formats whose records never carry an account code, so a rule on
    /// `account` cannot match their movements.
    static let formatsWithoutAccounts: Set<String> = ["360giving"]

    /// The findings, in the file's order.
    public static func findings(_ pipeline: Pipeline) -> [Finding] {
        var out: [Finding] = []
        func add(_ line: Int, _ severity: Finding.Severity, _ message: String) {
            out.append(Finding(line: line, severity: severity, message: message, file: pipeline.file))
        }
        for s in pipeline.sources where Glob.expand(s.path, relativeTo: pipeline.directory).isEmpty {
            add(s.line, .warning, noFile(s))
        }
        let movementSources = pipeline.sources.filter { $0.role != .members }
        let fundCodes = Set(pipeline.funds.map(\.code))
        for rule in pipeline.rules {
            let context = "[[rule]] number \(rule.number)"
            var candidates = movementSources
            if let names = rule.sources {
                for name in names where !pipeline.sources.contains(where: { $0.name == name }) {
                    add(rule.line, .error, "source \"\(name)\" in \(context) is not the name of any [[source]] (the sources are: \(pipeline.sources.map(\.name).joined(separator: ", "))), so the rule can never match")
                }
                candidates = candidates.filter { names.contains($0.name) }
            }
            if let funds = rule.funds {
                for code in funds where !fundCodes.contains(code) {
                    add(rule.line, .error, "fund \"\(code)\" in \(context) is not the code of any [[fund]], so the rule matches only movements of an undeclared fund; declare it with a [[fund]] table whose code = \"\(code)\", or correct the code")
                }
            }
            if rule.account != nil, !candidates.isEmpty, !candidates.contains(where: givesAccounts) {
                let names = candidates.map { "\"\($0.name)\"" }.joined(separator: ", ")
                add(rule.line, .error, "\(context) matches on account, but no source it can apply to (\(names)) gives account codes; map the account column in [source.columns] (account = \"…\"), or match on something else")
            }
        }
        return out
    }

    /// What is said of a source whose path matches no file (by `check` and by `run`).
    public static func noFile(_ s: Pipeline.Source) -> String {
        "source \"\(s.name)\" matched no file with path \"\(s.path)\" (relative to the pipeline file's folder); fix path in its [[source]] table, or add the export there"
    }

    /// True when the source's movements can carry an account code.
    static func givesAccounts(_ s: Pipeline.Source) -> Bool {
        if s.format == "csv" { return s.columns["account"] != nil }
        return !formatsWithoutAccounts.contains(s.format)
    }
}
