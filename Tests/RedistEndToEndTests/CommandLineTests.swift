import Foundation
import Testing

/// The built `redist` command as a user runs it: help on stdout, usage
/// mistakes with the subcommand's usage, the same outputs from any folder,
/// and the report templates outside the checkout.
@Suite(.serialized) struct CommandLineTests {
    static let binary = Repo.root + "/.build/debug/redist"

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs redist in `directory` with the pseudonym key set; nil (and a
    /// note) when the command has not been built.
    func redist(_ arguments: [String], in directory: String? = nil, key: String? = "command-line-test-key") throws -> Result? {
        guard FileManager.default.isExecutableFile(atPath: Self.binary) else {
            print("skipped: no built redist at \(Self.binary) (swift build first)")
            return nil
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Self.binary)
        p.arguments = arguments
        if let directory { p.currentDirectoryURL = URL(fileURLWithPath: directory) }
        var env = ProcessInfo.processInfo.environment
        env["REDIST_PSEUDONYM_KEY"] = key
        p.environment = env
        // Into files, so neither stream can fill a pipe while the other is read.
        let capture = temporaryDirectory("capture")
        defer { try? FileManager.default.removeItem(atPath: capture) }
        FileManager.default.createFile(atPath: capture + "/out", contents: nil)
        FileManager.default.createFile(atPath: capture + "/err", contents: nil)
        p.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: capture + "/out"))
        p.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: capture + "/err"))
        try p.run()
        p.waitUntilExit()
        let outData = Data(read(capture + "/out")), errData = Data(read(capture + "/err"))
        return Result(status: p.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errData, as: UTF8.self))
    }

    @Test func helpAndVersionGoToStdout() throws {
        guard let help = try redist(["--help"]) else { return }
        #expect(help.status == 0)
        #expect(help.stdout.contains("USAGE: redist <subcommand>"), "\(help.stdout)")
        #expect(help.stderr.isEmpty)
        let runHelp = try #require(try redist(["run", "--help"]))
        #expect(runHelp.status == 0 && runHelp.stdout.contains("--templates") && runHelp.stderr.isEmpty)
        let version = try #require(try redist(["--version"]))
        #expect(version.status == 0 && version.stdout == "0.1.0\n" && version.stderr.isEmpty)
        let completion = try #require(try redist(["--generate-completion-script", "bash"]))
        #expect(completion.status == 0 && completion.stdout.contains("_redist()") && completion.stderr.isEmpty)
    }

    @Test func aUsageMistakeShowsTheSubcommandsUsage() throws {
        guard let missing = try redist(["run", "pipelines/example.toml"], in: Repo.root) else { return }
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("Error: Missing expected argument '--period <period>'"), "\(missing.stderr)")
        #expect(missing.stderr.contains("Usage: redist run <pipeline>"), "\(missing.stderr)")
        #expect(missing.stdout.isEmpty)
        let period = try #require(try redist(["run", "pipelines/example.toml", "--period", "2024-Q5"], in: Repo.root))
        #expect(period.status == 2)
        #expect(period.stderr.contains("\"2024-Q5\" is not a period: expected a period such as 2023-Q2"), "\(period.stderr)")
        #expect(period.stderr.contains("Usage: redist run <pipeline>"), "\(period.stderr)")
        let copy = try #require(try redist(["templates", "copy"]))
        #expect(copy.status == 2 && copy.stderr.contains("Usage: redist templates copy <directory>"), "\(copy.stderr)")
    }

    @Test func aMissingKeyIsASentenceNamingTheVariable() throws {
        let copy = try SampleCopy()
        guard let r = try redist(["run", copy.pipeline, "--period", "2024-Q1", "--out", copy.out], key: nil) else { return }
        #expect(r.status == 2)
        #expect(r.stderr.hasPrefix("error: the environment variable REDIST_PSEUDONYM_KEY is not set."), "\(r.stderr)")
        #expect(!r.stderr.contains("environment:0"))
    }

    /// Started from two other folders, with the pipeline named relatively
    /// and then absolutely: the second run reads nothing again, the outputs
    /// are the same bytes, and none holds the folder's absolute path.
    @Test func theFolderItIsRunFromChangesNothing() throws {
        let copy = try SampleCopy()
        let elsewhere = copy.dir + "/elsewhere"
        try FileManager.default.createDirectory(atPath: elsewhere, withIntermediateDirectories: true)
        guard let first = try redist(["run", "pipelines/example.toml", "--period", "2024-Q1", "--out", copy.dir + "/out1"], in: copy.dir) else { return }
        #expect(first.status == 0, "\(first.stderr)")
        // The warehouse is beside the pipeline file, not in the folder the command was started from.
        #expect(FileManager.default.fileExists(atPath: copy.dir + "/pipelines/build/example.sqlite"))
        #expect(!FileManager.default.fileExists(atPath: copy.dir + "/build"))
        let second = try #require(try redist(["run", copy.pipeline, "--period", "2024-Q1", "--out", copy.dir + "/out2"], in: elsewhere))
        #expect(second.status == first.status)
        #expect(second.stderr.contains("files read: 0, unchanged: "), "\(second.stderr)")
        #expect(!FileManager.default.fileExists(atPath: elsewhere + "/build"))
        let a = try everyOutput(under: copy.dir + "/out1"), b = try everyOutput(under: copy.dir + "/out2")
        #expect(a.count >= 10)
        #expect(a.map(\.0) == b.map(\.0))
        for ((name, left), (_, right)) in zip(a, b) {
            #expect(left == right, "\(name) differs between the two runs")
            #expect(!left.contains(copy.dir), "\(name) holds an absolute path")
        }
        let transactions = try #require(a.first { $0.0 == "transactions.csv" }?.1)
        #expect(transactions.contains(",xero,../sample-data/exports/xero-2024-01.csv:49,-69.75,,,,,\r\n"))
    }

    @Test func templatesAreCopiedOutEditedAndCheckedFirst() throws {
        let copy = try SampleCopy()
        let templates = copy.dir + "/pipelines/templates"
        guard let copied = try redist(["templates", "copy", templates]) else { return }
        #expect(copied.status == 0, "\(copied.stderr)")
        #expect(copied.stdout.contains("wrote \(templates)/trustees.mustache"))
        let again = try #require(try redist(["templates", "copy", templates]))
        #expect(again.status == 2 && again.stderr.contains("the file is there already; redist does not overwrite templates"), "\(again.stderr)")

        // The built-in templates, then an edited copy named in the pipeline file.
        let plain = try #require(try redist(["run", copy.pipeline, "--period", "2024-Q1", "--out", copy.dir + "/plain"]))
        #expect(plain.status == 0, "\(plain.stderr)")
        let trustees = templates + "/trustees.mustache"
        try (try String(contentsOfFile: trustees, encoding: .utf8)).replacingOccurrences(of: "<main>", with: "<main><p>Edited by staff.</p>")
            .write(toFile: trustees, atomically: true, encoding: .utf8)
        try (try String(contentsOfFile: copy.pipeline, encoding: .utf8) + "\n[reports]\ntemplates = \"templates\"\n")
            .write(toFile: copy.pipeline, atomically: true, encoding: .utf8)
        let edited = try #require(try redist(["run", copy.pipeline, "--period", "2024-Q1", "--out", copy.dir + "/edited"], in: "/"))
        #expect(edited.status == 0, "\(edited.stderr)")
        #expect(text(copy.dir + "/edited/trustees.html").contains("<p>Edited by staff.</p>"))
        #expect(!text(copy.dir + "/plain/trustees.html").contains("Edited by staff."))
        // The CSV outputs never depend on the templates.
        for name in ["summary.csv", "transactions.csv", "quality.csv", "reconciliation.csv", "open-data/360giving.csv",
                     "evidence/tidewater-foundation/flows.csv", "evidence/tidewater-foundation/grants.csv"] {
            #expect(read(copy.dir + "/plain/" + name) == read(copy.dir + "/edited/" + name), "\(name) changed with the templates")
        }

        // A broken template: exit 2 before any file is read, nothing written.
        try "<p>{{#headline}}never closed</p>\n".write(toFile: templates + "/phrase-headline.mustache", atomically: true, encoding: .utf8)
        let fresh = try SampleCopy("broken-template")
        try FileManager.default.createDirectory(atPath: fresh.dir + "/pipelines/templates", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: templates + "/phrase-headline.mustache", toPath: fresh.dir + "/pipelines/templates/phrase-headline.mustache")
        let broken = try #require(try redist(["run", fresh.pipeline, "--period", "2024-Q1", "--out", fresh.out, "--templates", fresh.dir + "/pipelines/templates"]))
        #expect(broken.status == 2)
        #expect(broken.stderr.hasPrefix("\(fresh.dir)/pipelines/templates/phrase-headline.mustache:1:33: error: the template cannot be read: a section is never closed"), "\(broken.stderr)")
        #expect(!broken.stderr.contains("[1/"), "no stage may start: \(broken.stderr)")
        #expect(!FileManager.default.fileExists(atPath: fresh.out))
        #expect(!FileManager.default.fileExists(atPath: fresh.dir + "/pipelines/build"))
    }
}
