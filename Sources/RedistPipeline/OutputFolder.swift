import Foundation
import RedistCore
import RedistReports
#if canImport(Glibc)
import Glibc
#endif

/// An output folder is always one run's complete output: the run writes
/// every file into a hidden sibling (`.<name>.partial`) and, once all are
/// written, swaps it in (the old folder renamed aside, the new one renamed
/// in, the old one removed). A run that fails part-way leaves the folder as
/// the last run that finished left it.
enum OutputFolder {
    /// What a run writes at the top of its folder. A folder holding anything
    /// else is not replaced: it may be someone's own folder.
    static let ours: Set<String> = ["trustees.html", "summary.csv", "transactions.csv", "quality.csv", "reconciliation.csv",
                                    "fund_movements.csv", "open-data", "evidence"]

    /// `out/q1` → `out/.q1.<suffix>`.
    static func sibling(_ out: String, _ suffix: String) -> String {
        var p = out
        while p.count > 1 && p.hasSuffix("/") { p.removeLast() }
        if p.isEmpty || p == "." || p == ".." || p.hasSuffix("/.") || p.hasSuffix("/..") {
            p = URL(fileURLWithPath: p.isEmpty ? "." : p).standardizedFileURL.path
        }
        let parent = (p as NSString).deletingLastPathComponent
        let name = (p as NSString).lastPathComponent
        return (parent.isEmpty ? "" : parent == "/" ? "/" : parent + "/") + "." + name + "." + suffix
    }

    /// A fresh, empty staging folder for `out`; refuses a folder that holds files no run wrote.
    static func prepare(_ out: String) throws -> String {
        if let entries = try? FileManager.default.contentsOfDirectory(atPath: out) {
            let foreign = entries.filter { !ours.contains($0) }.sorted()
            if !foreign.isEmpty {
                throw OutputError(path: out, reason: "it holds files redist did not write (\(foreign.prefix(5).joined(separator: ", "))\(foreign.count > 5 ? ", …" : "")), and a run replaces the whole folder; give --out a folder of its own")
            }
        } else if FileManager.default.fileExists(atPath: out) {
            throw OutputError(path: out, reason: "it is a file, not a folder")
        }
        let staging = sibling(out, "partial")
        for leftover in [staging, sibling(out, "old")] where FileManager.default.fileExists(atPath: leftover) {
            do { try FileManager.default.removeItem(atPath: leftover) } catch {
                throw OutputError(path: leftover, reason: "a failed run's folder could not be removed")
            }
        }
        try OutputFile.makeDirectory(staging)
        return staging
    }

    /// Puts the staging folder in the output folder's place.
    static func swap(_ staging: String, into out: String) throws {
        let old = sibling(out, "old")
        let had = FileManager.default.fileExists(atPath: out)
        if had, rename(out, old) != 0 { throw OutputFile.error(out) }
        if rename(staging, out) != 0 {
            let failure = OutputFile.error(out)
            if had { _ = rename(old, out) }
            throw failure
        }
        if had { try? FileManager.default.removeItem(atPath: old) }
    }

    /// A path under the staging folder as it is once swapped in.
    static func final(_ path: String, staging: String, out: String) -> String {
        guard !staging.isEmpty, path.hasPrefix(staging) else { return path }
        return out + path.dropFirst(staging.count)
    }
}

/// One run at a time: an exclusive `flock` on a lock file beside what it
/// guards (the warehouse, the output folder), held until the run ends. The
/// kernel releases it if the process dies, so a crash never leaves it held.
public final class RunLock {
    private var fd: Int32

    /// The lock beside a warehouse, as `redist run` and `redist ingest` take it.
    public static func warehouse(_ path: String) throws -> RunLock {
        try RunLock(path + ".lock", guarding: path, what: "warehouse")
    }

    init(_ lockPath: String, guarding path: String, what: String) throws {
        try OutputFile.makeDirectory((lockPath as NSString).deletingLastPathComponent.isEmpty ? "." : (lockPath as NSString).deletingLastPathComponent)
        fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw OutputError(path: lockPath, reason: String(cString: strerror(errno))) }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            close(fd)
            fd = -1
            throw RunLockError(path: path, what: what, lockPath: lockPath)
        }
    }

    public func release() {
        guard fd >= 0 else { return }
        flock(fd, LOCK_UN)
        close(fd)
        fd = -1
    }

    deinit { release() }
}

/// Another run holds the lock: exit status 1.
struct RunLockError: Error, CustomStringConvertible {
    var path: String, what: String, lockPath: String
    var description: String {
        "\(path): error: another redist run is using this \(what) (it holds \(lockPath)); wait for it to finish, then run again"
    }
}
