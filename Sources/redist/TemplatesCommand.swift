import ArgumentParser
import Foundation
import RedistReports

/// `redist templates …`: the report templates staff may edit.
struct TemplatesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "templates",
        abstract: "The report templates: write out the built-in ones for staff to edit.",
        discussion: "The HTML reports' wording is in Mustache templates built into redist. Copy them into a folder, edit them there, and name the folder with --templates DIR or with templates = \"DIR\" in the pipeline file's [reports] table (relative to the pipeline file). The CSV outputs never depend on the templates.",
        subcommands: [Copy.self])

    struct Copy: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the built-in templates into a folder (made if need be; files already there are never overwritten).")

        @Argument(help: "The folder to write them into.")
        var directory: String

        func run() throws {
            do {
                for path in try Templates.copyDefaults(to: directory) { print("wrote \(path)") }
            } catch {
                log("\(error)")
                throw ExitCode(2)
            }
        }
    }
}
