import Crypto
import Foundation
import RedistCore
import RedistReports

/// What makes a re-run on unchanged inputs cheap: like make, a run whose
/// every input is as it was last time, and whose outputs are still there as
/// it wrote them, has nothing to do.
///
/// The inputs are everything an output depends on: each source file's
/// SHA-256 and reading settings (from the warehouse, after the ingest stage
/// has checked them), the pipeline file, the period, `--strict`, the output
/// folder, the templates, the pseudonym key and the redist executable
/// itself. The stamp keeps their hash, the SHA-256 of every file the run
/// wrote, its messages and its exit status, in the warehouse's `meta` table.
/// Any difference, or an output changed or missing, and the run is done in
/// full. Outputs are deterministic, so the replay is what the run would
/// have written and said.
struct RunStamp: Codable {
    var key: String
    var outputs: [String: String]
    var log: [String]
    var status: Int32

    /// The stamp's name in `meta`: one per output folder and period.
    static func slot(_ ctx: RunContext) -> String {
        "run:\(absolute(ctx.options.outDirectory))|\(ctx.options.period.label)"
    }

    /// The hash of everything the outputs depend on.
    static func key(_ ctx: RunContext) throws -> String {
        var h = SHA256()
        func add(_ text: String) { h.update(data: Array(text.utf8) + [0]) }
        func addFile(_ path: String) {
            if let data = FileManager.default.contents(atPath: path) { h.update(data: data) } else { add("(missing)") }
            add("")
        }
        add("redist-run-stamp-2")
        // The executable by identity, as make would: hashing its tens of megabytes took a tenth of a second a run.
        add(Portability.executableIdentity())
        addFile(ctx.options.pipelinePath)
        add(FileManager.default.currentDirectoryPath)
        add(absolute(ctx.options.outDirectory))
        add("\(ctx.options.period.label)|\(ctx.options.period.start)|\(ctx.options.period.end)|strict=\(ctx.options.strict)")
        add(ctx.options.environment[ctx.pipeline.privacy.pseudonymKeyEnv] ?? "")
        // The HTML reports depend on the templates' text, wherever it came from.
        for (file, text) in ctx.templates.texts.sorted(by: { $0.key < $1.key }) {
            add(file)
            add(text)
        }
        for f in try ctx.warehouse.files() {
            add("\(f.source)|\(f.path)|\(f.sha256)|\(f.configHash)|\(f.failure ?? "")")
        }
        return h.finalize().hex
    }

    /// The recorded messages and status when nothing changed since the stamp was made.
    static func replay(_ ctx: RunContext) -> RunStamp? {
        guard ctx.ingest.filesRead == 0, ctx.ingest.filesRemoved == 0,
              let text = try? ctx.warehouse.meta(slot(ctx)),
              let stamp = try? JSONDecoder().decode(RunStamp.self, from: Data(text.utf8)),
              let key = try? key(ctx), stamp.key == key else { return nil }
        for (path, sha) in stamp.outputs {
            guard let now = try? FileHash.sha256(path: path), now.hex == sha else { return nil }
        }
        return stamp
    }

    /// Records a finished run.
    static func record(_ ctx: RunContext, log: [String], status: Int32) {
        guard let key = try? key(ctx) else { return }
        var outputs: [String: String] = [:]
        for path in ctx.written {
            guard let sha = try? FileHash.sha256(path: path) else { return }
            outputs[path] = sha.hex
        }
        let stamp = RunStamp(key: key, outputs: outputs, log: log, status: status)
        guard let data = try? JSONEncoder().encode(stamp) else { return }
        try? ctx.warehouse.setMeta(slot(ctx), String(decoding: data, as: UTF8.self))
    }

    static func absolute(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.path
    }
}
