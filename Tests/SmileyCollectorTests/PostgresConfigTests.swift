import Foundation
import SmileyTestSupport
import Testing
@testable import SmileyCollector
#if canImport(Glibc)
import Glibc
#endif

/// `database: postgresql://…` and the keys beside it; the password's sources and their checks.
@Suite("smiley-collector: PostgreSQL settings")
struct PostgresConfigTests {
    @Test("the URL forms: TCP (IPv6 in brackets, port 5432 by default) and the unix socket folder")
    func urlForms() throws {
        #expect(try PostgresSettings.parse(url: "postgresql://collector@db.example:6432/smiley").get()
                == PostgresSettings(endpoint: .tcp(host: "db.example", port: 6432), user: "collector", database: "smiley"))
        #expect(try PostgresSettings.parse(url: "postgres://c%40x@[::1]/fleet%20db").get()
                == PostgresSettings(endpoint: .tcp(host: "::1", port: 5432), user: "c@x", database: "fleet db"))
        #expect(try PostgresSettings.parse(url: "postgresql://smiley@/smiley?host=/run/postgresql").get()
                == PostgresSettings(endpoint: .socket(path: "/run/postgresql/.s.PGSQL.5432"), user: "smiley", database: "smiley", tls: .disable))
        #expect(try PostgresSettings.parse(url: "postgresql://smiley@:5433/smiley?host=/tmp/").get().endpoint
                == .socket(path: "/tmp/.s.PGSQL.5433"))
    }

    @Test(arguments: [
        ("postgresql://u:secret@h/db", "a password in the URL is not accepted"),
        ("postgresql://h/db", "the user is missing"),
        ("postgresql://u@h", "the database name is missing"),
        ("postgresql://u@h/", "the database name is missing"),
        ("postgresql://u@/db", "the host is missing"),
        ("postgresql://u@h:99999/db", "the port must be a whole number in 1...65535"),
        ("postgresql://u@h/db?sslmode=require", "the URL parameter sslmode is not supported; allowed: host"),
        ("postgresql://u@/db?host=run/pg", "host= must be the absolute path"),
        ("postgresql://u@h/db?host=/run/pg", "either a host or ?host=/socket/folder"),
        ("postgresql://u@[::1/db", "lacks its closing ]"),
    ])
    func urlErrors(url: String, says: String) {
        switch PostgresSettings.parse(url: url) {
        case .success(let settings): Issue.record("accepted \(url): \(settings)")
        case .failure(let error): #expect(error.description.contains(says), "\(error)")
        }
    }

    @Test("the configuration file: database-… keys go with a URL, each problem located")
    func configurationKeys() throws {
        let folder = TemporaryFolder()
        let good = folder.write("ok.yaml", """
            database: postgresql://collector@db.example/smiley
            database-password-file: secret
            database-tls: verify-full
            database-ca-file: ca.pem
            tokens-file: tokens

            """)
        let config = try CollectorConfiguration.load(path: good)
        #expect(config.database == "postgresql://collector@db.example/smiley")
        #expect(config.postgres == PostgresSettings(endpoint: .tcp(host: "db.example", port: 5432), user: "collector", database: "smiley",
                                                    passwordFile: folder.path + "/secret", tls: .verifyFull, caFile: folder.path + "/ca.pem"))
        #expect(try CollectorConfiguration.load(path: folder.write("sqlite.yaml", "database: c.sqlite\ntokens-file: t\n")).postgres == nil)

        for (yaml, says) in [
            ("database: postgresql://u:pw@h/db\ntokens-file: t\n", ":1:11: database: a password in the URL is not accepted"),
            ("database: c.sqlite\ndatabase-tls: disable\ntokens-file: t\n", ":2:15: database-tls: applies to PostgreSQL only"),
            ("database: postgresql://u@h/db\ndatabase-tls: require\ntokens-file: t\n",
             #":2:15: database-tls: "require" is not allowed; expected verify-full or disable"#),
            ("database: postgresql://u@/db?host=/run/pg\ndatabase-tls: verify-full\ntokens-file: t\n", "a unix socket does not use TLS"),
            ("database: postgresql://u@h/db\ndatabase-tls: disable\ndatabase-ca-file: ca.pem\ntokens-file: t\n",
             "database-ca-file: has no use with database-tls: disable"),
        ] {
            let path = folder.write("bad.yaml", yaml)
            #expect {
                _ = try CollectorConfiguration.load(path: path)
            } throws: { error in
                (error as? CollectorConfigError)?.description.contains(says) == true
            }
        }
    }

    @Test("the password: database-password-file (its owner's only), else PGPASSFILE's matching line")
    func password() throws {
        let folder = TemporaryFolder()
        var settings = PostgresSettings(endpoint: .tcp(host: "db.example", port: 5432), user: "collector", database: "smiley")
        settings.passwordFile = folder.write("secret", "s3cret\nignored\n", mode: 0o600)
        #expect(try PostgresPassword.resolve(settings, environment: [:]) == "s3cret")

        for (text, mode, says) in [("s3cret\n", 0o640, "is open to its group or others (mode 640)"),
                                   ("\n", 0o600, "is empty; its first line is the password")] {
            settings.passwordFile = folder.write("bad-secret", text, mode: mode)
            #expect(throws: CollectorConfigError.self) { try PostgresPassword.resolve(settings, environment: [:]) }
            do {
                _ = try PostgresPassword.resolve(settings, environment: [:])
            } catch {
                #expect(error.description.contains(says), "\(error)")
            }
        }
        if geteuid() == 0 {
            let other = folder.write("others-secret", "s3cret\n", mode: 0o600)
            chown(other, 1, 1)
            settings.passwordFile = other
            do {
                _ = try PostgresPassword.resolve(settings, environment: [:])
                Issue.record("a file another user owns was accepted")
            } catch {
                #expect(error.description.contains("is owned by uid 1, not by the user smiley-collector runs as (uid 0)"), "\(error)")
            }
        }

        settings.passwordFile = nil
        let pgpass = folder.write("pgpass", """
            # host:port:database:user:password
            other.example:5432:smiley:collector:wrong
            db.example:*:smiley:collector:pa\\:ss\\\\word:with-colon
            *:*:*:*:fallback

            """, mode: 0o600)
        #expect(try PostgresPassword.resolve(settings, environment: ["PGPASSFILE": pgpass]) == #"pa:ss\word:with-colon"#)
        settings.user = "someone-else"
        #expect(try PostgresPassword.resolve(settings, environment: ["PGPASSFILE": pgpass]) == "fallback")
        #expect(try PostgresPassword.resolve(settings, environment: ["HOME": folder.path + "/nowhere"]) == nil)
        #expect(throws: CollectorConfigError.self) {
            try PostgresPassword.resolve(settings, environment: ["PGPASSFILE": folder.path + "/missing"])
        }
    }
}
