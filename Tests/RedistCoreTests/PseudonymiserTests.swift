@testable import RedistCore
import Testing

@Suite("Pseudonymiser")
struct PseudonymiserTests {
    let key = Pseudonymiser(key: "golden-test-key")

    /// HMAC-SHA256 of the normalised name, its first six bytes in hex (checked against another HMAC implementation).
    @Test func aKeyedHashOfTheNormalisedName() {
        #expect(key.pseudonym("alex example") == "person-b104f1f45139")
        #expect(Pseudonymiser(key: "another-key").pseudonym("alex example") == "person-6ec857cc2a5e")
        #expect(key.pseudonym("") == "person-4ac396998366")
    }

    @Test func stableAcrossRunsAndSpellings() {
        let again = Pseudonymiser(key: "golden-test-key")
        #expect(again.pseudonym("Alex Example") == key.pseudonym("alex example"))
        #expect(key.pseudonym("  ALEX EXAMPLE\t") == key.pseudonym("alex example"))
        #expect(key.pseudonym("Alex Examples") != key.pseudonym("Alex Example"))
    }

    @Test func neverShowsTheName() {
        let p = key.pseudonym("Alex Example")
        #expect(p.hasPrefix("person-") && p.count == 19)
        #expect(p.dropFirst(7).allSatisfy { $0.isHexDigit && !$0.isUppercase })
        #expect(!p.lowercased().contains("alex"))
    }

    @Test func theKeyComesFromTheNamedVariable() throws {
        let fromEnv = try Pseudonymiser.fromEnvironment("MY_KEY", environment: ["MY_KEY": "golden-test-key"])
        #expect(fromEnv.pseudonym("alex example") == "person-b104f1f45139")
    }

    @Test(arguments: [[String: String](), ["MY_KEY": ""], ["OTHER": "x"]])
    func aMissingKeyIsAClearError(environment: [String: String]) {
        do {
            _ = try Pseudonymiser.fromEnvironment("MY_KEY", environment: environment)
            Issue.record("expected an error")
        } catch {
            #expect(error.description.hasPrefix("error: the environment variable MY_KEY is not set. It holds the secret key that replaces people's names"))
            #expect(error.description.hasSuffix("or name another variable with pseudonym_key_env in [privacy]"))
        }
    }
}
