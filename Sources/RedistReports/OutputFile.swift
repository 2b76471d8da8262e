import Foundation

/// Writes outputs under a temporary name and renames them into place, so a
/// failed run never leaves half a report.
public enum OutputFile {
    public static func write(_ bytes: [UInt8], to path: String) throws {
        let url = URL(fileURLWithPath: path)
        try makeDirectory(url.deletingLastPathComponent().path)
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).partial")
        do { try writeAll(bytes, to: temporary.path) } catch {
            try? FileManager.default.removeItem(at: temporary)
            // Named by the output, not its temporary name.
            if let e = error as? OutputError { throw OutputError(path: path, reason: e.reason) }
            throw error
        }
        // rename(2) replaces an existing file atomically. (Foundation's
        // replaceItemAt fails on Linux with "The file doesn't exist" when the
        // target exists, so a second run into the same folder failed.)
        guard rename(temporary.path, path) == 0 else {
            let failure = error(path)
            try? FileManager.default.removeItem(at: temporary)
            throw failure
        }
    }

    /// Makes a folder (and its parents), or says which and why not.
    public static func makeDirectory(_ path: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            // Foundation's error names no reason a person can act on; find the first part that cannot be made.
            let parts = path.split(separator: "/")
            for i in parts.indices {
                let prefix = (path.hasPrefix("/") ? "/" : "") + parts[...i].joined(separator: "/")
                var isDirectory: ObjCBool = false
                if FileManager.default.fileExists(atPath: prefix, isDirectory: &isDirectory) {
                    if !isDirectory.boolValue { throw OutputError(path: prefix, reason: "it is a file, not a folder") }
                    continue
                }
                if mkdir(prefix, 0o755) != 0 && errno != EEXIST { throw self.error(prefix) }
            }
            throw OutputError(path: path, reason: (error as NSError).localizedDescription)
        }
    }

    /// Writes straight from the array: a report of many megabytes is not copied first.
    static func writeAll(_ bytes: [UInt8], to path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw error(path) }
        defer { close(fd) }
        try writeAll(bytes, fd: fd, path: path)
    }

    /// All of `bytes` to an open file, however many `write(2)` calls that takes.
    static func writeAll(_ bytes: [UInt8], fd: Int32, path: String) throws {
        try bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = Foundation.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw error(path)
                }
                offset += n
            }
        }
    }

    /// "PATH: error: cannot write (reason)", from `errno`.
    public static func error(_ path: String) -> Error {
        OutputError(path: path, reason: String(cString: strerror(errno)))
    }

    public static func write(_ text: String, to path: String) throws {
        try write(Array(text.utf8), to: path)
    }
}

/// An output that could not be written, compiler style:
/// `out/evidence/x.zip: error: cannot write (No space left on device)`.
public struct OutputError: Error, CustomStringConvertible {
    public var path: String
    public var reason: String
    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }
    public var description: String { "\(path): error: cannot write (\(reason))" }
}
