/// Why `clicklog load` could not run, with what to do about it.
struct LoadError: Error, CustomStringConvertible, Equatable {
    private enum Kind: Equatable {
        case generatedEventNotAnObject
        case connectFailed(String, String)
        case upgradeRefused(String, String)
        case subprotocolMissing(String)
        case tooMuchMemory(Int)
        case noConnection
    }

    private let kind: Kind

    static let generatedEventNotAnObject = LoadError(kind: .generatedEventNotAnObject)
    static let noConnection = LoadError(kind: .noConnection)

    static func connectFailed(_ target: LoadTarget, _ error: any Error) -> LoadError {
        LoadError(kind: .connectFailed(target.description, "\(error)"))
    }

    static func upgradeRefused(_ target: LoadTarget, status: String) -> LoadError {
        LoadError(kind: .upgradeRefused(target.description, status))
    }

    static func subprotocolMissing(_ target: LoadTarget) -> LoadError {
        LoadError(kind: .subprotocolMissing(target.description))
    }

    static func tooMuchMemory(bytes: Int) -> LoadError {
        LoadError(kind: .tooMuchMemory(bytes))
    }

    var description: String {
        switch kind {
        case .generatedEventNotAnObject:
            "the traffic generator produced something that is not a JSON object; this is a bug in the generator"
        case .connectFailed(let target, let error):
            "cannot connect to \(target): \(error). Is the server running and listening there?"
        case .upgradeRefused(let target, let status):
            "\(target) refused the WebSocket upgrade (\(status)). Check the site key in the URL and --origin."
        case .subprotocolMissing(let target):
            "\(target) accepted the upgrade but did not select the clicklog.v1 subprotocol; is it a Clicklog server?"
        case .tooMuchMemory(let bytes):
            "the pre-built messages would take \(bytes >> 20) MiB; lower --connections, --batch or --window"
        case .noConnection:
            "no connection could be opened"
        }
    }
}
