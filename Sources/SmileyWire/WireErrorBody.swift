/// The body of every error answer (api/openapi.yaml, `Error`): what is wrong, for people.
public struct WireErrorBody: Sendable, Equatable {
    public var error: String

    public init(error: String) {
        self.error = error
    }
}
