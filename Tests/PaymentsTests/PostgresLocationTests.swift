import PostgresStore
import Testing

/// `--database` URLs for PostgreSQL, read the way libpq reads them.
struct PostgresLocationTests {
    @Test func theURLShowsNoPasswordAndRefusesWhatLibpqWouldNot() throws {
        let location = try PostgresLocation(url: "postgres://metl:s3cret@db.example:6432/ledger?sslmode=verify-full&sslrootcert=/etc/ca.pem")
        #expect(location.password == "s3cret")
        #expect(location.port == 6432)
        #expect(location.tls == .verifyFull)
        #expect(!location.description.contains("s3cret"))
        #expect(location.description == "postgres://metl@db.example:6432/ledger?sslmode=verify-full&sslrootcert=/etc/ca.pem")
        #expect(try PostgresLocation(url: "postgresql://metl@db/ledger", password: "fromfile").password == "fromfile")
        #expect(try PostgresLocation(url: "postgres://metl@db/ledger").tls == .prefer)
        for bad in ["postgres://db/ledger", "postgres://metl@db", "postgres://metl@db/ledger?sslmode=allow",
                    "postgres://metl@db/ledger?application=x", "/var/lib/metl.sqlite"] {
            #expect(throws: PostgresLocation.ParseError.self) { try PostgresLocation(url: bad) }
        }
        let refusal = #expect(throws: PostgresLocation.ParseError.self) {
            try PostgresLocation(url: "postgres://metl:s3cret@db/ledger?sslmode=bogus")
        }
        #expect(refusal.map { !"\($0)".contains("s3cret") && $0.code == .badOption } == true)
    }
}
