import Foundation
import RedistCore
import RedistReports

/// What `redist check` does: reads the pipeline file and checks it, its
/// rules against its sources, the pseudonym key and the templates, without
/// reading any data.
public enum CheckRun {
    /// What was found: the exit status (0, or 2 when anything is wrong), the
    /// findings for stderr and the summary for stdout.
    public struct Outcome {
        public var status: Int32
        public var findings: [String]
        public var summary: [String]
    }

    public static func run(pipelinePath: String, templatesDirectory: String?,
                           environment: [String: String] = ProcessInfo.processInfo.environment) -> Outcome {
        let p: Pipeline
        do { p = try Pipeline.load(path: pipelinePath) } catch {
            return Outcome(status: 2, findings: ["\(error)"], summary: [])
        }
        let found = PipelineCheck.findings(p)
        var findings = found.map(\.description)
        var errors = found.filter { $0.severity == .error }.count
        do { _ = try Pseudonymiser.fromEnvironment(p.privacy.pseudonymKeyEnv, environment: environment) } catch {
            findings.append("\(error)")
            errors += 1
        }
        do { _ = try Templates.load(directory: templatesDirectory ?? p.templatesDirectory) } catch {
            findings.append("\(error)")
            errors += 1
        }
        var summary: [String] = []
        for s in p.sources {
            let n = Glob.expand(s.path, relativeTo: p.directory).count
            summary.append("source \(s.name) (\(s.format), \(s.role.rawValue)): \(n) file\(n == 1 ? "" : "s")")
        }
        if let url = p.warehouse.url { summary.append("warehouse: \(url) (password from $\(p.warehouse.passwordEnv))") }
        if errors > 0 {
            findings.append("\(pipelinePath): \(errors) error\(errors == 1 ? "" : "s") found; no data was read")
            return Outcome(status: 2, findings: findings, summary: summary)
        }
        summary.append("\(p.funds.count) funds, \(p.funders.count) funders, \(p.rules.count) rules: \(pipelinePath) is valid")
        return Outcome(status: 0, findings: findings, summary: summary)
    }
}
