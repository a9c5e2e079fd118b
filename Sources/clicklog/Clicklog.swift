import ArgumentParser

@main
struct Clicklog: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Clickstream analytics: ingest events over WebSocket into a columnar log, and query it.",
        discussion: """
            Start with `clicklog serve --demo` and open http://127.0.0.1:8080/, or load generated \
            traffic with `clicklog generate --events 100000 --seed 1 > e.jsonl && clicklog import e.jsonl`.
            """,
        subcommands: [
            ServeCommand.self,
            ImportCommand.self,
            QueryCommand.self,
            ExportCommand.self,
            ReportCommand.self,
            GenerateCommand.self,
            VerifyCommand.self,
            InspectCommand.self,
            LoadCommand.self,
            DiscardServerCommand.self,
        ]
    )
}
