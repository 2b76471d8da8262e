import Foundation
import RedistPipeline
import RedistReports
import Testing

/// `redist check` cases in the error fixtures' style: each folder under
/// `Fixtures/check/` holds an input, the `pipeline.toml` that names it,
/// optionally `environment.txt` (`NAME=value` lines; without it the
/// pseudonym key is set), and `expected.txt`, the exact messages
/// `redist check` prints on stderr (paths relative to the case's folder).
@Suite("Check cases")
struct CheckCaseTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/check")
        .standardizedFileURL.path

    static var cases: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
    }

    static func environment(_ folder: String) -> [String: String] {
        guard let text = try? String(contentsOfFile: folder + "/environment.txt", encoding: .utf8) else {
            return ["REDIST_PSEUDONYM_KEY": "check-case-key"]
        }
        var env: [String: String] = [:]
        for line in text.split(separator: "\n") {
            guard let eq = line.firstIndex(of: "=") else { continue }
            env[String(line[..<eq])] = String(line[line.index(after: eq)...])
        }
        return env
    }

    @Test func thereAreCasesToRun() {
        #expect(Self.cases.count >= 8)
        for name in Self.cases {
            let files = (try? FileManager.default.contentsOfDirectory(atPath: Self.root + "/" + name)) ?? []
            #expect(files.contains("pipeline.toml") && files.contains("expected.txt") && files.count >= 3, "\(name) needs an input, pipeline.toml and expected.txt")
        }
    }

    @Test(arguments: cases)
    func checkCase(_ name: String) throws {
        let folder = Self.root + "/" + name
        let expected = try String(contentsOfFile: folder + "/expected.txt", encoding: .utf8)
            .split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        let outcome = CheckRun.run(pipelinePath: folder + "/pipeline.toml", templatesDirectory: nil, environment: Self.environment(folder))
        let produced = outcome.findings.map { $0.replacingOccurrences(of: folder + "/", with: "") }
        #expect(produced == expected, "\(name): got\n\(produced.joined(separator: "\n"))")
        // Each case is a mistake: check fails with the configuration's exit status, or warns.
        #expect(outcome.status == (expected.contains { $0.contains(": error: ") || $0.hasPrefix("error: ") } ? 2 : 0))
    }

    @Test func theSamplePipelineChecksClean() {
        let outcome = CheckRun.run(pipelinePath: Repo.examplePipeline, templatesDirectory: nil,
                                   environment: ["REDIST_PSEUDONYM_KEY": "check-case-key"])
        #expect(outcome.findings.isEmpty, "\(outcome.findings)")
        #expect(outcome.status == 0)
    }
}
