import Foundation

/// Writes outputs under a temporary name and renames them into place, so a
/// failed run never leaves half a report.
public enum OutputFile {
    public static func write(_ bytes: [UInt8], to path: String) throws {
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).partial")
        try writeAll(bytes, to: temporary.path)
        // rename(2) replaces an existing file atomically. (Foundation's
        // replaceItemAt fails on Linux with "The file doesn't exist" when the
        // target exists, so a second run into the same folder failed.)
        guard rename(temporary.path, path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path, NSLocalizedDescriptionKey: "cannot write \(path): \(reason)"])
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

    /// "cannot write PATH: reason", from `errno`.
    static func error(_ path: String) -> Error {
        CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path,
                                                 NSLocalizedDescriptionKey: "cannot write \(path): \(String(cString: strerror(errno)))"])
    }

    public static func write(_ text: String, to path: String) throws {
        try write(Array(text.utf8), to: path)
    }
}
