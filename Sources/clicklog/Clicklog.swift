import ArgumentParser

@main
struct Clicklog: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Clickstream analytics: ingest events over WebSocket into a columnar log, query and report on them.",
        subcommands: [
            GenerateCommand.self,
        ]
    )
}
