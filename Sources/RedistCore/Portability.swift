import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The few calls that differ between Linux (glibc) and macOS, in one place.
public enum Portability {
    /// The paths a shell pattern (`exports/cashbook-*.csv`) matches, as the C library's `glob` gives them.
    public static func glob(_ pattern: String) -> [String] {
        var g = glob_t()
        defer { globfree(&g) }
        #if canImport(Glibc)
        guard Glibc.glob(pattern, 0, nil, &g) == 0 else { return [] }
        #else
        guard Darwin.glob(pattern, 0, nil, &g) == 0 else { return [] }
        #endif
        var out: [String] = []
        for i in 0..<Int(g.gl_pathc) {
            if let p = g.gl_pathv[i] { out.append(String(cString: p)) }
        }
        return out
    }

    /// The processor time (user and system) all the process's threads have used, in milliseconds.
    public static func processorMilliseconds() -> Int {
        var usage = rusage()
        #if canImport(Glibc)
        getrusage(Int32(RUSAGE_SELF.rawValue), &usage)
        #else
        getrusage(RUSAGE_SELF, &usage)
        #endif
        func ms(_ t: timeval) -> Int { Int(t.tv_sec) * 1000 + Int(t.tv_usec) / 1000 }
        return ms(usage.ru_utime) + ms(usage.ru_stime)
    }

    /// Hands freed heap pages back to the system (glibc's `malloc_trim`;
    /// macOS's allocator does this by itself).
    public static func releaseFreedMemory() {
        #if os(Linux)
        _ = malloc_trim(0)
        #endif
    }

    /// The running executable's path (`/proc/self/exe` on Linux), symbolic links resolved.
    public static var executablePath: String? {
        #if os(Linux)
        return (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
        #else
        return Bundle.main.executablePath.map { URL(fileURLWithPath: $0).resolvingSymlinksInPath().path }
        #endif
    }

    /// The running executable's device, inode, size and modification time:
    /// a new build is a new file or a new time.
    public static func executableIdentity() -> String {
        guard let path = executablePath else { return "(unknown executable)" }
        var st = stat()
        guard stat(path, &st) == 0 else { return "(unknown executable)" }
        #if os(Linux)
        let mtime = st.st_mtim
        #else
        let mtime = st.st_mtimespec
        #endif
        return "\(st.st_dev)|\(st.st_ino)|\(st.st_size)|\(mtime.tv_sec).\(mtime.tv_nsec)"
    }
}

#if os(Linux)
/// glibc's `malloc_trim` (not in Swift's Glibc module).
@_silgen_name("malloc_trim")
private func malloc_trim(_ pad: Int) -> Int32
#endif
