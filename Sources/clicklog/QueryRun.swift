import ArgumentParser
import ClicklogQuery
import Foundation

/// What the query commands share: run a query on the log with a progress bar, print it in the
/// chosen format, and the one place that turns a `QueryError` into a message and an exit code
/// (1 for bad input, 2 for usage errors; semantics.md, "Common flags").
enum QueryRun {
    static func run(_ query: Query, common: QueryCommonOptions, saved: SavedQuery? = nil, command: ParsableCommand.Type) throws {
        do {
            var options = try common.queryOptions(saved: saved)
            let format = try common.outputFormat() ?? (isatty(STDOUT_FILENO) != 0 ? .table : .json)
            let source = try LogScanSource(directory: common.data.path)
            let progress = ScanProgress()
            options.progress = progress
            let bar = QueryProgressBar(progress: progress, label: query.name)
            bar.start()
            let result: any QueryResult
            do {
                result = try QueryEngine(source: source, options: options).run(query)
                bar.stop()
            } catch {
                bar.stop()
                throw error
            }
            FileHandle.standardOutput.write(Data(QueryOutput.render(result, format: format).utf8))
            let problems = source.problems
            if !problems.isEmpty {
                var message = "warning: \(problems.count) damaged block(s) skipped; run 'clicklog verify' for details\n"
                for problem in problems.prefix(5) { message += "  \(problem)\n" }
                FileHandle.standardError.write(Data(message.utf8))
            }
        } catch let error as QueryError {
            throw failure(error, command: command)
        } catch let error as ExitCode {
            throw error
        } catch {
            FileHandle.standardError.write(Data("Error: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }

    /// Runs `body` (flag checks, loading a saved query), reporting a `QueryError` as `failure` does.
    @discardableResult
    static func checking<R>(_ command: ParsableCommand.Type, _ body: () throws -> R) throws -> R {
        do {
            return try body()
        } catch let error as QueryError {
            throw failure(error, command: command)
        }
    }

    /// Prints the error (with the usage line for usage errors) and gives the exit code.
    static func failure(_ error: QueryError, command: ParsableCommand.Type) -> ExitCode {
        if error.isUsage { return usageError(error.description, command: command) }
        FileHandle.standardError.write(Data("Error: \(error.description)\n".utf8))
        return ExitCode(1)
    }

    static func usageError(_ message: String, command: ParsableCommand.Type) -> ExitCode {
        let name = command == QueryCommand.self ? "query" : "query \(command.configuration.commandName ?? "")"
        let text = """
            Error: \(message)
            \(Clicklog.usageString(for: command))
              See 'clicklog \(name) --help' for more information.

            """
        FileHandle.standardError.write(Data(text.utf8))
        return ExitCode(2)
    }
}
