extension CounterpartyCorrection: StoredModel {
    public static let storedColumns = [
        "merchant_id", "payment_id", "change_code", "routing_number", "account_number", "corrected_routing_number",
        "corrected_account_number", "corrected_account_type", "corrected_name",
    ]

    public init<Row: StoredRow>(stored row: inout Row) throws {
        self.init(merchantID: try row.string(), paymentID: try row.string(), changeCode: try row.string(), routingNumber: try row.string(),
                  accountNumber: try row.string(), correctedRoutingNumber: try row.string(), correctedAccountNumber: try row.string(),
                  correctedAccountType: try row.decode("counterparty_corrections", "corrected_account_type"), correctedName: try row.string())
    }
}
