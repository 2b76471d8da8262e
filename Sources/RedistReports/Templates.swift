import Foundation
import Mustache

/// The report templates in `reports/templates/`, which staff may edit.
public struct Templates {
    var library: MustacheLibrary

    public struct Missing: Error, CustomStringConvertible {
        public var description: String
    }

    /// Loads every `.mustache` file of the folder. With no folder given it
    /// looks for `reports/templates` in the current folder and then beside
    /// the executable's checkout.
    public static func load(directory: String?) throws -> Templates {
        guard let dir = directory ?? defaultDirectory() else {
            throw Missing(description: "cannot find reports/templates (run from the project folder or pass --templates DIR)")
        }
        var library = MustacheLibrary()
        let files = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        for file in files.sorted() where file.hasSuffix(".mustache") {
            let text = try String(contentsOfFile: dir + "/" + file, encoding: .utf8)
            do {
                try library.register(text, named: String(file.dropLast(".mustache".count)))
            } catch {
                throw Missing(description: "\(dir)/\(file): error: the template cannot be read: \(error)")
            }
        }
        return Templates(library: library)
    }

    static func defaultDirectory() -> String? {
        let fm = FileManager.default
        var candidates = [fm.currentDirectoryPath + "/reports/templates"]
        var url = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<6 {
            candidates.append(url.appendingPathComponent("reports/templates").path)
            url = url.deletingLastPathComponent()
        }
        return candidates.first { fm.fileExists(atPath: $0 + "/trustees.mustache") }
    }

    public func render(_ object: Any, template: String) throws -> String {
        guard let text = library.render(object, withTemplate: template) else {
            throw Missing(description: "no template named \(template).mustache")
        }
        return text
    }
}
