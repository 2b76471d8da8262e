/// A source file's path as a funder's pack shows it: the path the run
/// knows it by (relative to the pipeline file's folder) without the leading
/// `./` and `../` steps that only make sense from that folder, so
/// `../sample-data/funders/x.csv` is shown as `sample-data/funders/x.csv`.
/// An absolute path, which names folders on our own machine, is shown by
/// its file name. The pack's page, `manifest.json` and `flows.csv` show
/// every path the same way; the manifest's SHA-256 still names each file
/// exactly.
enum PackPath {
    static func shown(_ path: String) -> String {
        var path = path
        return path.withUTF8 { String(decoding: UnsafeBufferPointer(rebasing: $0[dropped($0)...]), as: UTF8.self) }
    }

    /// How many bytes at the start of `path` are not shown.
    static func dropped(_ path: UnsafeBufferPointer<UInt8>) -> Int {
        let dot = UInt8(ascii: "."), slash = UInt8(ascii: "/")
        if path.first == slash { return (path.lastIndex(of: slash) ?? -1) + 1 }
        var i = 0
        while true {
            if path.count - i >= 3, path[i] == dot, path[i + 1] == dot, path[i + 2] == slash { i += 3 }
            else if path.count - i >= 2, path[i] == dot, path[i + 1] == slash { i += 2 }
            else { return i }
        }
    }

    /// "cashbook ../a/b.csv:73 ../a/b.csv:550" with each path shown as above.
    static func shownReference(_ ref: String) -> String {
        guard ref.contains("/") else { return ref }
        return ref.split(separator: " ", omittingEmptySubsequences: false).map { shown(String($0)) }.joined(separator: " ")
    }
}
