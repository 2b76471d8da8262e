import Foundation
@testable import redist
import Testing

/// docs/redist.1 against the command's own argument parser: every
/// subcommand a user can see is in the synopsis, and every option of each
/// is described, so the man page cannot fall behind the command.
@Suite("Man page")
struct ManPageTests {
    /// The page's source with roff's escaped hyphens as plain ones.
    static let page = ((try? String(contentsOfFile: Repo.root + "/docs/redist.1", encoding: .utf8)) ?? "")
        .replacingOccurrences(of: "\\-", with: "-")

    struct Command {
        var path: String
        var options: [String]
    }

    /// Every visible command, with its long option names, from the parser's help dump.
    static func commands() throws -> [Command] {
        let json = try JSONSerialization.jsonObject(with: Data(Redist._dumpHelp().utf8)) as? [String: Any]
        var out: [Command] = []
        func walk(_ node: [String: Any], _ trail: [String]) {
            guard node["shouldDisplay"] as? Bool ?? true else { return }
            let path = trail + [node["commandName"] as? String ?? "?"]
            var options: [String] = []
            for argument in node["arguments"] as? [[String: Any]] ?? [] where argument["shouldDisplay"] as? Bool ?? true {
                for name in argument["names"] as? [[String: Any]] ?? [] where name["kind"] as? String == "long" {
                    options.append(name["name"] as? String ?? "")
                }
            }
            out.append(Command(path: path.joined(separator: " "), options: options))
            for sub in node["subcommands"] as? [[String: Any]] ?? [] { walk(sub, path) }
        }
        walk(try #require(json?["command"] as? [String: Any]), [])
        return out
    }

    @Test func everyCommandAndOptionIsInTheManPage() throws {
        #expect(Self.page.hasPrefix(".TH REDIST 1 "))
        let commands = try Self.commands()
        #expect(commands.count >= 6)
        let synopsis = Self.page.components(separatedBy: ".SH DESCRIPTION").first ?? ""
        for command in commands {
            // Groups (redist templates) show through their subcommands (redist templates copy).
            let shown = synopsis.contains(".B " + command.path) || commands.contains { $0.path.hasPrefix(command.path + " ") }
            #expect(shown, "\(command.path) is not in the man page's synopsis")
            for option in command.options where option != "help" && option != "version" {
                #expect(Self.page.contains("--" + option), "\(command.path) --\(option) is not in the man page")
            }
        }
    }

    @Test func theVersionIsTheCommandsVersion() {
        #expect(Self.page.contains("\"redist \(RedistVersion.string)\""))
    }
}
