import ArgumentParser
import Foundation
import RedistCore

/// `redist init DIR`: looks at every file under DIR, identifies each by its
/// content, and writes DIR/pipeline.toml (never over an existing one) with a
/// source per group of files, the funds and accounts found as stubs, and
/// placeholders to fill in; then says what it recognised, what it did not
/// and why, and the command to run next.
struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write DIR/pipeline.toml from the exports found in DIR (formats identified by content).")

    @Argument(help: "The folder of exports.")
    var directory: String

    func run() throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ValidationError("\(directory) is not a folder (expected the folder that holds the exports)")
        }
        let target = (directory as NSString).appendingPathComponent("pipeline.toml")
        if FileManager.default.fileExists(atPath: target) {
            log("\(target): error: already exists, and redist init never overwrites a pipeline file (move it away to write a new one)")
            throw ExitCode(2)
        }
        let draft = PipelineDraft.make(directory: directory)
        print("Recognised:")
        for line in draft.recognised { print("  " + line) }
        if draft.recognised.isEmpty { print("  nothing") }
        if !draft.notRecognised.isEmpty {
            print("Not recognised:")
            for line in draft.notRecognised { print("  " + line) }
        }
        for e in draft.errors { log(e) }
        do {
            // Created only if absent, so a file made meanwhile is never replaced.
            let fd = open(target, O_WRONLY | O_CREAT | O_EXCL, 0o644)
            guard fd >= 0 else { throw CocoaError(.fileWriteFileExists) }
            let bytes = Array(draft.toml.utf8)
            let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            close(fd)
            guard written == bytes.count else { throw CocoaError(.fileWriteUnknown) }
        } catch {
            log("\(target): error: cannot write the pipeline file (\(error.localizedDescription))")
            throw ExitCode(1)
        }
        print("Wrote \(target). Fill in the lines marked \"fill in\", then:")
        print("  export REDIST_PSEUDONYM_KEY='a long random phrase'   # keep it the same every quarter")
        print("  redist check \(target)")
        print("  redist run \(target) --period \(draft.suggestedPeriod ?? "2024-Q1")")
        if !draft.errors.isEmpty { throw ExitCode(1) }
    }
}
