import ArgumentParser

/// `--data DIR`: where the log lives. Shared by every command that reads or writes it.
struct DataOptions: ParsableArguments {
    @Option(name: .customLong("data"), help: ArgumentHelp("The data directory (segments, catalog, quarantine).", valueName: "dir"))
    var path = "./data"
}
