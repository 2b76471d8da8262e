import Crypto
import Foundation
import RedistModel

/// Stands in for a person's name with a keyed hash that is the same in
/// every run with the same key, so staff can follow one person's payments
/// across quarters without the name leaving the warehouse.
public struct Pseudonymiser: @unchecked Sendable {
    let key: SymmetricKey

    public init(key: String) {
        self.key = SymmetricKey(data: Array(key.utf8))
    }

    /// A shorter key could be guessed by trying every one.
    public static let minimumKeyLength = 8

    /// Reads the key from the environment variable the pipeline names.
    public static func fromEnvironment(_ variable: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws(PipelineError) -> Pseudonymiser {
        guard let key = environment[variable], !key.isEmpty else {
            throw PipelineError(file: "", line: 0,
                                "the environment variable \(variable) is not set. It holds the secret key that replaces people's names in transactions.csv with stable pseudonyms: set it to a long random value and keep it the same from run to run (export \(variable)=…), or name another variable with pseudonym_key_env in [privacy]")
        }
        guard key.count >= minimumKeyLength else {
            throw PipelineError(file: "", line: 0,
                                "the environment variable \(variable) holds a key of \(key.count) character\(key.count == 1 ? "" : "s"), too short to keep people's pseudonyms secret (expected a long random value, at least \(minimumKeyLength) characters, such as a phrase of several words)")
        }
        return Pseudonymiser(key: key)
    }

    /// `person-` and twelve hex digits.
    public func pseudonym(_ identity: String) -> String {
        let normal = identity.trimmingSpaces.lowercased()
        let mac = HMAC<SHA256>.authenticationCode(for: Array(normal.utf8), using: key)
        return "person-" + String(Array(mac).prefix(6).hex)
    }
}
