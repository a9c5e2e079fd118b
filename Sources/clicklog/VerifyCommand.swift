import ArgumentParser
import ClicklogStorage

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check every checksum in the data directory; exit 0 only when all are intact.",
        discussion: """
            Reads every block of every segment (header and chunk CRC32C), compares them with the \
            catalog, and checks the quarantine file. Each problem is printed with its file and byte \
            offset. Changes nothing, unless --rebuild-catalog is given: then the catalog is first \
            rebuilt from the segment files (which takes the writer's lock, so stop `clicklog serve` \
            first) and a torn tail of the last segment is cut off, as opening a writer would.

            Examples:
              clicklog verify --data ./data
              clicklog verify --rebuild-catalog
            """
    )

    @OptionGroup var data: DataOptions

    @Flag(help: "Rebuild the catalog from the segment files before checking.")
    var rebuildCatalog = false

    func run() throws {
        if rebuildCatalog {
            let report = try LogWriter.rebuildCatalog(directory: data.path)
            print("rebuilt the catalog: \(report.addedBlocks.count) blocks")
            if !(report.truncations.isEmpty && report.damaged.isEmpty && report.removedFiles.isEmpty) {
                print(report)
            }
        }
        let report = try LogVerifier.verify(directory: data.path)
        print("checked \(report.segments) segments, \(report.blocks) blocks, \(report.rows) rows, "
            + "\(report.quarantineRecords) quarantine records")
        if report.writerActive {
            print("note: a writer is running; the active segment was checked as far as the catalog lists it")
        }
        for problem in report.problems { print("problem: \(problem)") }
        guard report.isIntact else {
            print("\(report.problems.count) problem\(report.problems.count == 1 ? "" : "s") found")
            throw ExitCode(1)
        }
        print("ok: every checksum matches")
    }
}
