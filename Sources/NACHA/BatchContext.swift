/// The open batch's facts that entry rules need, computed once per batch header.
struct BatchContext {
    var serviceClass: ServiceClassCode?
    var originatingDFI = 0
    var isCTX = false, isCOR = false, isTEL = false, isWEB = false, isADV = false
    var requiresIndividualName = false
    var maximumAddenda = 1

    init() {}

    init(_ header: BatchHeader) {
        let sec = header.standardEntryClass
        serviceClass = header.serviceClass
        originatingDFI = header.originatingDFI
        isCTX = sec == .ctx
        isCOR = sec == .cor
        isTEL = sec == .tel
        isWEB = sec == .web
        isADV = sec.rawValue == "ADV"
        requiresIndividualName = sec.requiresIndividualName
        maximumAddenda = sec.maximumAddenda
    }
}
