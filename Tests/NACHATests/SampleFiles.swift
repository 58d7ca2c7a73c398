import NACHA

/// Files the tests build from scratch: the project's fixtures are generated from these.
enum SampleFiles {
    static let odfi = 12_104_288 // 121042882
    static let creationDate = ACHDate(year: 2026, month: 11, day: 20)
    static let effectiveDate = ACHDate(year: 2026, month: 11, day: 23)

    static func header(modifier: String = "A") -> FileHeader {
        FileHeader(immediateDestination: "121042882", immediateOrigin: "1234567890", creationDate: creationDate,
                   creationTime: ACHTime(hour: 14, minute: 30), fileIDModifier: modifier,
                   immediateDestinationName: "WELLS FARGO BANK", immediateOriginName: "METL DEMO INC")
    }

    static func batchHeader(_ sec: StandardEntryClass, number: Int, description: String = "PAYROLL",
                            serviceClass: ServiceClassCode? = nil) -> BatchHeader {
        BatchHeader(serviceClass: serviceClass, companyName: "METL DEMO INC", companyIdentification: "1234567890",
                    standardEntryClass: sec, companyEntryDescription: description, effectiveEntryDate: effectiveDate,
                    originatingDFI: odfi, batchNumber: number)
    }

    static func entry(_ code: TransactionCode, amount: Int64, trace: Int, name: String = "JANE DOE",
                      routing: String = "091000019", account: String = "12345678", discretionary: String = "",
                      addenda: [Addenda] = []) -> Entry {
        Entry(EntryDetail(transactionCode: code, routingNumber: routing, accountNumber: account, amount: amount,
                          identificationNumber: "ID\(trace % 1000)", individualName: name,
                          discretionaryData: discretionary, traceNumber: odfi * 10_000_000 + trace), addenda: addenda)
    }

    static var ppdCredits: ACHFile {
        ACHFile(header: header(), batches: [
            Batch(header: batchHeader(.ppd, number: 1), entries: [
                entry(.checkingCredit, amount: 125_000, trace: 1),
                entry(.savingsCredit, amount: 99_99, trace: 2, name: "JOHN ROE", routing: "076401251", account: "000987654"),
                entry(.checkingCredit, amount: 1, trace: 3, name: "ACME PAYEE", routing: "091000019", account: "55-1234"),
            ]),
        ])
    }

    static var ccdDebits: ACHFile {
        ACHFile(header: header(modifier: "B"), batches: [
            Batch(header: batchHeader(.ccd, number: 1, description: "INVOICES"), entries: [
                entry(.checkingDebit, amount: 5_000_00, trace: 1, name: "WIDGETS LLC"),
                entry(.checkingDebit, amount: 12_345_67, trace: 2, name: "GADGETS CORP", routing: "076401251",
                      addenda: [.paymentRelated(.init(information: "INV-1001 NET 30"))]),
            ]),
        ])
    }

    static var mixed: ACHFile {
        ACHFile(header: header(modifier: "C"), batches: [
            Batch(header: batchHeader(.ppd, number: 1, serviceClass: .mixed), entries: [
                entry(.checkingCredit, amount: 10_000, trace: 1),
                entry(.checkingDebit, amount: 2_500, trace: 2, name: "JOHN ROE"),
            ]),
            Batch(header: batchHeader(.ccd, number: 2, description: "VENDOR"), entries: [
                entry(.checkingCredit, amount: 77_700, trace: 3, name: "SUPPLIER INC"),
            ]),
        ])
    }

    static var web: ACHFile {
        ACHFile(header: header(modifier: "D"), batches: [
            Batch(header: batchHeader(.web, number: 1, description: "SUBSCRIBE"), entries: [
                entry(.checkingDebit, amount: 19_99, trace: 1, discretionary: "R"),
                entry(.savingsDebit, amount: 49_00, trace: 2, name: "JOHN ROE", discretionary: "S"),
            ]),
        ])
    }

    static var ctx: ACHFile {
        let remittance: [Addenda] = [
            .paymentRelated(.init(information: "ISA*00*          *00*          *ZZ*METL           *ZZ*RECEIVER\\")),
            .paymentRelated(.init(information: "RMR*IV*INV-2001**1500.00\\")),
            .paymentRelated(.init(information: "RMR*IV*INV-2002**500.00\\")),
        ]
        return ACHFile(header: header(modifier: "E"), batches: [
            Batch(header: batchHeader(.ctx, number: 1, description: "REMITTANCE"), entries: [
                entry(.checkingCredit, amount: 2_000_00, trace: 1, name: "RECEIVER CORP", addenda: remittance),
            ]),
        ])
    }

    static var prenotes: ACHFile {
        ACHFile(header: header(modifier: "F"), batches: [
            Batch(header: batchHeader(.ppd, number: 1, description: "PRENOTE", serviceClass: .mixed), entries: [
                entry(.checkingCreditPrenote, amount: 0, trace: 1),
                entry(.savingsCreditPrenote, amount: 0, trace: 2, name: "JOHN ROE"),
                entry(.checkingDebitPrenote, amount: 0, trace: 3, name: "ACME PAYEE"),
                entry(.savingsDebitPrenote, amount: 0, trace: 4, name: "MARY MAJOR"),
            ]),
        ])
    }

    /// Returns of three `ppdCredits` entries, as the RDFI (routing 091000019) would send them.
    static var returns: ACHFile {
        let rdfi = 9_100_001
        func returned(_ code: Int, amount: Int64, originalTrace: Int, reason: String, trace: Int, name: String) -> Entry {
            Entry(EntryDetail(transactionCode: TransactionCode(rawValue: code), receivingDFI: odfi, checkDigit: 2,
                              accountNumber: "12345678", amount: amount, individualName: name,
                              traceNumber: rdfi * 10_000_000 + trace),
                  addenda: [.returnEntry(.init(returnReasonCode: reason, originalTraceNumber: odfi * 10_000_000 + originalTrace,
                                               originalReceivingDFI: 9_100_001, information: "RETURNED"))])
        }
        var header = header(modifier: "R")
        header.immediateDestination = "121042882"
        header.immediateOrigin = "091000019"
        var batch = batchHeader(.ppd, number: 1)
        batch.originatingDFI = rdfi
        batch.settlementDate = "327"
        return ACHFile(header: header, batches: [
            Batch(header: batch, entries: [
                returned(21, amount: 125_000, originalTrace: 1, reason: "R01", trace: 1, name: "JANE DOE"),
                returned(31, amount: 99_99, originalTrace: 2, reason: "R03", trace: 2, name: "JOHN ROE"),
                returned(21, amount: 1, originalTrace: 3, reason: "R10", trace: 3, name: "ACME PAYEE"),
            ]),
        ])
    }

    static var notificationsOfChange: ACHFile {
        let rdfi = 9_100_001
        func noc(_ code: String, corrected: String, originalTrace: Int, trace: Int) -> Entry {
            Entry(EntryDetail(transactionCode: TransactionCode(rawValue: 21), receivingDFI: odfi, checkDigit: 2,
                              accountNumber: "12345678", amount: 0, individualName: "JANE DOE",
                              traceNumber: rdfi * 10_000_000 + trace),
                  addenda: [.notificationOfChange(.init(changeCode: code, originalTraceNumber: odfi * 10_000_000 + originalTrace,
                                                        originalReceivingDFI: rdfi, correctedData: corrected))])
        }
        var header = header(modifier: "N")
        header.immediateOrigin = "091000019"
        var batch = batchHeader(.cor, number: 1)
        batch.originatingDFI = rdfi
        return ACHFile(header: header, batches: [
            Batch(header: batch, entries: [
                noc("C01", corrected: "987654321", originalTrace: 1, trace: 1),
                noc("C02", corrected: "076401251", originalTrace: 2, trace: 2),
                noc("C03", corrected: "076401251   11112222", originalTrace: 3, trace: 3),
                noc("C05", corrected: "32", originalTrace: 4, trace: 4),
            ]),
        ])
    }

    static let valid: [(name: String, file: ACHFile)] = [
        ("ppd-credits", ppdCredits), ("ccd-debits", ccdDebits), ("mixed", mixed), ("web", web), ("ctx", ctx),
        ("prenotes", prenotes), ("returns", returns), ("noc", notificationsOfChange),
    ]
}
